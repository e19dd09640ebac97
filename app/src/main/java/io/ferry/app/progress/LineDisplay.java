package io.ferry.app.progress;

import io.ferry.app.Units;
import io.ferry.engine.coordinator.MigrationStatus;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress for logs and pipes: one {@code progress ...} line for the first snapshot, for each
 * change of status (at most one per 200 ms), and otherwise at most one per second of migration
 * time, e.g.
 *
 * <pre>
 * progress t=6.9s status=ACTIVE pass=10 precopied=640MiB pending=1.44GiB expected-downtime=2418ms
 *     sent=686MiB rate=404.3MiB/s | 0000:00:03.0/vfio PRE_COPY 26% 546MiB/2.00GiB 390.7MiB/s
 *     | nic0 RUNNING 0% 0B/48.1KiB 0.0MiB/s | disk0 RUNNING 0% 0B/64.0MiB 0.0MiB/s
 *     | channels main=686MiB 0=38B 1=38B 2=38B 3=38B
 * </pre>
 *
 * (one line; wrapped here). Snapshots of an ended migration are left to the report.
 */
public final class LineDisplay implements ProgressDisplay {
  /** A change of status is printed if at least this much migration time has passed. */
  static final long STATUS_MIN_MS = 200;

  /** Otherwise one line per this much migration time. */
  static final long EVERY_MS = 1000;

  private final PrintWriter out;
  private final ProgressTracker tracker = new ProgressTracker();
  private long lastPrintedMs = Long.MIN_VALUE;
  private MigrationStatus lastStatus;
  private boolean closed;

  public LineDisplay(PrintWriter out) {
    this.out = out;
  }

  @Override
  public synchronized void update(ProgressSnapshot snapshot) {
    if (closed) {
      return;
    }
    ProgressTracker.Frame f = tracker.next(snapshot);
    if (snapshot.status().isFinal()) {
      return;
    }
    if (lastPrintedMs != Long.MIN_VALUE) {
      long since = f.elapsedMs() - lastPrintedMs;
      boolean newStatus = f.status() != lastStatus;
      if (since < (newStatus ? STATUS_MIN_MS : EVERY_MS)) {
        return;
      }
    }
    lastPrintedMs = f.elapsedMs();
    lastStatus = f.status();
    out.println(line(f));
    out.flush();
  }

  /** The line for one frame. */
  static String line(ProgressTracker.Frame f) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "progress t=%.1fs status=%s", f.elapsedMs() / 1000.0,
        f.status()));
    ProgressSnapshot.Precopy p = f.precopy();
    if (p.passes() > 0) {
      b.append(" pass=").append(p.passes()).append(" precopied=").append(compact(p.bytes()));
      if (p.pendingBytes() >= 0) {
        b.append(" pending=").append(compact(p.pendingBytes()));
      }
      if (p.expectedDowntimeMs() >= 0) {
        b.append(" expected-downtime=").append(p.expectedDowntimeMs()).append("ms");
      }
    }
    b.append(" sent=").append(compact(f.totalBytes())).append(" rate=")
        .append(compactRate(f.bytesPerSecond()));
    for (ProgressTracker.DeviceRow d : f.devices()) {
      b.append(" | ").append(d.deviceId()).append(' ');
      if (d.state() != null) {
        b.append(d.state()).append(' ');
      }
      if (d.expected() > 0) {
        b.append(d.percent()).append("% ").append(compact(d.sent())).append('/')
            .append(compact(d.expected()));
      } else {
        b.append(compact(d.sent()));
      }
      b.append(' ').append(compactRate(d.bytesPerSecond()));
    }
    b.append(" | channels");
    for (ProgressTracker.ChannelRow c : f.channels()) {
      b.append(' ').append(c.name()).append('=').append(compact(c.bytes()));
    }
    return b.toString();
  }

  private static String compact(long bytes) {
    return Units.bytes(bytes).replace(" ", "");
  }

  private static String compactRate(double bytesPerSecond) {
    return Units.mibps(bytesPerSecond / 1048576.0).replace(" ", "");
  }

  @Override
  public synchronized void close() {
    closed = true;
    out.flush();
  }
}

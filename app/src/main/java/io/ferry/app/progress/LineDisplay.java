package io.ferry.app.progress;

import io.ferry.app.Units;
import io.ferry.engine.coordinator.MigrationInfo;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress for logs and pipes: one {@code progress ...} line for the first snapshot and then at
 * most one per second of migration time, e.g.
 *
 * <pre>
 * progress t=1.0s status=DEVICE sent=1.02GiB rate=1003.2MiB/s | 0000:00:03.0/vfio 50%
 *     1.00GiB/2.00GiB 998.1MiB/s | nic0 100% 48.0KiB/48.0KiB 0B/s | channels main=224KiB 0=512MiB
 * </pre>
 *
 * (one line; wrapped here). Snapshots of an ended migration are left to the report.
 */
public final class LineDisplay implements ProgressDisplay {
  private final PrintWriter out;
  private final ProgressTracker tracker = new ProgressTracker();
  private long lastPrintedMs = Long.MIN_VALUE;
  private boolean closed;

  public LineDisplay(PrintWriter out) {
    this.out = out;
  }

  @Override
  public synchronized void update(MigrationInfo info) {
    if (closed) {
      return;
    }
    ProgressTracker.Frame f = tracker.next(info);
    if (info.status().isFinal()
        || (lastPrintedMs != Long.MIN_VALUE && f.elapsedMs() - lastPrintedMs < 1000)) {
      return;
    }
    lastPrintedMs = f.elapsedMs();
    out.println(line(f));
    out.flush();
  }

  /** The line for one frame. */
  static String line(ProgressTracker.Frame f) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "progress t=%.1fs status=%s sent=%s rate=%s",
        f.elapsedMs() / 1000.0, f.status(), compact(f.totalBytes()),
        compactRate(f.bytesPerSecond())));
    for (ProgressTracker.DeviceRow d : f.devices()) {
      b.append(" | ").append(d.deviceId()).append(' ');
      if (d.estimate() > 0) {
        b.append(d.percent()).append("% ").append(compact(d.sent())).append('/')
            .append(compact(d.estimate()));
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

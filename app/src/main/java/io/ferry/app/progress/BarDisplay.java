package io.ferry.app.progress;

import io.ferry.app.Units;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Progress bars redrawn in place on a terminal with plain ANSI sequences (cursor to the start of a
 * previous line, erase line): a header with the phase, a precopy line once a pass has been made,
 * one line per device and one per channel (the bars are up to 30 characters wide, less on a
 * narrow terminal):
 *
 * <pre>
 * migration 38796a2d ACTIVE pass 15    6.5 s  960 MiB sent  339.2 MiB/s
 *   precopy: 960 MiB in 15 passes, pending 1.13 GiB, expected downtime 1681 ms (limit 300 ms)
 *   0000:00:03.0/vfio [##########----------]   736 MiB/2.00 GiB   35%  245.9 MiB/s PRE_COPY   multifd
 *   nic0              [--------------------]       0 B/48.1 KiB    0%    0.0 MiB/s RUNNING    multifd
 *   channel main        960 MiB  339.2 MiB/s
 *   channel 0              38 B    0.0 MiB/s
 * </pre>
 *
 * Every line is cut to the terminal width so that none wraps: a wrapped line would break the
 * cursor arithmetic of the next redraw.
 */
public final class BarDisplay implements ProgressDisplay {
  static final String ESC = "\u001b[";

  private final PrintWriter out;
  private final int columns;
  private final ProgressTracker tracker = new ProgressTracker();
  private int drawn;
  private boolean closed;

  /**
   * @param out the terminal
   * @param columns the terminal width
   */
  public BarDisplay(PrintWriter out, int columns) {
    this.out = out;
    this.columns = Math.max(40, columns);
  }

  @Override
  public synchronized void update(ProgressSnapshot snapshot) {
    if (closed) {
      return;
    }
    List<String> lines = lines(tracker.next(snapshot));
    StringBuilder b = new StringBuilder();
    if (drawn > 0) {
      b.append(ESC).append(drawn).append('F');
    }
    for (String line : lines) {
      b.append(ESC).append("2K").append(fit(line)).append('\n');
    }
    // Lines left over from a longer earlier frame.
    for (int i = lines.size(); i < drawn; i++) {
      b.append(ESC).append("2K").append('\n');
    }
    out.print(b);
    out.flush();
    drawn = Math.max(drawn, lines.size());
  }

  List<String> lines(ProgressTracker.Frame f) {
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "migration %s %-14s %6.1f s  %s sent  %s",
        f.migrationId().toString().substring(0, 8), f.phase(), f.elapsedMs() / 1000.0,
        Units.bytes(f.totalBytes()), Units.mibps(f.bytesPerSecond() / 1048576.0)));
    if (f.precopy().passes() > 0) {
      lines.add("  precopy: " + precopy(f.precopy()));
    }
    int idWidth = 12;
    boolean states = false;
    for (ProgressTracker.DeviceRow d : f.devices()) {
      idWidth = Math.max(idWidth, Math.min(24, d.deviceId().length()));
      states |= d.state() != null;
    }
    // Everything on a device line but the id, the bar and the state takes 49 columns.
    int fixed = 49 + (states ? 10 : 0);
    int barWidth = Math.max(8, Math.min(30, columns - 1 - idWidth - fixed));
    for (ProgressTracker.DeviceRow d : f.devices()) {
      int filled = d.expected() > 0 ? d.percent() * barWidth / 100 : 0;
      String bar = "#".repeat(filled) + "-".repeat(barWidth - filled);
      String of = d.expected() > 0 ? Units.bytes(d.expected()) : "?";
      String state = states ? String.format(Locale.ROOT, " %-9s",
          d.state() == null ? "-" : d.state()) : "";
      lines.add(String.format(Locale.ROOT, "  %-" + idWidth + "s [%s] %9s/%-9s %3d%%  %11s%s  %s",
          d.deviceId(), bar, Units.bytes(d.sent()), of, d.percent(),
          Units.mibps(d.bytesPerSecond() / 1048576.0), state, d.mode()));
    }
    for (ProgressTracker.ChannelRow c : f.channels()) {
      lines.add(String.format(Locale.ROOT, "  %-" + idWidth + "s %9s  %11s",
          "channel " + c.name(), Units.bytes(c.bytes()),
          Units.mibps(c.bytesPerSecond() / 1048576.0)));
    }
    return lines;
  }

  /** {@code 1.69 GiB in 3 passes, pending 1.97 GiB, expected downtime 4.9 s (limit 300 ms)}. */
  static String precopy(ProgressSnapshot.Precopy p) {
    StringBuilder b = new StringBuilder();
    b.append(Units.bytes(p.bytes())).append(" in ").append(p.passes())
        .append(p.passes() == 1 ? " pass" : " passes");
    if (p.pendingBytes() >= 0) {
      b.append(", pending ").append(Units.bytes(p.pendingBytes()));
    }
    if (p.expectedDowntimeMs() >= 0) {
      b.append(", expected downtime ").append(Units.millis(p.expectedDowntimeMs()));
      if (p.downtimeLimitMs() >= 0) {
        b.append(" (limit ").append(Units.millis(p.downtimeLimitMs())).append(')');
      }
    }
    return b.toString();
  }

  private String fit(String line) {
    return line.length() < columns ? line : line.substring(0, columns - 1);
  }

  @Override
  public synchronized void close() {
    closed = true;
    out.flush();
  }
}

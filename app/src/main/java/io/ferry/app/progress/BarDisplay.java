package io.ferry.app.progress;

import io.ferry.app.Units;
import io.ferry.engine.coordinator.MigrationInfo;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Progress bars redrawn in place on a terminal with plain ANSI sequences (cursor to the start of a
 * previous line, erase line), one line per device and per channel under a header (the bars are
 * up to 30 characters wide, less on a narrow terminal):
 *
 * <pre>
 * migration c67a6a48 DEVICE       5.3 s  798 MiB sent  350.6 MiB/s
 *   0000:00:03.0/vfio [#######-------------]   734 MiB / 2.00 GiB   35%  350.6 MiB/s  multifd
 *   nic0              [####################]  52.2 KiB / 48.1 KiB  100%    0.0 MiB/s  multifd
 *   channel main          211 B    0.0 MiB/s
 *   channel 0           199 MiB   87.2 MiB/s
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
  public synchronized void update(MigrationInfo info) {
    if (closed) {
      return;
    }
    List<String> lines = lines(tracker.next(info));
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
    lines.add(String.format(Locale.ROOT, "migration %s %-9s %6.1f s  %s sent  %s",
        f.migrationId().toString().substring(0, 8), f.status(), f.elapsedMs() / 1000.0,
        Units.bytes(f.totalBytes()), Units.mibps(f.bytesPerSecond() / 1048576.0)));
    int idWidth = 12;
    for (ProgressTracker.DeviceRow d : f.devices()) {
      idWidth = Math.max(idWidth, Math.min(24, d.deviceId().length()));
    }
    // Everything on a device line but the id and the bar takes 54 columns.
    int barWidth = Math.max(8, Math.min(30, columns - 1 - idWidth - 54));
    for (ProgressTracker.DeviceRow d : f.devices()) {
      int filled = d.estimate() > 0 ? d.percent() * barWidth / 100 : 0;
      String bar = "#".repeat(filled) + "-".repeat(barWidth - filled);
      String of = d.estimate() > 0 ? Units.bytes(d.estimate()) : "?";
      lines.add(String.format(Locale.ROOT, "  %-" + idWidth + "s [%s] %9s / %-9s %3d%%  %11s  %s",
          d.deviceId(), bar, Units.bytes(d.sent()), of, d.percent(),
          Units.mibps(d.bytesPerSecond() / 1048576.0), d.mode()));
    }
    for (ProgressTracker.ChannelRow c : f.channels()) {
      lines.add(String.format(Locale.ROOT, "  %-" + idWidth + "s %9s  %11s",
          "channel " + c.name(), Units.bytes(c.bytes()),
          Units.mibps(c.bytesPerSecond() / 1048576.0)));
    }
    return lines;
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

package io.ferry.app;

import io.ferry.app.report.MigrationReport;
import io.ferry.app.report.ReportJson;
import io.ferry.app.report.RunSettings;
import io.ferry.engine.config.MigrationParameters;
import io.ferry.engine.coordinator.MigrationInfo;
import java.io.PrintWriter;

/** The end of {@code demo} and {@code migrate}: the report, the error line, the exit status. */
final class Reports {
  private Reports() {}

  /**
   * Prints the report of an ended migration on {@code out} (text or one JSON object) and, unless it
   * succeeded, one error line on {@code err}.
   *
   * @return 0 if the migration completed with every digest matching, else 1
   */
  static int finish(String command, PrintWriter out, PrintWriter err, MigrationInfo info,
      RunSettings settings, boolean json) {
    if (json) {
      out.println(ReportJson.write(ReportJson.migration(info, settings)));
    } else {
      out.println();
      out.print(MigrationReport.text(info, settings));
    }
    out.flush();
    String error = MigrationReport.errorLine(info);
    if (error != null) {
      err.println(command + ": " + error);
      err.flush();
      return FerryCli.FAILURE;
    }
    return 0;
  }

  /** {@code multifd on, 4 channels, chunk 1.00 MiB, downtime limit 300 ms, max bandwidth ...}. */
  static String parameters(MigrationParameters p) {
    return "multifd " + (p.multifd() ? "on, " + p.multifdChannels() + " channels" : "off")
        + ", chunk " + Units.bytes(p.chunkSize()) + ", downtime limit "
        + Units.duration(p.downtimeLimit()) + ", max bandwidth "
        + Units.rate(p.precopy().maxBandwidth())
        + (p.precopy().maxBandwidth() > 0 ? " (precopy)" : "");
  }

  /** {@code switchover-ack off, max passes no limit, max time 120.0 s}. */
  static String precopyParameters(MigrationParameters p) {
    MigrationParameters.Precopy c = p.precopy();
    return "switchover-ack " + (c.switchoverAck() ? "on" : "off") + ", max passes "
        + (c.maxPasses() == 0 ? "no limit" : Integer.toString(c.maxPasses())) + ", max time "
        + Units.duration(c.maxTime());
  }
}

package io.ferry.app;

import io.ferry.app.report.MigrationReport;
import io.ferry.app.report.ReportJson;
import io.ferry.app.report.RunSettings;
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
}

package io.ferry.app;

import io.ferry.app.progress.BarDisplay;
import io.ferry.app.progress.LineDisplay;
import io.ferry.app.progress.ProgressDisplay;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** How a command shows progress and its report. */
public final class OutputOptions {
  /** {@code --progress}: auto = bars on a terminal, lines otherwise, none with --json. */
  enum Progress { AUTO, BARS, LINES, NONE }

  @Option(names = "--json",
      description = "Print the report as one JSON object on stdout, and no progress.")
  boolean json;

  @Option(names = "--progress", paramLabel = "auto|bars|lines|none", defaultValue = "auto",
      description = "Progress display: bars redrawn in place (terminal), a line per second, or "
          + "none (default: ${DEFAULT-VALUE}: bars on a terminal, else lines).")
  Progress progress;

  @Option(names = {"-v", "--verbose"}, description = "Log engine and Akka INFO messages to stderr.")
  boolean verbose;

  /** The display these options ask for on {@code out}. */
  ProgressDisplay display(PrintWriter out, FerryCli.Terminal terminal) {
    Progress p = progress;
    if (p == Progress.AUTO) {
      p = json ? Progress.NONE : terminal.interactive() ? Progress.BARS : Progress.LINES;
    }
    return switch (p) {
      case BARS -> new BarDisplay(out, terminal.columns());
      case LINES -> new LineDisplay(out);
      default -> ProgressDisplay.NONE;
    };
  }
}

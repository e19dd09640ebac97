package io.ferry.app;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/** Runs the ferry command in-process with captured stdout and stderr. */
record CliRun(int exit, String out, String err) {

  static CliRun run(Path workingDir, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    FerryCli cli = new FerryCli(workingDir, new FerryCli.Terminal(false, 80));
    int exit = FerryCli.commandLine(cli, new PrintWriter(out, true), new PrintWriter(err, true))
        .execute(args);
    return new CliRun(exit, out.toString(), err.toString());
  }

  /** stderr as lines, without a trailing empty one. */
  String[] errLines() {
    return err.isEmpty() ? new String[0] : err.split("\\R");
  }

  @Override
  public String toString() {
    return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
  }
}

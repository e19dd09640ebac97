package io.ferry.app;

import io.ferry.app.progress.ProgressDisplay;
import java.io.PrintWriter;

/**
 * A line printed if the JVM is stopped (SIGINT, SIGTERM) while a command waits on a migration, so
 * that the user knows what became of it; removed again when the wait ends normally. The progress
 * display is closed first so that no redraw lands on top of the line.
 */
final class InterruptNotice implements AutoCloseable {
  private final Thread hook;

  InterruptNotice(PrintWriter err, ProgressDisplay display, String line) {
    this.hook = new Thread(() -> {
      display.close();
      err.println();
      err.println(line);
      err.flush();
    }, "ferry-interrupt-notice");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is already stopping: the notice is being printed.
    }
  }
}

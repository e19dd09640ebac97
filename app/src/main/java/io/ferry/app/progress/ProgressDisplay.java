package io.ferry.app.progress;

import io.ferry.engine.coordinator.MigrationInfo;

/**
 * Shows a running migration: {@link BarDisplay} redraws bars in place on a terminal, {@link
 * LineDisplay} prints a {@code progress ...} line per second for logs and pipes, {@link #NONE}
 * shows nothing (JSON output).
 */
public interface ProgressDisplay {
  /** A new snapshot; called from one thread, every ~200 ms while polling. */
  void update(MigrationInfo info);

  /**
   * The migration has ended and its report follows, or the process is stopping: leave the output
   * ready for what comes next and draw nothing more. May be called from another thread (a
   * shutdown hook) than {@link #update}.
   */
  void close();

  ProgressDisplay NONE = new ProgressDisplay() {
    @Override
    public void update(MigrationInfo info) {}

    @Override
    public void close() {}
  };
}

package io.ferry.app.progress;

/**
 * Shows a running migration: {@link BarDisplay} redraws bars in place on a terminal, {@link
 * LineDisplay} prints a {@code progress ...} line per second (and per change of phase) for logs and
 * pipes, {@link #NONE} shows nothing (JSON output).
 */
public interface ProgressDisplay {
  /**
   * A new snapshot; called from one thread: with the event feed about every 100 ms and at once at
   * each status change and precopy pass, with the polling feed every 200 ms.
   */
  void update(ProgressSnapshot snapshot);

  /**
   * The migration has ended and its report follows, or the process is stopping: leave the output
   * ready for what comes next and draw nothing more. May be called from another thread (a
   * shutdown hook) than {@link #update}.
   */
  void close();

  ProgressDisplay NONE = new ProgressDisplay() {
    @Override
    public void update(ProgressSnapshot snapshot) {}

    @Override
    public void close() {}
  };
}

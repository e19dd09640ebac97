package io.ferry.app;

/**
 * A failure the user can act on (unreachable node, unknown migration, unreadable config): the
 * command prints its message as one line on stderr and exits 1, without a stack trace.
 */
public final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CliException(String message) {
    super(message);
  }

  public CliException(String message, Throwable cause) {
    super(message, cause);
  }
}

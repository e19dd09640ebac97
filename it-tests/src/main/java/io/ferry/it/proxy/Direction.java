package io.ferry.it.proxy;

/**
 * One half of a proxied TCP connection, named from the side that opened it.
 *
 * <p>In a migration the source is the client and the destination is the target, so {@link
 * #CLIENT_TO_TARGET} carries the migration stream and {@link #TARGET_TO_CLIENT} carries the
 * destination's handshake replies.
 */
public enum Direction {
  /** Bytes the accepted client sends, forwarded to the target. */
  CLIENT_TO_TARGET,
  /** Bytes the target answers, forwarded back to the client. */
  TARGET_TO_CLIENT
}

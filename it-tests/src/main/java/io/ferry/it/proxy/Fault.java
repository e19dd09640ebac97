package io.ferry.it.proxy;

import java.time.Duration;
import java.util.Objects;

/**
 * An immutable description of what {@link FaultProxy} does to one proxied connection.
 *
 * <p>A fault has one {@link Kind}, watches one {@link Direction} (client to target unless {@link
 * #inDirection(Direction) inDirection} says otherwise) and may hold back the start of forwarding
 * with a {@linkplain #withStartDelay(Duration) start delay}. Byte counts are absolute offsets in
 * the watched stream, counted from the first byte the connection carried in that direction, so a
 * fault armed on a live connection means the same as one armed before it was accepted.
 *
 * <p>What each kind does once its offset is reached:
 *
 * <pre>
 *   kind             watched direction                 the other direction
 *   ---------------  --------------------------------  -------------------
 *   NONE             forwarded untouched               untouched
 *   CUT_AFTER        N bytes, then both sockets close  closed
 *   RESET_AFTER      N bytes, then RST on both sides   reset
 *   STALL_AFTER      N bytes, then nothing, sockets    held too
 *                    stay open until release/close
 *   SLOW             token bucket at bytesPerSecond    untouched
 *   CORRUPT_BYTE_AT  byte at offset xor mask           untouched
 * </pre>
 *
 * <p>Faults are values: {@code equals} compares every field, so tests can assert on them.
 */
public final class Fault {

  /** What the proxy does once the fault's offset is reached. */
  public enum Kind {
    /** Forward everything untouched. */
    NONE,
    /** Forward the first {@code bytes} bytes, then close both sockets. */
    CUT_AFTER,
    /** Forward the first {@code bytes} bytes, then send a TCP RST on both sides. */
    RESET_AFTER,
    /** Forward the first {@code bytes} bytes, then forward nothing either way until released. */
    STALL_AFTER,
    /** Rate-limit the watched direction. */
    SLOW,
    /** Xor one byte of the watched direction with a mask. */
    CORRUPT_BYTE_AT
  }

  private static final Fault NONE =
      new Fault(Kind.NONE, 0, 0, Direction.CLIENT_TO_TARGET, Duration.ZERO);

  private final Kind kind;
  private final long amount;
  private final int xorMask;
  private final Direction direction;
  private final Duration startDelay;

  private Fault(Kind kind, long amount, int xorMask, Direction direction, Duration startDelay) {
    this.kind = kind;
    this.amount = amount;
    this.xorMask = xorMask;
    this.direction = direction;
    this.startDelay = startDelay;
  }

  /** Forwards everything untouched; the default for every connection. */
  public static Fault none() {
    return NONE;
  }

  /**
   * Forwards exactly {@code bytes} bytes, then closes both sockets without a handshake of any
   * kind. The target reads those bytes and then end of stream; the client sees end of stream or,
   * if it had sent more than the proxy read, a reset (Linux answers a close with unread data by
   * RST).
   */
  public static Fault cutAfter(long bytes) {
    return threshold(Kind.CUT_AFTER, bytes);
  }

  /**
   * Forwards exactly {@code bytes} bytes, then closes both sockets with {@code SO_LINGER} 0 so
   * both peers receive a TCP RST ("Connection reset") instead of end of stream.
   */
  public static Fault resetAfter(long bytes) {
    return threshold(Kind.RESET_AFTER, bytes);
  }

  /**
   * Forwards exactly {@code bytes} bytes, then stops forwarding in both directions while keeping
   * both sockets open, which is how a dead link looks to TCP. Forwarding resumes on {@link
   * FaultProxy#release(int)}; {@link FaultProxy#close()} ends it.
   */
  public static Fault stallAfter(long bytes) {
    return threshold(Kind.STALL_AFTER, bytes);
  }

  /**
   * Throttles the watched direction to {@code bytesPerSecond} with a token bucket that starts
   * empty and holds at most 50 ms worth of tokens, so a transfer of a second or more runs within
   * a few percent of the rate.
   */
  public static Fault slow(long bytesPerSecond) {
    if (bytesPerSecond <= 0) {
      throw new IllegalArgumentException("bytesPerSecond must be > 0, was " + bytesPerSecond);
    }
    return new Fault(Kind.SLOW, bytesPerSecond, 0, Direction.CLIENT_TO_TARGET, Duration.ZERO);
  }

  /**
   * Replaces the byte at absolute stream offset {@code offset} with {@code byte ^ xorMask} and
   * forwards every other byte untouched. The mask must be in 1..255 so the byte really changes.
   */
  public static Fault corruptByteAt(long offset, int xorMask) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0, was " + offset);
    }
    if (xorMask < 1 || xorMask > 0xFF) {
      throw new IllegalArgumentException("xorMask must be in 1..255, was " + xorMask);
    }
    return new Fault(
        Kind.CORRUPT_BYTE_AT, offset, xorMask, Direction.CLIENT_TO_TARGET, Duration.ZERO);
  }

  /** Forwards everything untouched but only {@code delay} after the connection was accepted. */
  public static Fault delayStart(Duration delay) {
    return NONE.withStartDelay(delay);
  }

  /**
   * Returns this fault with forwarding held back until {@code delay} after the connection was
   * accepted. The proxy still connects to the target at once, so the target sees a silent
   * connection, not a late one. The delay only counts for connections accepted while this fault
   * is armed; arming it on a live connection does not pause that connection.
   */
  public Fault withStartDelay(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must be >= 0, was " + delay);
    }
    return new Fault(kind, amount, xorMask, direction, delay);
  }

  /**
   * Returns this fault watching {@code watched} instead: offsets count bytes of that direction,
   * and {@code SLOW} and {@code CORRUPT_BYTE_AT} act on it. Cut, reset and stall still affect
   * both directions once reached.
   */
  public Fault inDirection(Direction watched) {
    Objects.requireNonNull(watched, "direction");
    return new Fault(kind, amount, xorMask, watched, startDelay);
  }

  public Kind kind() {
    return kind;
  }

  public Direction direction() {
    return direction;
  }

  public Duration startDelay() {
    return startDelay;
  }

  /**
   * The absolute offset in the watched direction at which the fault acts: the byte count for cut,
   * reset and stall, the corrupted byte's offset for {@code CORRUPT_BYTE_AT}, and 0 otherwise.
   */
  public long offset() {
    return kind == Kind.SLOW ? 0 : amount;
  }

  /** The rate for {@code SLOW}, 0 for every other kind. */
  public long bytesPerSecond() {
    return kind == Kind.SLOW ? amount : 0;
  }

  /** The mask for {@code CORRUPT_BYTE_AT}, 0 for every other kind. */
  public int xorMask() {
    return xorMask;
  }

  /** True for the kinds that act once, when the watched offset is reached. */
  boolean isThreshold() {
    return kind == Kind.CUT_AFTER || kind == Kind.RESET_AFTER || kind == Kind.STALL_AFTER;
  }

  private static Fault threshold(Kind kind, long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must be >= 0, was " + bytes);
    }
    return new Fault(kind, bytes, 0, Direction.CLIENT_TO_TARGET, Duration.ZERO);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Fault other
        && kind == other.kind
        && amount == other.amount
        && xorMask == other.xorMask
        && direction == other.direction
        && startDelay.equals(other.startDelay);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, amount, xorMask, direction, startDelay);
  }

  @Override
  public String toString() {
    String base =
        switch (kind) {
          case NONE -> "none()";
          case CUT_AFTER -> "cutAfter(" + amount + ")";
          case RESET_AFTER -> "resetAfter(" + amount + ")";
          case STALL_AFTER -> "stallAfter(" + amount + ")";
          case SLOW -> "slow(" + amount + ")";
          case CORRUPT_BYTE_AT ->
              "corruptByteAt(" + amount + ", 0x" + Integer.toHexString(xorMask) + ")";
        };
    if (direction != Direction.CLIENT_TO_TARGET) {
      base += ".inDirection(" + direction + ")";
    }
    if (!startDelay.isZero()) {
      base += ".withStartDelay(" + startDelay + ")";
    }
    return base;
  }
}

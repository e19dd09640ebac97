package io.ferry.it.proxy;

/**
 * The pacing arithmetic behind {@link Fault#slow(long)}, kept free of clocks and sockets so it can
 * be tested with made-up times.
 *
 * <p>The bucket starts empty, so the first bytes already pay for their time and a transfer of
 * {@code B} bytes takes {@code B / rate} from the first reservation. Reservations may overdraw
 * the bucket; the caller then waits the returned time, during which the debt refills. Because the
 * refill is computed from elapsed time rather than from the intended sleep, a caller that
 * oversleeps (the scheduler is coarse under load) gets the lost time back as tokens, up to the
 * capacity. The capacity therefore bounds both the burst after an idle period and how much
 * oversleeping is forgiven.
 *
 * <p>Not thread-safe: each bucket belongs to the one pump thread of the direction it paces.
 */
final class TokenBucket {

  private static final double NANOS_PER_SECOND = 1_000_000_000.0;

  private final double bytesPerNano;
  private final double capacity;
  private double tokens;
  private long lastRefillNanos;

  /**
   * @param bytesPerSecond the sustained rate, > 0
   * @param capacityBytes the most tokens the bucket holds after an idle period, > 0
   * @param nowNanos the current time on the caller's clock
   */
  TokenBucket(long bytesPerSecond, long capacityBytes, long nowNanos) {
    if (bytesPerSecond <= 0) {
      throw new IllegalArgumentException("bytesPerSecond must be > 0, was " + bytesPerSecond);
    }
    if (capacityBytes <= 0) {
      throw new IllegalArgumentException("capacityBytes must be > 0, was " + capacityBytes);
    }
    this.bytesPerNano = bytesPerSecond / NANOS_PER_SECOND;
    this.capacity = capacityBytes;
    this.tokens = 0;
    this.lastRefillNanos = nowNanos;
  }

  /**
   * Takes {@code bytes} tokens and returns how many nanoseconds from {@code nowNanos} the caller
   * must wait before sending them; 0 when the bucket covered them.
   */
  long reserve(long bytes, long nowNanos) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must be >= 0, was " + bytes);
    }
    long elapsed = nowNanos - lastRefillNanos;
    if (elapsed > 0) {
      tokens = Math.min(capacity, tokens + elapsed * bytesPerNano);
      lastRefillNanos = nowNanos;
    }
    tokens -= bytes;
    return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / bytesPerNano);
  }
}

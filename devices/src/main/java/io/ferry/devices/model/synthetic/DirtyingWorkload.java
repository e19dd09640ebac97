package io.ferry.devices.model.synthetic;

import java.util.SplittableRandom;

/**
 * A time-driven writer that dirties pages of a synthetic device at a configured rate while the
 * device runs.
 *
 * <p><b>Time-driven, lazily.</b> The workload owns no thread. The device calls {@link
 * #advance(long, PageSink)} with the current clock value on every operation that can observe its
 * state (read, precopy info, stop-copy length, digest, a state change), and the workload then
 * applies the page writes owed since the previous call. Seen from any caller this is the same as a
 * background writer, but it is deterministic for a given clock (tests pass a manual clock), costs
 * nothing while nobody looks, and cannot outlive the device. The device {@link #start starts} it
 * when it enters a running state and {@link #stop stops} it when it leaves them, after a last
 * advance.
 *
 * <p><b>Pattern.</b> Each write dirties one page (rate / page size writes per second). With
 * probability {@code hotShare} the page is drawn uniformly from the hot set, a contiguous range of
 * {@code ceil(hotFraction * pages)} pages at a seeded offset; otherwise uniformly from all pages. A
 * burst after a long pause is capped at {@code max(4 * pages, 1024)} writes (every page is then
 * dirty anyway).
 */
public final class DirtyingWorkload {

  /** Receives the index of each page written. */
  @FunctionalInterface
  public interface PageSink {
    void dirty(int page);
  }

  private final long rateBytesPerSecond;
  private final int pageSize;
  private final int pageCount;
  private final double hotShare;
  private final int hotStart;
  private final int hotCount;
  private final long maxWritesPerAdvance;
  private final SplittableRandom random;
  private boolean active;
  private long lastNanos;
  private double creditBytes;
  private long pageWrites;

  public DirtyingWorkload(
      long rateBytesPerSecond,
      double hotFraction,
      double hotShare,
      int pageCount,
      int pageSize,
      long seed) {
    if (rateBytesPerSecond < 0) {
      throw new IllegalArgumentException("dirty-rate must be >= 0, got " + rateBytesPerSecond);
    }
    if (!(hotFraction >= 0 && hotFraction <= 1)) {
      throw new IllegalArgumentException("hot-fraction must be in [0, 1], got " + hotFraction);
    }
    if (!(hotShare >= 0 && hotShare <= 1)) {
      throw new IllegalArgumentException("hot-share must be in [0, 1], got " + hotShare);
    }
    if (pageCount < 1 || pageSize < 1) {
      throw new IllegalArgumentException("pageCount and pageSize must be >= 1");
    }
    this.rateBytesPerSecond = rateBytesPerSecond;
    this.pageSize = pageSize;
    this.pageCount = pageCount;
    this.hotShare = hotShare;
    this.random = new SplittableRandom(seed ^ 0x3C6EF372FE94F82AL);
    this.hotCount =
        hotFraction == 0
            ? 0
            : (int) Math.max(1, Math.min(pageCount, Math.ceil(hotFraction * pageCount)));
    this.hotStart = hotCount == 0 ? 0 : random.nextInt(pageCount - hotCount + 1);
    this.maxWritesPerAdvance = Math.max(4L * pageCount, 1024);
  }

  /** Starts dirtying from {@code nowNanos} on; no-op if active. */
  public void start(long nowNanos) {
    if (!active) {
      active = true;
      lastNanos = nowNanos;
    }
  }

  /** Stops dirtying (call {@link #advance} first to apply the writes owed until now). */
  public void stop() {
    active = false;
  }

  public boolean isActive() {
    return active;
  }

  /**
   * Applies the page writes owed between the previous call and {@code nowNanos}.
   *
   * @return the number of page writes applied
   */
  public long advance(long nowNanos, PageSink sink) {
    if (!active || rateBytesPerSecond == 0) {
      lastNanos = nowNanos;
      return 0;
    }
    long dt = nowNanos - lastNanos;
    if (dt <= 0) {
      return 0;
    }
    lastNanos = nowNanos;
    creditBytes += rateBytesPerSecond * (dt / 1e9);
    long writes = (long) (creditBytes / pageSize);
    creditBytes -= (double) writes * pageSize;
    if (writes > maxWritesPerAdvance) {
      writes = maxWritesPerAdvance;
      creditBytes = 0;
    }
    for (long i = 0; i < writes; i++) {
      sink.dirty(nextPage());
    }
    pageWrites += writes;
    return writes;
  }

  private int nextPage() {
    if (hotCount > 0 && random.nextDouble() < hotShare) {
      return hotStart + random.nextInt(hotCount);
    }
    return random.nextInt(pageCount);
  }

  /** Page writes applied so far. */
  public long pageWrites() {
    return pageWrites;
  }

  /** First page of the hot set. */
  public int hotStart() {
    return hotStart;
  }

  /** Pages in the hot set (0 if none). */
  public int hotCount() {
    return hotCount;
  }

  public long rateBytesPerSecond() {
    return rateBytesPerSecond;
  }
}

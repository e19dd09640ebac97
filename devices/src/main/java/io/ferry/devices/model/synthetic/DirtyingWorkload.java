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
 * {@code ceil(hotFraction * pages)} pages at a seeded offset; otherwise uniformly from all pages.
 * Writes are drawn with replacement, so W writes to N equally likely pages dirty N·(1 − (1 −
 * 1/N)^W) distinct pages: about W while W is small against N, all of them once W is several times
 * N.
 *
 * <p><b>Bursts.</b> An advance owing more than {@code max(4 * pages, 1024)} writes (a long pause
 * between observations) does not draw them one by one, which would cost time proportional to the
 * pause under the device lock, and does not drop them either (that would leave cold pages clean
 * that the rate says are written): it draws, per page, the number of times the page was hit, from
 * the Poisson distribution with that page's expected count. The cost is one draw per page, the set
 * of pages written has the same distribution as with single writes, and the total equals the owed
 * writes on average.
 */
public final class DirtyingWorkload {

  /** Receives the index of each page written. */
  @FunctionalInterface
  public interface PageSink {
    void dirty(int page);

    /** Page {@code page} written {@code times} (≥ 1) times in a row; by default one call each. */
    default void dirty(int page, int times) {
      for (int i = 0; i < times; i++) {
        dirty(page);
      }
    }
  }

  /** Above this mean a Poisson count is drawn from its normal approximation. */
  private static final double POISSON_NORMAL_FROM = 64;

  private final long rateBytesPerSecond;
  private final int pageSize;
  private final int pageCount;
  private final double hotShare;
  private final int hotStart;
  private final int hotCount;
  private final long burstThreshold;
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
    this.burstThreshold = Math.max(4L * pageCount, 1024);
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
    if (writes > burstThreshold) {
      writes = burst(writes, sink);
    } else {
      for (long i = 0; i < writes; i++) {
        sink.dirty(nextPage());
      }
    }
    pageWrites += writes;
    return writes;
  }

  /** Applies {@code writes} writes as per-page Poisson hit counts; returns the hits applied. */
  private long burst(long writes, PageSink sink) {
    double share = hotCount > 0 ? hotShare : 0;
    double everyPage = (1 - share) * writes / pageCount;
    double hotPage = hotCount > 0 ? share * writes / hotCount : 0;
    long applied = 0;
    for (int p = 0; p < pageCount; p++) {
      boolean hot = p >= hotStart && p < hotStart + hotCount;
      long hits = poisson(hot ? everyPage + hotPage : everyPage);
      if (hits > 0) {
        int times = (int) Math.min(hits, Integer.MAX_VALUE);
        sink.dirty(p, times);
        applied += times;
      }
    }
    return applied;
  }

  private long poisson(double mean) {
    if (mean <= 0) {
      return 0;
    }
    if (mean >= POISSON_NORMAL_FROM) {
      return Math.max(0, Math.round(mean + Math.sqrt(mean) * random.nextGaussian()));
    }
    double limit = Math.exp(-mean); // Knuth: multiply uniforms until the product drops below
    long k = 0;
    double product = random.nextDouble();
    while (product > limit) {
      k++;
      product *= random.nextDouble();
    }
    return k;
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

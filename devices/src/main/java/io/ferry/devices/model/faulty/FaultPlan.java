package io.ferry.devices.model.faulty;

import io.ferry.devices.model.Errno;
import io.ferry.devices.model.MigrationState;
import java.util.Objects;

/**
 * Which faults a {@link FaultyDevice} injects. Every fault is off by default; offsets are stream
 * offsets in bytes within one session; random choices come from {@code seed}.
 *
 * <ul>
 *   <li>{@code failArc(from, to)}: the direct arc fails with {@code failArcErrno} (default EIO),
 *       {@code failArcTimes} times (default 1; 0 = every time), leaving the device at {@code from},
 *       or in ERROR with {@code failIntoError}.
 *   <li>{@code readErrorAfter(n)}: the read that would pass offset n returns the bytes up to n; the
 *       next read fails with {@code readErrorErrno} (default EIO), and so does every read of that
 *       stream after it.
 *   <li>{@code shortReads(p)}: with probability p a read returns a random 1..remaining bytes.
 *   <li>{@code stallAfter(n)}: once n bytes were read, the next read blocks until the stream is
 *       closed or the thread interrupted (ECANCELED) or the device reset (ENODEV).
 *   <li>{@code rateLimit(bytesPerSecond)}: reads (source) and writes (destination) are paced to
 *       that rate (slow device).
 *   <li>{@code corruptAtResumeStop}: RESUMING to STOP fails with EINVAL "state corruption detected"
 *       (into ERROR with {@code failIntoError}).
 *   <li>{@code corruptWriteAt(n)}: the byte at resuming-stream offset n is flipped before it
 *       reaches the wrapped device, whose own validation must catch it.
 *   <li>{@code resetAfter(n)}: once n bytes went through a saving or resuming stream, the device
 *       resets itself (the kernel's deferred reset: RUNNING, streams fail with ENODEV).
 *   <li>{@code shortWrites(p)}: with probability p a write accepts a random 1..remaining bytes.
 * </ul>
 *
 * <p>Stream faults (read error, stall, reset, corrupt write, corrupt at RESUMING to STOP) fire
 * {@code streamFaultTimes} times per device (default 1; 0 = in every session), so that an engine
 * that recovers and retries can succeed.
 */
public final class FaultPlan {
  final MigrationState failArcFrom;
  final MigrationState failArcTo;
  final Errno failArcErrno;
  final boolean failIntoError;
  final int failArcTimes;
  final long readErrorAfter;
  final Errno readErrorErrno;
  final double shortReads;
  final long stallAfter;
  final long rateLimit;
  final boolean corruptAtResumeStop;
  final long corruptWriteAt;
  final long resetAfter;
  final double shortWrites;
  final int streamFaultTimes;
  final long seed;

  private FaultPlan(Builder b) {
    if ((b.failArcFrom == null) != (b.failArcTo == null)) {
      throw new IllegalArgumentException("fail-arc needs both ends");
    }
    if (!(b.shortReads >= 0 && b.shortReads <= 1) || !(b.shortWrites >= 0 && b.shortWrites <= 1)) {
      throw new IllegalArgumentException(
          "short-reads and short-writes must be probabilities in [0, 1], got "
              + b.shortReads
              + " and "
              + b.shortWrites);
    }
    if (b.rateLimit < 0 || b.failArcTimes < 0 || b.streamFaultTimes < 0) {
      throw new IllegalArgumentException(
          "rate-limit, fail-arc-times and stream-fault-times must be >= 0");
    }
    this.failArcFrom = b.failArcFrom;
    this.failArcTo = b.failArcTo;
    this.failArcErrno = b.failArcErrno;
    this.failIntoError = b.failIntoError;
    this.failArcTimes = b.failArcTimes;
    this.readErrorAfter = b.readErrorAfter;
    this.readErrorErrno = b.readErrorErrno;
    this.shortReads = b.shortReads;
    this.stallAfter = b.stallAfter;
    this.rateLimit = b.rateLimit;
    this.corruptAtResumeStop = b.corruptAtResumeStop;
    this.corruptWriteAt = b.corruptWriteAt;
    this.resetAfter = b.resetAfter;
    this.shortWrites = b.shortWrites;
    this.streamFaultTimes = b.streamFaultTimes;
    this.seed = b.seed;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** No fault at all. */
  public static FaultPlan none() {
    return builder().build();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("FaultPlan[");
    if (failArcFrom != null) {
      sb.append("fail-arc=")
          .append(failArcFrom)
          .append("->")
          .append(failArcTo)
          .append(" errno=")
          .append(failArcErrno)
          .append(" into-error=")
          .append(failIntoError)
          .append(" times=")
          .append(failArcTimes)
          .append(' ');
    }
    if (readErrorAfter >= 0) {
      sb.append("read-error-after=").append(readErrorAfter).append(' ');
    }
    if (shortReads > 0) {
      sb.append("short-reads=").append(shortReads).append(' ');
    }
    if (stallAfter >= 0) {
      sb.append("stall-after=").append(stallAfter).append(' ');
    }
    if (rateLimit > 0) {
      sb.append("rate-limit=").append(rateLimit).append(' ');
    }
    if (corruptAtResumeStop) {
      sb.append("corrupt-at-resume-stop ");
    }
    if (corruptWriteAt >= 0) {
      sb.append("corrupt-write-at=").append(corruptWriteAt).append(' ');
    }
    if (resetAfter >= 0) {
      sb.append("reset-after=").append(resetAfter).append(' ');
    }
    if (shortWrites > 0) {
      sb.append("short-writes=").append(shortWrites).append(' ');
    }
    return sb.append("seed=").append(seed).append(']').toString();
  }

  /** Builder; every fault off by default. */
  public static final class Builder {
    private MigrationState failArcFrom;
    private MigrationState failArcTo;
    private Errno failArcErrno = Errno.EIO;
    private boolean failIntoError;
    private int failArcTimes = 1;
    private long readErrorAfter = -1;
    private Errno readErrorErrno = Errno.EIO;
    private double shortReads;
    private long stallAfter = -1;
    private long rateLimit;
    private boolean corruptAtResumeStop;
    private long corruptWriteAt = -1;
    private long resetAfter = -1;
    private double shortWrites;
    private int streamFaultTimes = 1;
    private long seed = 1;

    private Builder() {}

    public Builder failArc(MigrationState from, MigrationState to) {
      this.failArcFrom = Objects.requireNonNull(from, "from");
      this.failArcTo = Objects.requireNonNull(to, "to");
      return this;
    }

    public Builder failArcErrno(Errno errno) {
      this.failArcErrno = Objects.requireNonNull(errno, "errno");
      return this;
    }

    public Builder failIntoError(boolean on) {
      this.failIntoError = on;
      return this;
    }

    /** How often the arc fails (0 = every time). */
    public Builder failArcTimes(int times) {
      this.failArcTimes = times;
      return this;
    }

    public Builder readErrorAfter(long bytes) {
      this.readErrorAfter = bytes;
      return this;
    }

    public Builder readErrorErrno(Errno errno) {
      this.readErrorErrno = Objects.requireNonNull(errno, "errno");
      return this;
    }

    public Builder shortReads(double probability) {
      this.shortReads = probability;
      return this;
    }

    public Builder stallAfter(long bytes) {
      this.stallAfter = bytes;
      return this;
    }

    public Builder rateLimit(long bytesPerSecond) {
      this.rateLimit = bytesPerSecond;
      return this;
    }

    public Builder corruptAtResumeStop(boolean on) {
      this.corruptAtResumeStop = on;
      return this;
    }

    public Builder corruptWriteAt(long offset) {
      this.corruptWriteAt = offset;
      return this;
    }

    public Builder resetAfter(long bytes) {
      this.resetAfter = bytes;
      return this;
    }

    public Builder shortWrites(double probability) {
      this.shortWrites = probability;
      return this;
    }

    /** How often each stream fault fires per device (0 = in every session). */
    public Builder streamFaultTimes(int times) {
      this.streamFaultTimes = times;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public FaultPlan build() {
      return new FaultPlan(this);
    }
  }
}

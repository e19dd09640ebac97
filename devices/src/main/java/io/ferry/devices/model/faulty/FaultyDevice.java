package io.ferry.devices.model.faulty;

import io.ferry.devices.model.AbstractDataStream;
import io.ferry.devices.model.AbstractDeviceModel;
import io.ferry.devices.model.DataStream;
import io.ferry.devices.model.DeviceDigest;
import io.ferry.devices.model.DeviceException;
import io.ferry.devices.model.DeviceModel;
import io.ferry.devices.model.Errno;
import io.ferry.devices.model.MigrationFsm;
import io.ferry.devices.model.MigrationState;
import io.ferry.devices.model.PrecopyInfo;
import io.ferry.devices.model.ReadResult;
import io.ferry.devices.model.ResumingStream;
import io.ferry.devices.model.SavingStream;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A fault-injection decorator around any {@link DeviceModel}: deterministic, seeded faults with
 * uAPI-faithful outcomes ({@link FaultPlan}).
 *
 * <p><b>How it wraps.</b> The decorator runs its own FSM driver (so it sees every direct arc) and
 * takes each arc by asking the wrapped device for exactly that arc ({@code inner.setState(to)}: for
 * a direct arc the kernel table yields the same single step). An injected arc failure does not
 * reach the wrapped device, which therefore stays at {@code from}; a failure of the wrapped device
 * that put it into ERROR puts the decorator into ERROR too. Streams of the wrapped device are
 * returned wrapped; the decorator's faults act on the wrapper, and its reset resets the wrapped
 * device. Kind, digest, stop-copy length and config are the wrapped device's.
 *
 * <p><b>Threading.</b> A stall and the rate cap wait outside every device lock, so {@code close()}
 * of the stream, thread interruption and {@code reset()} end them.
 */
public final class FaultyDevice extends AbstractDeviceModel {
  public static final String KIND = "faulty";

  private final DeviceModel inner;
  private final FaultPlan plan;
  private final SplittableRandom random;
  private int arcFailuresLeft;
  private int readErrorsLeft;
  private int stallsLeft;
  private int resetsLeft;
  private int corruptWritesLeft;
  private int corruptStopsLeft;

  public FaultyDevice(DeviceModel inner, FaultPlan plan) {
    super(Objects.requireNonNull(inner, "inner").deviceId(), inner.features());
    this.inner = inner;
    this.plan = Objects.requireNonNull(plan, "plan");
    if (plan.failArcFrom != null) {
      boolean direct;
      try {
        direct =
            MigrationFsm.supports(plan.failArcFrom, inner.features())
                && plan.failArcFrom != plan.failArcTo
                && MigrationFsm.nextState(plan.failArcFrom, plan.failArcTo, inner.features())
                    == plan.failArcTo;
      } catch (DeviceException e) {
        direct = false;
      }
      if (!direct) {
        throw new IllegalArgumentException(
            "device "
                + inner.deviceId()
                + ": fail-arc "
                + plan.failArcFrom
                + "->"
                + plan.failArcTo
                + " is not a direct arc for features "
                + io.ferry.devices.model.MigrationFeatures.describe(inner.features()));
      }
    }
    this.random = new SplittableRandom(plan.seed);
    this.arcFailuresLeft = times(plan.failArcTimes);
    this.readErrorsLeft = times(plan.streamFaultTimes);
    this.stallsLeft = times(plan.streamFaultTimes);
    this.resetsLeft = times(plan.streamFaultTimes);
    this.corruptWritesLeft = times(plan.streamFaultTimes);
    this.corruptStopsLeft = times(plan.streamFaultTimes);
  }

  private static int times(int configured) {
    return configured == 0 ? Integer.MAX_VALUE : configured;
  }

  /**
   * The wrapped device's kind: fault injection is not a device type, and a destination's
   * compatibility check must see a faulty synthetic source as a synthetic device. The factory type
   * name is {@link #KIND}.
   */
  @Override
  public String kind() {
    return inner.kind();
  }

  /** The wrapped device. */
  public DeviceModel inner() {
    return inner;
  }

  public FaultPlan plan() {
    return plan;
  }

  @Override
  public long stopCopyLength() throws DeviceException {
    checkNotClosed();
    return inner.stopCopyLength();
  }

  @Override
  public byte[] saveConfig() throws DeviceException {
    requireNotError("saveConfig");
    return inner.saveConfig();
  }

  @Override
  public void loadConfig(byte[] config) throws DeviceException {
    requireNotError("loadConfig");
    inner.loadConfig(config);
  }

  @Override
  public DeviceDigest digest() {
    return inner.digest();
  }

  private void requireNotError(String operation) throws DeviceException {
    checkNotClosed();
    if (state() == MigrationState.ERROR) {
      throw error(Errno.EINVAL, operation + " is not allowed in ERROR");
    }
  }

  @Override
  protected Optional<DataStream> step(MigrationState from, MigrationState to)
      throws DeviceException {
    if (from == plan.failArcFrom && to == plan.failArcTo && arcFailuresLeft > 0) {
      arcFailuresLeft--;
      DeviceException e = error(plan.failArcErrno, "injected failure of arc " + from + "->" + to);
      throw plan.failIntoError ? failIntoError(e) : e;
    }
    if (from == MigrationState.RESUMING
        && to == MigrationState.STOP
        && plan.corruptAtResumeStop
        && corruptStopsLeft > 0) {
      corruptStopsLeft--;
      DeviceException e =
          error(Errno.EINVAL, "state corruption detected at RESUMING->STOP (injected)");
      throw plan.failIntoError ? failIntoError(e) : e;
    }
    Optional<DataStream> produced;
    try {
      produced = inner.setState(to);
    } catch (DeviceException e) {
      if (inner.state() == MigrationState.ERROR) {
        throw failIntoError(e);
      }
      throw e;
    }
    if (inner.state() != to) {
      throw new IllegalStateException(
          "wrapped device " + inner + " did not take the direct arc " + from + "->" + to);
    }
    if (produced.isEmpty()) {
      return Optional.empty();
    }
    DataStream s = produced.get();
    if (s instanceof SavingStream) {
      return Optional.of(register(new FaultySavingStream((SavingStream) s)));
    }
    return Optional.of(register(new FaultyResumingStream((ResumingStream) s)));
  }

  @Override
  protected void onReset() {
    inner.reset();
  }

  @Override
  protected void onClose() {
    inner.close();
  }

  /** Takes one firing of a fault if any is left; under the device lock. */
  private boolean fire(int which) {
    synchronized (lock) {
      switch (which) {
        case READ_ERROR:
          return readErrorsLeft > 0 && readErrorsLeft-- > 0;
        case STALL:
          return stallsLeft > 0 && stallsLeft-- > 0;
        case RESET:
          return resetsLeft > 0 && resetsLeft-- > 0;
        default:
          return corruptWritesLeft > 0 && corruptWritesLeft-- > 0;
      }
    }
  }

  private boolean armed(int which) {
    synchronized (lock) {
      switch (which) {
        case READ_ERROR:
          return readErrorsLeft > 0;
        case STALL:
          return stallsLeft > 0;
        case RESET:
          return resetsLeft > 0;
        default:
          return corruptWritesLeft > 0;
      }
    }
  }

  private int randomSize(int max) {
    synchronized (lock) {
      return 1 + random.nextInt(max);
    }
  }

  private boolean chance(double p) {
    if (p <= 0) {
      return false;
    }
    synchronized (lock) {
      return random.nextDouble() < p;
    }
  }

  private static final int READ_ERROR = 0;
  private static final int STALL = 1;
  private static final int RESET = 2;
  private static final int CORRUPT_WRITE = 3;

  /** Caps {@code max} so that a fault armed at {@code at} triggers exactly there. */
  private static int capAt(long position, long at, int max) {
    if (at >= 0 && at > position) {
      return (int) Math.min(max, at - position);
    }
    return max;
  }

  private void resetIfDue(long position) {
    if (plan.resetAfter >= 0 && position >= plan.resetAfter && fire(RESET)) {
      reset();
    }
  }

  private final class FaultySavingStream extends AbstractDataStream implements SavingStream {
    private final SavingStream delegate;
    private DeviceException broken;
    private long nextAllowedNanos;

    FaultySavingStream(SavingStream delegate) {
      super(delegate.deviceId());
      this.delegate = delegate;
    }

    @Override
    public ReadResult read(ByteBuffer dst) throws DeviceException {
      Objects.requireNonNull(dst, "dst");
      checkUsable();
      if (broken != null) {
        throw new DeviceException(deviceId(), broken.errno(), broken.detail());
      }
      if (plan.stallAfter >= 0 && position >= plan.stallAfter && fire(STALL)) {
        awaitCancellable(-1, "read stalled at offset " + position + " (injected)");
      }
      if (plan.readErrorAfter >= 0 && position >= plan.readErrorAfter && fire(READ_ERROR)) {
        broken =
            new DeviceException(
                deviceId(),
                plan.readErrorErrno,
                "injected read error at offset "
                    + position
                    + " (read-error-after "
                    + plan.readErrorAfter
                    + ")");
        throw broken;
      }
      int max = dst.remaining();
      if (max == 0) {
        return delegate.read(dst);
      }
      if (armed(STALL)) {
        max = capAt(position, plan.stallAfter, max);
      }
      if (armed(READ_ERROR)) {
        max = capAt(position, plan.readErrorAfter, max);
      }
      if (armed(RESET)) {
        max = capAt(position, plan.resetAfter, max);
      }
      if (max > 1 && chance(plan.shortReads)) {
        max = randomSize(max);
      }
      if (plan.rateLimit > 0) {
        max = (int) Math.max(1, Math.min(max, plan.rateLimit / 20));
        long wait = nextAllowedNanos - System.nanoTime();
        if (wait > 0) {
          awaitCancellable(wait, "rate-limited read at offset " + position);
        }
      }
      int limit = dst.limit();
      dst.limit(dst.position() + max);
      ReadResult r;
      try {
        r = delegate.read(dst);
      } finally {
        dst.limit(limit);
      }
      if (r instanceof ReadResult.Data) {
        int n = ((ReadResult.Data) r).bytes();
        position += n;
        if (plan.rateLimit > 0) {
          long now = System.nanoTime();
          nextAllowedNanos = Math.max(nextAllowedNanos, now) + (long) (n * 1e9 / plan.rateLimit);
        }
        resetIfDue(position);
      }
      return r;
    }

    @Override
    public PrecopyInfo precopyInfo() throws DeviceException {
      checkUsable();
      return delegate.precopyInfo();
    }

    @Override
    public void close() {
      super.close();
      delegate.close();
    }
  }

  private final class FaultyResumingStream extends AbstractDataStream implements ResumingStream {
    private final ResumingStream delegate;
    private long nextAllowedNanos;

    FaultyResumingStream(ResumingStream delegate) {
      super(delegate.deviceId());
      this.delegate = delegate;
    }

    @Override
    public int write(ByteBuffer src) throws DeviceException {
      Objects.requireNonNull(src, "src");
      checkUsable();
      int max = src.remaining();
      if (max == 0) {
        return delegate.write(src);
      }
      if (armed(RESET)) {
        max = capAt(position, plan.resetAfter, max);
      }
      if (max > 1 && chance(plan.shortWrites)) {
        max = randomSize(max);
      }
      if (plan.rateLimit > 0) {
        // A slow destination device: writes paced like reads, in pieces of 1/20 s.
        max = (int) Math.max(1, Math.min(max, plan.rateLimit / 20));
        long wait = nextAllowedNanos - System.nanoTime();
        if (wait > 0) {
          awaitCancellable(wait, "rate-limited write at offset " + position);
        }
      }
      int n;
      long at = plan.corruptWriteAt;
      if (at >= position && at < position + max && armed(CORRUPT_WRITE)) {
        ByteBuffer copy = ByteBuffer.allocate(max);
        int p0 = src.position();
        copy.put(src.duplicate().limit(p0 + max));
        copy.flip();
        int i = (int) (at - position);
        copy.put(i, (byte) (copy.get(i) ^ 0x01));
        n = delegate.write(copy);
        src.position(p0 + n);
        if (n > i) {
          fire(CORRUPT_WRITE);
        }
      } else {
        int limit = src.limit();
        src.limit(src.position() + max);
        try {
          n = delegate.write(src);
        } finally {
          src.limit(limit);
        }
      }
      position += n;
      if (plan.rateLimit > 0) {
        long now = System.nanoTime();
        nextAllowedNanos = Math.max(nextAllowedNanos, now) + (long) (n * 1e9 / plan.rateLimit);
      }
      resetIfDue(position);
      return n;
    }

    @Override
    public void close() {
      super.close();
      delegate.close();
    }
  }
}

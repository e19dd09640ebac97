package io.ferry.devices.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The FSM driver shared by all models: the kernel's {@code while (cur != new) { next =
 * vfio_mig_get_next_state(); step(cur, next); cur = next; }} loop (as in mlx5, mtty, xe), plus
 * stream bookkeeping, ERROR, reset and close. A model implements only the direct arcs in {@link
 * #step}.
 *
 * <p><b>Invariants.</b>
 *
 * <ul>
 *   <li>The state changes only under {@link #lock}, by a successful step, by a failed step that
 *       asked for ERROR ({@link #failIntoError}), by {@link #reset()} and by nothing else (the uAPI
 *       forbids asynchronous transitions; the faulty model's mid-stream reset goes through {@code
 *       reset()}).
 *   <li>A stream may be produced only by the final step of a request. A step that produces one
 *       earlier makes the request fail with EINVAL after the arc was taken, as the kernel drivers'
 *       {@code WARN_ON(res && new_state != next_state)} does.
 *   <li>Open streams are invalidated (ENODEV) when their session ends: an arc out of the saving
 *       group or out of RESUMING, reset, ERROR and close.
 * </ul>
 *
 * <p><b>Locking.</b> {@link #lock} guards the state and the model's data; stream implementations
 * take it for each read or write. Nothing may wait for time or I/O completion by another thread
 * while holding it (a stalled read waits in {@link AbstractDataStream#awaitCancellable} outside
 * it), so close() and reset() always get through.
 */
public abstract class AbstractDeviceModel implements DeviceModel {

  /** Guards the state, the open streams and the model's data. */
  protected final Object lock = new Object();

  private final String deviceId;
  private final int features;
  private final List<AbstractDataStream> streams = new ArrayList<>();
  private MigrationState state = MigrationState.RUNNING;
  private boolean errorRequested;
  private boolean closed;

  protected AbstractDeviceModel(String deviceId, int features) {
    this.deviceId = Objects.requireNonNull(deviceId, "deviceId");
    if (deviceId.isEmpty()) {
      throw new IllegalArgumentException("deviceId must not be empty");
    }
    if (!MigrationFeatures.isValid(features)) {
      throw new IllegalArgumentException(
          "device "
              + deviceId
              + ": features must include STOP_COPY and only defined flags, got "
              + MigrationFeatures.describe(features));
    }
    this.features = features;
  }

  @Override
  public final String deviceId() {
    return deviceId;
  }

  @Override
  public final int features() {
    return features;
  }

  @Override
  public final MigrationState state() {
    synchronized (lock) {
      return state;
    }
  }

  @Override
  public final Optional<DataStream> setState(MigrationState target) throws DeviceException {
    Objects.requireNonNull(target, "target");
    synchronized (lock) {
      checkNotClosed();
      if (state == MigrationState.ERROR) {
        throw error(
            Errno.EINVAL, "device is in ERROR; reset() is required before moving to " + target);
      }
      if (target == MigrationState.ERROR) {
        throw error(Errno.EINVAL, "ERROR cannot be requested");
      }
      beforeTransition(target);
      DataStream opened = null;
      while (state != target) {
        MigrationState from = state;
        MigrationState next = MigrationFsm.nextState(deviceId, from, target, features);
        errorRequested = false;
        Optional<DataStream> produced;
        try {
          produced = Objects.requireNonNull(step(from, next), "step result");
        } catch (DeviceException e) {
          if (errorRequested) {
            errorRequested = false;
            enterError();
          }
          throw e;
        }
        if (MigrationFsm.endsSession(from, next)) {
          invalidateStreams("session ended by arc " + from + "->" + next);
        }
        state = next;
        stateChanged(from, next);
        if (produced.isPresent()) {
          DataStream s = produced.get();
          if (next != target) {
            s.close();
            throw error(
                Errno.EINVAL,
                "arc "
                    + from
                    + "->"
                    + next
                    + " produced a data stream on an intermediate step toward "
                    + target);
          }
          opened = s;
        }
      }
      return Optional.ofNullable(opened);
    }
  }

  /**
   * Takes the direct arc {@code from -> to}. Called under {@link #lock} only with arcs that the
   * kernel table yields for this device's features.
   *
   * @return the new stream if the arc opens a session ({@link MigrationFsm#opensSession}), else
   *     empty
   * @throws DeviceException if the arc fails; the device stays at {@code from}, or enters ERROR if
   *     the step called {@link #failIntoError} before throwing
   */
  protected abstract Optional<DataStream> step(MigrationState from, MigrationState to)
      throws DeviceException;

  /** Called under the lock before a transition is walked (e.g. to advance a workload clock). */
  protected void beforeTransition(MigrationState target) {}

  /** Called under the lock after every state change (step, reset, ERROR). */
  protected void stateChanged(MigrationState from, MigrationState to) {}

  /** Called under the lock by {@link #reset()} after streams were invalidated. */
  protected void onReset() {}

  /** Called under the lock when the device enters ERROR, after streams were invalidated. */
  protected void onError() {}

  /** Called under the lock by {@link #close()} after streams were invalidated. */
  protected void onClose() {}

  /**
   * Marks the step in progress as one that could not restore a valid state: when it throws, the
   * device enters ERROR. Returns {@code e} so that a step can write {@code throw failIntoError(e)}.
   */
  protected final DeviceException failIntoError(DeviceException e) {
    errorRequested = true;
    return e;
  }

  /** Registers a stream so that the device can invalidate it; returns it. */
  protected final <S extends AbstractDataStream> S register(S stream) {
    synchronized (lock) {
      streams.removeIf(s -> !s.isOpen());
      streams.add(stream);
      return stream;
    }
  }

  @Override
  public final void reset() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      invalidateStreams("device reset");
      onReset();
      MigrationState from = state;
      state = MigrationState.RUNNING;
      errorRequested = false;
      stateChanged(from, MigrationState.RUNNING);
    }
  }

  @Override
  public final void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      invalidateStreams("device closed");
      onClose();
    }
  }

  /** True after close(). */
  protected final boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  /** Throws ENODEV after close(). */
  protected final void checkNotClosed() throws DeviceException {
    synchronized (lock) {
      if (closed) {
        throw error(Errno.ENODEV, "device is closed");
      }
    }
  }

  /** A {@link DeviceException} naming this device. */
  protected final DeviceException error(Errno errno, String detail) {
    return new DeviceException(deviceId, errno, detail);
  }

  /** Throws EINVAL unless the device is in one of {@code allowed}; names the operation. */
  protected final void requireState(String operation, MigrationState... allowed)
      throws DeviceException {
    synchronized (lock) {
      checkNotClosed();
      for (MigrationState s : allowed) {
        if (state == s) {
          return;
        }
      }
      throw error(
          Errno.EINVAL,
          operation + " is allowed in " + List.of(allowed) + ", device is in " + state);
    }
  }

  private void enterError() {
    invalidateStreams("device entered ERROR");
    MigrationState from = state;
    state = MigrationState.ERROR;
    onError();
    stateChanged(from, MigrationState.ERROR);
  }

  private void invalidateStreams(String reason) {
    for (AbstractDataStream s : streams) {
      s.invalidate(reason);
    }
    streams.clear();
  }

  @Override
  public String toString() {
    return kind() + "[" + deviceId + ", " + state() + "]";
  }
}

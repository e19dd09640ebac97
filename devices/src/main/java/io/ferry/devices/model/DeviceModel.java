package io.ferry.devices.model;

import java.util.Optional;

/**
 * A device as the VFIO migration uAPI v2 presents it: a state machine driven by {@link #setState},
 * a saving or resuming data stream per session, a stop-copy size estimate, a separate config blob,
 * reset, and a digest of the device state for verification. Plain Java; no Akka types.
 *
 * <p><b>Threading.</b> All methods are thread-safe. {@link #setState}, stream reads and writes, and
 * the file-backed model's I/O may block: callers must run them on a blocking dispatcher. {@link
 * #reset()} and {@link DataStream#close()} may be called from any thread and end a blocked read.
 *
 * <p><b>Lifecycle.</b> A device starts in RUNNING (the state QEMU assumes). ERROR is entered only
 * by a failed arc that could not restore a valid state; every later {@code setState} fails with
 * EINVAL until {@link #reset()}. {@link #close()} releases resources; afterwards the device refuses
 * every operation with ENODEV.
 */
public interface DeviceModel extends AutoCloseable {

  /** The device id (QEMU's {@code idstr}); named in every error message. */
  String deviceId();

  /**
   * The model kind: {@code synthetic}, {@code config-only} or {@code file}; a faulty device reports
   * the kind of the device it wraps, so that compatibility checks do not see the fault injection.
   */
  String kind();

  /** The migration feature flags ({@link MigrationFeatures}). */
  int features();

  /** The current state. */
  MigrationState state();

  /**
   * {@code VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE} SET: walks the kernel's combination table from the
   * current state to {@code target}, one direct arc at a time ({@link MigrationFsm#nextState}). A
   * failed arc leaves the device at the last state it reached (or ERROR, if the model says the arc
   * could not restore a valid state).
   *
   * @return a stream exactly where the uAPI returns a {@code data_fd}: a {@link SavingStream} for
   *     an arc into the saving group from outside it, a {@link ResumingStream} for STOP to
   *     RESUMING; otherwise empty (also when {@code target} equals the current state)
   * @throws DeviceException EINVAL for an unsupported or blocked target, for any request while in
   *     ERROR, for ERROR as a target, and for invalid state at RESUMING to STOP; the model's errno
   *     for a failed arc; ENODEV after close()
   */
  Optional<DataStream> setState(MigrationState target) throws DeviceException;

  /**
   * {@code VFIO_DEVICE_FEATURE_MIG_DATA_SIZE}: the estimated number of bytes still to be read to
   * complete STOP_COPY. Callable in any state.
   */
  long stopCopyLength() throws DeviceException;

  /**
   * Saves the device config (QEMU's {@code vfio_save_config}): a small blob, separate from the data
   * stream, sent and loaded last. Allowed in STOP and STOP_COPY.
   *
   * @throws DeviceException EINVAL in any other state or when the device holds no state
   */
  byte[] saveConfig() throws DeviceException;

  /**
   * Loads a config blob saved by a source. Allowed in RESUMING.
   *
   * @throws DeviceException EINVAL in any other state, for a malformed blob, or for a blob from an
   *     incompatible source (the message names the field, expected vs actual)
   */
  void loadConfig(byte[] config) throws DeviceException;

  /**
   * {@code VFIO_DEVICE_RESET}: the state becomes RUNNING, ERROR is cleared, and every open stream
   * fails with ENODEV afterwards (the kernel's deferred-reset pattern). A partially loaded state is
   * discarded; a valid state is kept.
   */
  void reset();

  /** The digest of the current device state: on a source at stop, on a destination after load. */
  DeviceDigest digest();

  /** Releases the device's resources; open streams fail with ENODEV. Idempotent. */
  @Override
  void close();
}

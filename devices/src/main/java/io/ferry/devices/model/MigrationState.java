package io.ferry.devices.model;

/**
 * The eight device states of the VFIO migration uAPI v2 ({@code enum vfio_device_mig_state} in
 * {@code include/uapi/linux/vfio.h}), with the kernel's numeric values.
 *
 * <p>The declaration order equals the uAPI value, so {@link #ordinal()} may index tables; code that
 * crosses a process boundary should still use {@link #uapiValue()}.
 */
public enum MigrationState {
  /** Entered only by a failed transition that could not restore a valid state; left by reset. */
  ERROR(0),
  /** No DMA, no interrupts, no internal state change. */
  STOP(1),
  /** Fully operational (the state a device starts in). */
  RUNNING(2),
  /** Stopped, internal state readable on the saving data stream; end of stream = all state. */
  STOP_COPY(3),
  /** Stopped, loading new state through the resuming data stream. */
  RESUMING(4),
  /** Running but initiating no new peer-to-peer DMA (optional, feature P2P). */
  RUNNING_P2P(5),
  /** Running with a saving session open, tracking state changes (optional, feature PRE_COPY). */
  PRE_COPY(6),
  /** PRE_COPY plus P2P quiescence (needs P2P and PRE_COPY). */
  PRE_COPY_P2P(7);

  private static final MigrationState[] BY_VALUE = values();

  private final int uapiValue;

  MigrationState(int uapiValue) {
    this.uapiValue = uapiValue;
  }

  /** The value of this state in {@code struct vfio_device_feature_mig_state.device_state}. */
  public int uapiValue() {
    return uapiValue;
  }

  /** The saving group {PRE_COPY, PRE_COPY_P2P, STOP_COPY}: moves within it keep the session. */
  public boolean isSaving() {
    return this == PRE_COPY || this == PRE_COPY_P2P || this == STOP_COPY;
  }

  /** RUNNING, RUNNING_P2P, PRE_COPY and PRE_COPY_P2P: the device may change its own state. */
  public boolean isRunning() {
    return this == RUNNING || this == RUNNING_P2P || this == PRE_COPY || this == PRE_COPY_P2P;
  }

  /** PRE_COPY and PRE_COPY_P2P: precopy information may be queried. */
  public boolean isPrecopy() {
    return this == PRE_COPY || this == PRE_COPY_P2P;
  }

  /** RUNNING_P2P and PRE_COPY_P2P. */
  public boolean isP2p() {
    return this == RUNNING_P2P || this == PRE_COPY_P2P;
  }

  /**
   * The state with the given uAPI value.
   *
   * @throws IllegalArgumentException if the value is not one of 0..7
   */
  public static MigrationState fromUapi(int value) {
    if (value < 0 || value >= BY_VALUE.length) {
      throw new IllegalArgumentException(
          "device_state expected 0.." + (BY_VALUE.length - 1) + ", got " + value);
    }
    return BY_VALUE[value];
  }
}

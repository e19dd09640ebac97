package io.ferry.devices.model;

/**
 * {@code struct vfio_precopy_info}: what a device in PRE_COPY or PRE_COPY_P2P can give now.
 *
 * @param initialBytes initial precopy data not yet read; non-zero at the start, decreases as it is
 *     read (leave PRE_COPY for STOP_COPY only after it reached zero)
 * @param dirtyBytes data for state changed since it was read; starts at zero, rises and falls
 */
public record PrecopyInfo(long initialBytes, long dirtyBytes) {
  public PrecopyInfo {
    if (initialBytes < 0) {
      throw new IllegalArgumentException("initialBytes must be >= 0, got " + initialBytes);
    }
    if (dirtyBytes < 0) {
      throw new IllegalArgumentException("dirtyBytes must be >= 0, got " + dirtyBytes);
    }
  }

  /** initialBytes + dirtyBytes: QEMU's {@code state_pending_estimate} for the device. */
  public long pendingBytes() {
    return initialBytes + dirtyBytes;
  }
}

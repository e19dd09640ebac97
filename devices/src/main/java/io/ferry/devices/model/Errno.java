package io.ferry.devices.model;

/**
 * The Linux error numbers a VFIO migration driver returns, with their x86-64 values. A {@link
 * DeviceException} carries one so that the engine can react as QEMU does to the kernel's errno.
 */
public enum Errno {
  /** Operation not permitted in this state, blocked arc, invalid or inconsistent data. */
  EINVAL(22),
  /** I/O error (device or firmware failure). */
  EIO(5),
  /** The stream or device was disabled, e.g. by a reset or the end of its session. */
  ENODEV(19),
  /** PRE_COPY temporary end of data (used as a reason; reads report it as a result). */
  ENOMSG(42),
  /** Device busy. */
  EBUSY(16),
  /** A blocked operation was cancelled by close() or thread interruption. */
  ECANCELED(125),
  /** Operation on a stream that the caller closed. */
  EBADF(9),
  /** Malformed migration data (mtty answers a bad header with it). */
  EFAULT(14),
  /** More data than the device can take. */
  ENOMEM(12),
  /** Unknown mandatory record. */
  EOPNOTSUPP(95),
  /** Try again (non-blocking I/O would block). */
  EAGAIN(11);

  private final int code;

  Errno(int code) {
    this.code = code;
  }

  /** The numeric errno on Linux x86-64. */
  public int code() {
    return code;
  }
}

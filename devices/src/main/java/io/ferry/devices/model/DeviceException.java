package io.ferry.devices.model;

import java.util.Objects;

/**
 * A failed device operation, the equivalent of a negative return from a VFIO ioctl, read or write.
 * The message always names the device; stream errors also give the byte offset and the expected
 * versus actual value.
 */
public class DeviceException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String deviceId;
  private final Errno errno;
  private final String detail;

  public DeviceException(String deviceId, Errno errno, String detail) {
    this(deviceId, errno, detail, null);
  }

  public DeviceException(String deviceId, Errno errno, String detail, Throwable cause) {
    super(
        "device "
            + Objects.requireNonNull(deviceId, "deviceId")
            + ": "
            + Objects.requireNonNull(detail, "detail")
            + " ("
            + Objects.requireNonNull(errno, "errno")
            + ")",
        cause);
    this.deviceId = deviceId;
    this.errno = errno;
    this.detail = detail;
  }

  /** The error number, as the kernel would return it. */
  public Errno errno() {
    return errno;
  }

  /** The device that failed. */
  public String deviceId() {
    return deviceId;
  }

  /** The message without the device prefix and errno suffix. */
  public String detail() {
    return detail;
  }
}

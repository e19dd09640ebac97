package io.ferry.protocol.packet;

import io.ferry.protocol.ProtocolException;

/**
 * The destination's verdict on a {@link ChannelHello}, carried by {@link HelloReply}. QEMU closes a
 * channel it rejects without saying why; Ferry says why.
 */
public enum HelloStatus {
  /** The channel is accepted; records follow. */
  ACCEPTED(0),
  /** The first four bytes were not {@code WireFormat.MAGIC}. */
  BAD_MAGIC(1),
  /** {@code ChannelHello.version} is not one the destination speaks. */
  UNSUPPORTED_VERSION(2),
  /** The destination expects no migration with this id. */
  UNKNOWN_MIGRATION(3),
  /** {@code channelIndex} or {@code channelCount} does not match the destination's setup. */
  BAD_CHANNEL_INDEX(4),
  /** A channel with this role and index is already set up (QEMU: "received id already setup"). */
  DUPLICATE_CHANNEL(5),
  /** The role byte is unknown or not expected now (e.g. a second main channel). */
  BAD_ROLE(6),
  /** The auth token was rejected. */
  AUTH_FAILED(7),
  /** The source requested capabilities the destination does not support, or lacks required ones. */
  CAPABILITY_MISMATCH(8);

  private final int code;

  HelloStatus(int code) {
    this.code = code;
  }

  /** The wire code. */
  public int code() {
    return code;
  }

  /**
   * The status with wire code {@code code}.
   *
   * @throws ProtocolException {@code HelloReply.status} for an unknown code
   */
  public static HelloStatus fromCode(int code) {
    for (HelloStatus status : values()) {
      if (status.code == code) {
        return status;
      }
    }
    throw new ProtocolException(
        "HelloReply", "status", "0.." + (values().length - 1), Integer.toString(code));
  }
}

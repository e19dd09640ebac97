package io.ferry.protocol.packet;

import io.ferry.protocol.ProtocolException;

/**
 * What a TCP connection carries, announced by {@link ChannelHello#role()}. QEMU tells its channels
 * apart by their first four bytes ({@code QEVM} vs {@code MULTIFD_MAGIC}); Ferry sends one magic
 * and this role byte.
 */
public enum ChannelRole {
  /** The main channel: sections, commands, end of stream. */
  MAIN(0),
  /** A multifd channel: device-state packets, channel end. */
  MULTIFD(1);

  private final int code;

  ChannelRole(int code) {
    this.code = code;
  }

  /** The wire code. */
  public int code() {
    return code;
  }

  /**
   * The role with wire code {@code code}.
   *
   * @throws ProtocolException {@code ChannelHello.role} for an unknown code
   */
  public static ChannelRole fromCode(int code) {
    for (ChannelRole role : values()) {
      if (role.code == code) {
        return role;
      }
    }
    throw new ProtocolException(
        "ChannelHello", "role", "0 (MAIN) or 1 (MULTIFD)", Integer.toString(code));
  }
}

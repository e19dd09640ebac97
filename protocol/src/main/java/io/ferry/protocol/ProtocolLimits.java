package io.ferry.protocol;

/**
 * The bounds a decoder enforces before it buffers or allocates anything, and an encoder enforces
 * before it sends.
 *
 * <p>QEMU bounds a multifd device-state payload only by its u32 length field (see {@code
 * qemu-vfio-multifd.md} 1.3, "no upper bound beyond u32"); Ferry makes the bound explicit so that a
 * hostile or corrupt length cannot make the destination buffer gigabytes.
 *
 * @param maxFramePayload the largest payload any length field may announce: a main-channel record's
 *     payload (the record's fixed header comes on top, up to {@link
 *     WireFormat#MAIN_MAX_RECORD_OVERHEAD}) and a multifd {@code DeviceStatePacket} payload. 1 ..
 *     {@link WireFormat#MAX_FRAME_PAYLOAD_CEILING}.
 * @param maxAuthToken the longest {@code ChannelHello} auth token, 0 .. 65535 (the field is a u16).
 */
public record ProtocolLimits(int maxFramePayload, int maxAuthToken) {

  /**
   * 1 MiB + 4096 for payloads: room for a VFIO chunk of 1 MiB of device data (QEMU's largest
   * data_buffer_size) plus its 12-byte header, with slack. 256 bytes of auth token.
   */
  public static final ProtocolLimits DEFAULT = new ProtocolLimits(1024 * 1024 + 4096, 256);

  /**
   * The widest limits that may be configured: only what the wire format itself can carry. Used by
   * {@code PacketCodec.encode(Packet)}; a decoder facing a peer should never use it.
   */
  public static final ProtocolLimits MAXIMUM =
      new ProtocolLimits(WireFormat.MAX_FRAME_PAYLOAD_CEILING, WireFormat.U16_MAX);

  public ProtocolLimits {
    if (maxFramePayload < 1 || maxFramePayload > WireFormat.MAX_FRAME_PAYLOAD_CEILING) {
      throw new ProtocolException(
          "ProtocolLimits",
          "maxFramePayload",
          "1.." + WireFormat.MAX_FRAME_PAYLOAD_CEILING,
          Integer.toString(maxFramePayload));
    }
    if (maxAuthToken < 0 || maxAuthToken > WireFormat.U16_MAX) {
      throw new ProtocolException(
          "ProtocolLimits",
          "maxAuthToken",
          "0.." + WireFormat.U16_MAX,
          Integer.toString(maxAuthToken));
    }
  }

  /** The largest value a main-channel frame's length field may carry under these limits. */
  public int maxMainFrameLength() {
    return maxFramePayload + WireFormat.MAIN_MAX_RECORD_OVERHEAD;
  }
}

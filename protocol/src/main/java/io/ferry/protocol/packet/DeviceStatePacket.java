package io.ferry.protocol.packet;

import akka.util.ByteString;
import io.ferry.protocol.ProtocolException;
import io.ferry.protocol.WireText;

/**
 * One piece of a device's state on a multifd channel, QEMU's {@code MultiFDPacketDeviceState_t}.
 * The destination hands {@code payload} to the device named by {@code (deviceId, instanceId)}; for
 * VFIO the payload is a {@link DeviceStateChunk}. The codec adds a CRC32C of the payload on encode
 * and checks it on decode.
 *
 * @param deviceId the device id, {@value WireText#DEVICE_ID_RULE}
 * @param instanceId the instance id, 0..2^31-1
 * @param sequence the packet's number on its channel: 0 for the first, then +1; the destination
 *     fails the channel on a gap or repeat
 * @param payload the device's bytes, not empty (QEMU: "received empty device state packet"); the
 *     codec also bounds it by {@code ProtocolLimits.maxFramePayload}
 */
public record DeviceStatePacket(String deviceId, int instanceId, long sequence, ByteString payload)
    implements MultifdPacket {

  private static final String RECORD = "DeviceStatePacket";

  public DeviceStatePacket {
    WireText.deviceIdBytes(RECORD, deviceId);
    Fields.nonNegative(RECORD, "instanceId", instanceId);
    Fields.nonNegative(RECORD, "sequence", sequence);
    Fields.bytes(RECORD, "payload", payload);
    if (payload.isEmpty()) {
      throw new ProtocolException(RECORD, "payload", "at least 1 byte", "0 bytes");
    }
  }

  @Override
  public String toString() {
    return "DeviceStatePacket[deviceId="
        + WireText.quoted(deviceId)
        + ", instanceId="
        + instanceId
        + ", sequence="
        + sequence
        + ", payload="
        + Fields.size(payload)
        + "]";
  }
}

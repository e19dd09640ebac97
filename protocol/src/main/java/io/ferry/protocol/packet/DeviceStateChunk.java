package io.ferry.protocol.packet;

import akka.util.ByteString;
import io.ferry.protocol.ProtocolException;
import io.ferry.protocol.WireFormat;

/**
 * The device-state payload a VFIO device puts inside {@link DeviceStatePacket#payload()}, QEMU's
 * {@code VFIODeviceStatePacket}: a numbered piece of the device's STOP_COPY stream, or its config.
 * It is not a {@link Packet}: the multifd layer carries it as opaque bytes, and {@code
 * DeviceStateChunkCodec} encodes and decodes it for the device.
 *
 * <p>Chunks of one device arrive over several channels in any order; the receiver orders them by
 * {@code index}. Data chunks are numbered 0, 1, 2, ...; the config chunk comes last, with the index
 * after the last data chunk (0 if there was none), as in QEMU.
 *
 * @param version always {@link #VERSION}
 * @param index 0..{@link #MAX_INDEX}; 0xFFFFFFFF is reserved (QEMU's "last index unknown")
 * @param flags {@link #CONFIG_STATE} or 0; every other bit is rejected (QEMU ignores them, so a
 *     sender setting one would be silently misread)
 * @param data the device's bytes
 */
public record DeviceStateChunk(int version, long index, int flags, ByteString data) {

  /** The only version, QEMU's VFIO_DEVICE_STATE_PACKET_VER_CURRENT. */
  public static final int VERSION = WireFormat.CHUNK_VERSION;

  /** This chunk is the device config and the last chunk. */
  public static final int CONFIG_STATE = WireFormat.CHUNK_FLAG_CONFIG_STATE;

  /** The largest index; 0xFFFFFFFF is reserved. */
  public static final long MAX_INDEX = WireFormat.CHUNK_MAX_INDEX;

  private static final String RECORD = "DeviceStateChunk";

  public DeviceStateChunk {
    if (version != VERSION) {
      throw new ProtocolException(RECORD, "version", Integer.toString(VERSION), unsigned(version));
    }
    Fields.range(RECORD, "index", index, 0, MAX_INDEX);
    if ((flags & ~WireFormat.CHUNK_KNOWN_FLAGS) != 0) {
      throw new ProtocolException(
          RECORD, "flags", "0x0 or 0x1 (CONFIG_STATE)", "0x" + Integer.toHexString(flags));
    }
    Fields.bytes(RECORD, "data", data);
  }

  /** A chunk of the current version. */
  public DeviceStateChunk(long index, int flags, ByteString data) {
    this(VERSION, index, flags, data);
  }

  /** A data chunk (flags 0). */
  public static DeviceStateChunk data(long index, ByteString data) {
    return new DeviceStateChunk(index, 0, data);
  }

  /** The config chunk, which is the last one. */
  public static DeviceStateChunk config(long index, ByteString data) {
    return new DeviceStateChunk(index, CONFIG_STATE, data);
  }

  /** Whether this is the config chunk (and therefore the last). */
  public boolean isConfig() {
    return (flags & CONFIG_STATE) != 0;
  }

  private static String unsigned(int value) {
    return Integer.toUnsignedString(value);
  }

  @Override
  public String toString() {
    return "DeviceStateChunk[index="
        + index
        + (isConfig() ? ", CONFIG_STATE" : "")
        + ", data="
        + Fields.size(data)
        + "]";
  }
}

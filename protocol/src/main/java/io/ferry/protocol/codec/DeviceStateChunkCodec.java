package io.ferry.protocol.codec;

import static io.ferry.protocol.WireFormat.CHUNK_HEADER_SIZE;
import static io.ferry.protocol.WireFormat.CHUNK_KNOWN_FLAGS;
import static io.ferry.protocol.WireFormat.CHUNK_MAX_INDEX;
import static io.ferry.protocol.WireFormat.CHUNK_VERSION;

import akka.util.ByteString;
import io.ferry.protocol.ProtocolException;
import io.ferry.protocol.WireText;
import io.ferry.protocol.packet.DeviceStateChunk;
import java.nio.ByteBuffer;

/**
 * Encodes and decodes {@link DeviceStateChunk}, the payload a VFIO device puts inside a {@code
 * DeviceStatePacket} (QEMU's {@code VFIODeviceStatePacket}, big-endian as of QEMU commit {@code
 * cbb2e105268d}):
 *
 * <pre>
 * offset size field   notes
 *      0    4 version 0; anything else is rejected
 *      4    4 index   0..0xFFFFFFFE; 0xFFFFFFFF (QEMU's "last index unknown") is rejected
 *      8    4 flags   bit 0 CONFIG_STATE; any other bit is rejected
 *     12    L data
 * </pre>
 *
 * Neither direction copies {@code data}: encoding prepends a 12-byte header, decoding slices.
 */
public final class DeviceStateChunkCodec {

  private DeviceStateChunkCodec() {}

  /** The header followed by the chunk's data. */
  public static ByteString encode(DeviceStateChunk chunk) {
    return encodeHeader(chunk.index(), chunk.flags()).concat(chunk.data());
  }

  /**
   * The 12 header bytes alone, so a sender can put them in front of data it already holds without
   * building a {@link DeviceStateChunk}.
   *
   * @throws ProtocolException if {@code index} or {@code flags} is out of range
   */
  public static ByteString encodeHeader(long index, int flags) {
    checkIndex(index, null);
    checkFlags(flags, null);
    ByteBuffer b = ByteBuffer.allocate(CHUNK_HEADER_SIZE);
    b.putInt(CHUNK_VERSION);
    b.putInt((int) index);
    b.putInt(flags);
    return ByteString.fromArrayUnsafe(b.array());
  }

  /**
   * Decodes a device-state payload received for {@code deviceId}.
   *
   * @param deviceId only used to locate errors
   * @throws ProtocolException on a short header, another version, index 0xFFFFFFFF or an unknown
   *     flag; the message names the device (and the index once known)
   */
  public static DeviceStateChunk decode(ByteString payload, String deviceId) {
    String device = "device " + WireText.quoted(String.valueOf(deviceId));
    if (payload.size() < CHUNK_HEADER_SIZE) {
      throw new ProtocolException(
          "DeviceStateChunk",
          "header",
          CHUNK_HEADER_SIZE + " bytes",
          payload.size() + " bytes",
          device);
    }
    ByteBuffer h = payload.take(CHUNK_HEADER_SIZE).asByteBuffer().slice();
    int version = h.getInt(0);
    if (version != CHUNK_VERSION) {
      throw new ProtocolException(
          "DeviceStateChunk",
          "version",
          Integer.toString(CHUNK_VERSION),
          Integer.toUnsignedString(version),
          device);
    }
    long index = h.getInt(4) & 0xFFFF_FFFFL;
    checkIndex(index, device);
    checkFlags(h.getInt(8), device + ", index " + index);
    return new DeviceStateChunk(index, h.getInt(8), payload.drop(CHUNK_HEADER_SIZE));
  }

  private static void checkIndex(long index, String context) {
    if (index < 0 || index > CHUNK_MAX_INDEX) {
      throw new ProtocolException(
          "DeviceStateChunk",
          "index",
          "0.." + CHUNK_MAX_INDEX + " (0xFFFFFFFF is reserved)",
          Long.toString(index),
          context);
    }
  }

  private static void checkFlags(int flags, String context) {
    if ((flags & ~CHUNK_KNOWN_FLAGS) != 0) {
      throw new ProtocolException(
          "DeviceStateChunk",
          "flags",
          "0x0 or 0x1 (CONFIG_STATE)",
          "0x" + Integer.toHexString(flags),
          context);
    }
  }
}

package io.ferry.protocol;

/**
 * Constants of the Ferry wire format, version 1. All integers are big-endian, as on every QEMU
 * migration wire. {@code docs/protocol.md} has the same tables with a worked hex example each.
 *
 * <h2>Channel handshake</h2>
 *
 * <p>{@code ChannelHello}, the first bytes the source sends on every TCP connection (main and
 * multifd), {@value #HELLO_HEADER_SIZE} bytes plus the token:
 *
 * <pre>
 * offset size field           notes
 *      0    4 magic           {@link #MAGIC} "FRRY"
 *      4    2 version         {@link #VERSION}
 *      6    1 role            0 = MAIN, 1 = MULTIFD
 *      7    1 reserved        must be 0
 *      8    8 migrationId.msb UUID most significant bits
 *     16    8 migrationId.lsb UUID least significant bits
 *     24    2 channelIndex    &lt; channelCount
 *     26    2 channelCount    1..255
 *     28    8 capabilities    bit set, see Capabilities
 *     36    2 authTokenLength &lt;= ProtocolLimits.maxAuthToken
 *     38    n authToken       opaque bytes
 * </pre>
 *
 * <p>{@code HelloReply}, the first bytes the destination sends back, {@value
 * #HELLO_REPLY_HEADER_SIZE} bytes plus the reason:
 *
 * <pre>
 * offset size field        notes
 *      0    4 magic        {@link #MAGIC}
 *      4    2 version      {@link #VERSION}
 *      6    1 status       HelloStatus code, 0 = ACCEPTED
 *      7    1 reserved     must be 0
 *      8    2 reasonLength &lt;= {@value #MAX_REASON_BYTES}
 *     10    n reason       UTF-8
 * </pre>
 *
 * <h2>Main channel record frame</h2>
 *
 * <pre>
 * offset size field  notes
 *      0    4 length bytes after this field, 1..maxFramePayload + {@value #MAIN_MAX_RECORD_OVERHEAD}
 *      4    1 type   {@link #TYPE_EOF} .. {@link #TYPE_COMMAND}
 *      5    - body   depends on type:
 *
 * SECTION_START / SECTION_FULL body       SECTION_PART / SECTION_END body   COMMAND body
 *   +0 4 sectionId                          +0 4 sectionId                    +0 2 cmd
 *   +4 1 idLen (1..255)                     +4 - payload (rest of frame)      +2 2 len (= rest)
 *   +5 n id (UTF-8, no NUL)                                                   +4 n data
 * +5+n 4 instanceId
 * +9+n 4 versionId                        EOF body: empty (length = 1)
 * +13+n - payload (rest of frame)
 * </pre>
 *
 * <h2>Multifd channel packet</h2>
 *
 * <pre>
 * offset size field          notes
 *      0    1 type           {@link #TYPE_DEVICE_STATE} or {@link #TYPE_CHANNEL_END}
 *      1    1 version        {@link #MULTIFD_VERSION}
 *      2    2 flags          must be 0
 * DEVICE_STATE:
 *      4    8 sequence       per-channel packet number, 0, 1, 2, ...
 *     12    4 instanceId     0..2^31-1
 *     16    4 payloadLength  1..maxFramePayload
 *     20    4 crc32c         CRC-32C (Castagnoli) of the payload
 *     24    1 idLen          1..255
 *     25    n id             UTF-8, no NUL
 *   25+n    N payload        for VFIO: a DeviceStateChunk (below)
 * CHANNEL_END:
 *      4    8 packetCount    number of DEVICE_STATE packets sent on this channel
 * </pre>
 *
 * <h2>Device-state chunk (QEMU's VFIODeviceStatePacket), inside DEVICE_STATE payload</h2>
 *
 * <pre>
 * offset size field   notes
 *      0    4 version {@value #CHUNK_VERSION}
 *      4    4 index   0..0xFFFFFFFE; 0xFFFFFFFF is reserved
 *      8    4 flags   bit 0 = {@link #CHUNK_FLAG_CONFIG_STATE}; other bits must be 0
 *     12    L data
 * </pre>
 */
public final class WireFormat {

  private WireFormat() {}

  /** "FRRY", the first four bytes of every {@code ChannelHello} and {@code HelloReply}. */
  public static final int MAGIC = 0x46525259;

  /** The handshake version this code speaks; {@code ChannelHello.version}. */
  public static final int VERSION = 1;

  public static final int U8_MAX = 0xFF;
  public static final int U16_MAX = 0xFFFF;
  public static final long U32_MAX = 0xFFFF_FFFFL;

  /** The largest {@link ProtocolLimits#maxFramePayload()} that may be configured: 1 GiB. */
  public static final int MAX_FRAME_PAYLOAD_CEILING = 1 << 30;

  // ---- handshake ----

  /** Fixed part of a {@code ChannelHello}, before the auth token. */
  public static final int HELLO_HEADER_SIZE = 38;

  public static final int HELLO_OFFSET_VERSION = 4;
  public static final int HELLO_OFFSET_ROLE = 6;
  public static final int HELLO_OFFSET_RESERVED = 7;
  public static final int HELLO_OFFSET_MIGRATION_ID = 8;
  public static final int HELLO_OFFSET_CHANNEL_INDEX = 24;
  public static final int HELLO_OFFSET_CHANNEL_COUNT = 26;
  public static final int HELLO_OFFSET_CAPABILITIES = 28;
  public static final int HELLO_OFFSET_AUTH_TOKEN_LENGTH = 36;

  /** The largest channel count (and so {@code channelIndex} &lt; 255). */
  public static final int MAX_CHANNEL_COUNT = 255;

  /** Fixed part of a {@code HelloReply}, before the reason. */
  public static final int HELLO_REPLY_HEADER_SIZE = 10;

  public static final int HELLO_REPLY_OFFSET_STATUS = 6;
  public static final int HELLO_REPLY_OFFSET_RESERVED = 7;
  public static final int HELLO_REPLY_OFFSET_REASON_LENGTH = 8;

  /** Longest {@code HelloReply.reason} in UTF-8 bytes. */
  public static final int MAX_REASON_BYTES = 1024;

  // ---- main channel ----

  /** The u32 length field in front of every main-channel record. */
  public static final int MAIN_LENGTH_FIELD_SIZE = 4;

  /** Length field plus type byte. */
  public static final int MAIN_FRAME_HEADER_SIZE = 5;

  /** End of the main stream; QEMU_VM_EOF. Body empty. */
  public static final byte TYPE_EOF = 0x00;

  /** QEMU_VM_SECTION_START. */
  public static final byte TYPE_SECTION_START = 0x01;

  /** QEMU_VM_SECTION_PART. */
  public static final byte TYPE_SECTION_PART = 0x02;

  /** QEMU_VM_SECTION_END. */
  public static final byte TYPE_SECTION_END = 0x03;

  /** QEMU_VM_SECTION_FULL. */
  public static final byte TYPE_SECTION_FULL = 0x04;

  /** QEMU_VM_COMMAND. */
  public static final byte TYPE_COMMAND = 0x08;

  /** sectionId, idLen, instanceId, versionId: the START/FULL body before id and payload. */
  public static final int SECTION_HEADER_FIXED_SIZE = 13;

  /** sectionId: the PART/END body before the payload. */
  public static final int SECTION_PART_HEADER_SIZE = 4;

  /** cmd, len: the COMMAND body before the data. */
  public static final int COMMAND_HEADER_SIZE = 4;

  /**
   * Most bytes a main-channel frame's length may count beyond the payload: type (1) + the START/FULL
   * body header (13) + the longest device id (255) = 269.
   */
  public static final int MAIN_MAX_RECORD_OVERHEAD = 1 + SECTION_HEADER_FIXED_SIZE + 255;

  // ---- multifd channel ----

  /** {@code MultifdPacket.version}, independent of the handshake {@link #VERSION}. */
  public static final int MULTIFD_VERSION = 1;

  /** type, version, flags: common to every multifd packet. */
  public static final int MULTIFD_COMMON_HEADER_SIZE = 4;

  /** A device-state packet. */
  public static final byte TYPE_DEVICE_STATE = 0x40;

  /** The clean end of a multifd channel. */
  public static final byte TYPE_CHANNEL_END = 0x41;

  /** Fixed part of a DEVICE_STATE packet, up to and including idLen. */
  public static final int DEVICE_STATE_HEADER_FIXED_SIZE = 25;

  public static final int DEVICE_STATE_OFFSET_SEQUENCE = 4;
  public static final int DEVICE_STATE_OFFSET_INSTANCE_ID = 12;
  public static final int DEVICE_STATE_OFFSET_PAYLOAD_LENGTH = 16;
  public static final int DEVICE_STATE_OFFSET_CRC32C = 20;
  public static final int DEVICE_STATE_OFFSET_ID_LENGTH = 24;

  /** Whole CHANNEL_END packet. */
  public static final int CHANNEL_END_SIZE = 12;

  // ---- device id ----

  /** Longest device id in UTF-8 bytes (QEMU's idstr is 256 bytes with a terminating NUL). */
  public static final int MAX_DEVICE_ID_BYTES = 255;

  // ---- device-state chunk ----

  /** {@code DeviceStateChunk} header: version, index, flags. */
  public static final int CHUNK_HEADER_SIZE = 12;

  /** The only chunk version, QEMU's VFIO_DEVICE_STATE_PACKET_VER_CURRENT. */
  public static final int CHUNK_VERSION = 0;

  /** The chunk is the device config and carries the last index. */
  public static final int CHUNK_FLAG_CONFIG_STATE = 1;

  /** Every chunk flag this version knows; any other bit is rejected. */
  public static final int CHUNK_KNOWN_FLAGS = CHUNK_FLAG_CONFIG_STATE;

  /** Largest chunk index; QEMU reserves UINT32_MAX as "last index unknown". */
  public static final long CHUNK_MAX_INDEX = 0xFFFF_FFFEL;
}

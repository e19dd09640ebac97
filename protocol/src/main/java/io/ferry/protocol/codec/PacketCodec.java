package io.ferry.protocol.codec;

import static io.ferry.protocol.WireFormat.CHANNEL_END_SIZE;
import static io.ferry.protocol.WireFormat.COMMAND_HEADER_SIZE;
import static io.ferry.protocol.WireFormat.DEVICE_STATE_HEADER_FIXED_SIZE;
import static io.ferry.protocol.WireFormat.DEVICE_STATE_OFFSET_CRC32C;
import static io.ferry.protocol.WireFormat.DEVICE_STATE_OFFSET_ID_LENGTH;
import static io.ferry.protocol.WireFormat.DEVICE_STATE_OFFSET_INSTANCE_ID;
import static io.ferry.protocol.WireFormat.DEVICE_STATE_OFFSET_PAYLOAD_LENGTH;
import static io.ferry.protocol.WireFormat.DEVICE_STATE_OFFSET_SEQUENCE;
import static io.ferry.protocol.WireFormat.HELLO_HEADER_SIZE;
import static io.ferry.protocol.WireFormat.HELLO_OFFSET_AUTH_TOKEN_LENGTH;
import static io.ferry.protocol.WireFormat.HELLO_OFFSET_CAPABILITIES;
import static io.ferry.protocol.WireFormat.HELLO_OFFSET_CHANNEL_COUNT;
import static io.ferry.protocol.WireFormat.HELLO_OFFSET_CHANNEL_INDEX;
import static io.ferry.protocol.WireFormat.HELLO_OFFSET_MIGRATION_ID;
import static io.ferry.protocol.WireFormat.HELLO_OFFSET_RESERVED;
import static io.ferry.protocol.WireFormat.HELLO_OFFSET_ROLE;
import static io.ferry.protocol.WireFormat.HELLO_OFFSET_VERSION;
import static io.ferry.protocol.WireFormat.HELLO_REPLY_HEADER_SIZE;
import static io.ferry.protocol.WireFormat.HELLO_REPLY_OFFSET_REASON_LENGTH;
import static io.ferry.protocol.WireFormat.HELLO_REPLY_OFFSET_RESERVED;
import static io.ferry.protocol.WireFormat.HELLO_REPLY_OFFSET_STATUS;
import static io.ferry.protocol.WireFormat.MAGIC;
import static io.ferry.protocol.WireFormat.MAIN_FRAME_HEADER_SIZE;
import static io.ferry.protocol.WireFormat.MAIN_LENGTH_FIELD_SIZE;
import static io.ferry.protocol.WireFormat.MAX_CHANNEL_COUNT;
import static io.ferry.protocol.WireFormat.MAX_DEVICE_ID_BYTES;
import static io.ferry.protocol.WireFormat.MAX_REASON_BYTES;
import static io.ferry.protocol.WireFormat.MULTIFD_COMMON_HEADER_SIZE;
import static io.ferry.protocol.WireFormat.MULTIFD_VERSION;
import static io.ferry.protocol.WireFormat.SECTION_HEADER_FIXED_SIZE;
import static io.ferry.protocol.WireFormat.SECTION_PART_HEADER_SIZE;
import static io.ferry.protocol.WireFormat.TYPE_CHANNEL_END;
import static io.ferry.protocol.WireFormat.TYPE_COMMAND;
import static io.ferry.protocol.WireFormat.TYPE_DEVICE_STATE;
import static io.ferry.protocol.WireFormat.TYPE_EOF;
import static io.ferry.protocol.WireFormat.TYPE_SECTION_END;
import static io.ferry.protocol.WireFormat.TYPE_SECTION_FULL;
import static io.ferry.protocol.WireFormat.TYPE_SECTION_PART;
import static io.ferry.protocol.WireFormat.TYPE_SECTION_START;
import static io.ferry.protocol.WireFormat.VERSION;

import akka.util.ByteString;
import io.ferry.protocol.ProtocolException;
import io.ferry.protocol.ProtocolLimits;
import io.ferry.protocol.WireText;
import io.ferry.protocol.packet.ChannelEnd;
import io.ferry.protocol.packet.ChannelHello;
import io.ferry.protocol.packet.ChannelRole;
import io.ferry.protocol.packet.Command;
import io.ferry.protocol.packet.DeviceStatePacket;
import io.ferry.protocol.packet.EndOfStream;
import io.ferry.protocol.packet.HelloReply;
import io.ferry.protocol.packet.HelloStatus;
import io.ferry.protocol.packet.MainRecord;
import io.ferry.protocol.packet.MultifdPacket;
import io.ferry.protocol.packet.Packet;
import io.ferry.protocol.packet.SectionEnd;
import io.ferry.protocol.packet.SectionFull;
import io.ferry.protocol.packet.SectionPart;
import io.ferry.protocol.packet.SectionStart;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * Encodes packets to their full wire bytes and decodes whole frames back, one static pair per
 * record kind side by side (as Flink's {@code write}/{@code readFrom}). Byte layouts are in {@link
 * io.ferry.protocol.WireFormat} and {@code docs/protocol.md}.
 *
 * <p><b>No payload copies.</b> An encoder builds only the header and returns {@code
 * header.concat(payload)}; a decoder returns payloads as slices of the frame it was given. Only
 * headers (at most a few hundred bytes) are read into a small buffer.
 *
 * <p><b>Incremental decoding.</b> Each frame kind has a {@code ...FrameLength} function a streaming
 * decoder calls on whatever it has buffered so far. It checks every header field already present
 * (magic as soon as 4 bytes are there, a length field before a single payload byte is buffered)
 * and returns:
 *
 * <ul>
 *   <li>a positive number: the total size of the frame at the head of the buffer, which may be
 *       more than is buffered;
 *   <li>a negative number {@code -n}: the frame size is not known yet; call again once at least
 *       {@code n} bytes are buffered.
 * </ul>
 *
 * The matching {@code decode...} takes exactly one whole frame. {@link ChannelDecoder} drives these
 * for a channel; {@link PacketCodecFlow} wraps that as an Akka Streams stage.
 *
 * <p>Every problem is a {@link ProtocolException} naming record, field, expected and actual.
 */
public final class PacketCodec {

  private PacketCodec() {}

  // ------------------------------------------------------------------------------------------
  // any packet

  /**
   * The full wire bytes of {@code packet}, framing included, checking only what the wire format can
   * carry ({@link ProtocolLimits#MAXIMUM}).
   */
  public static ByteString encode(Packet packet) {
    return encode(packet, ProtocolLimits.MAXIMUM);
  }

  /**
   * The full wire bytes of {@code packet}, framing included.
   *
   * @throws ProtocolException if a payload or token exceeds {@code limits}, which the peer would
   *     reject
   */
  public static ByteString encode(Packet packet, ProtocolLimits limits) {
    Objects.requireNonNull(packet, "packet");
    if (packet instanceof MainRecord record) {
      return encodeMainRecord(record, limits);
    } else if (packet instanceof MultifdPacket multifd) {
      return encodeMultifdPacket(multifd, limits);
    } else if (packet instanceof ChannelHello hello) {
      return encodeChannelHello(hello, limits);
    } else if (packet instanceof HelloReply reply) {
      return encodeHelloReply(reply);
    }
    throw new IllegalStateException("unreachable: sealed Packet " + packet.getClass());
  }

  // ------------------------------------------------------------------------------------------
  // ChannelHello

  /** {@code ChannelHello}: 38 header bytes, then the token. */
  public static ByteString encodeChannelHello(ChannelHello hello, ProtocolLimits limits) {
    if (hello.authToken().size() > limits.maxAuthToken()) {
      throw new ProtocolException(
          "ChannelHello",
          "authToken",
          "at most " + limits.maxAuthToken() + " bytes",
          hello.authToken().size() + " bytes");
    }
    ByteBuffer b = ByteBuffer.allocate(HELLO_HEADER_SIZE);
    b.putInt(MAGIC);
    b.putShort((short) hello.version());
    b.put((byte) hello.role().code());
    b.put((byte) 0);
    b.putLong(hello.migrationId().getMostSignificantBits());
    b.putLong(hello.migrationId().getLeastSignificantBits());
    b.putShort((short) hello.channelIndex());
    b.putShort((short) hello.channelCount());
    b.putLong(hello.capabilities());
    b.putShort((short) hello.authToken().size());
    return ByteString.fromArrayUnsafe(b.array()).concat(hello.authToken());
  }

  /** Incremental check of a {@code ChannelHello}; see the class comment for the result. */
  public static int channelHelloFrameLength(ByteString buffered, ProtocolLimits limits) {
    int n = Math.min(buffered.size(), HELLO_HEADER_SIZE);
    if (n < 4) {
      return -4;
    }
    ByteBuffer h = head(buffered, n);
    checkMagic("ChannelHello", h.getInt(0));
    if (n >= HELLO_OFFSET_VERSION + 2) {
      int version = u16(h, HELLO_OFFSET_VERSION);
      if (version != VERSION) {
        throw new ProtocolException(
            "ChannelHello", "version", Integer.toString(VERSION), Integer.toString(version));
      }
    }
    if (n >= HELLO_OFFSET_ROLE + 1) {
      ChannelRole.fromCode(u8(h, HELLO_OFFSET_ROLE));
    }
    if (n >= HELLO_OFFSET_RESERVED + 1) {
      checkReserved("ChannelHello", u8(h, HELLO_OFFSET_RESERVED));
    }
    if (n >= HELLO_OFFSET_CHANNEL_COUNT + 2) {
      int index = u16(h, HELLO_OFFSET_CHANNEL_INDEX);
      int count = u16(h, HELLO_OFFSET_CHANNEL_COUNT);
      if (count < 1 || count > MAX_CHANNEL_COUNT) {
        throw new ProtocolException(
            "ChannelHello", "channelCount", "1.." + MAX_CHANNEL_COUNT, Integer.toString(count));
      }
      if (index >= count) {
        throw new ProtocolException(
            "ChannelHello",
            "channelIndex",
            "0.." + (count - 1) + " (< channelCount " + count + ")",
            Integer.toString(index));
      }
    }
    if (n < HELLO_HEADER_SIZE) {
      return -HELLO_HEADER_SIZE;
    }
    int tokenLength = u16(h, HELLO_OFFSET_AUTH_TOKEN_LENGTH);
    if (tokenLength > limits.maxAuthToken()) {
      throw new ProtocolException(
          "ChannelHello",
          "authTokenLength",
          "0.." + limits.maxAuthToken(),
          Integer.toString(tokenLength));
    }
    return HELLO_HEADER_SIZE + tokenLength;
  }

  /** Decodes exactly one {@code ChannelHello} frame. */
  public static ChannelHello decodeChannelHello(ByteString frame, ProtocolLimits limits) {
    requireWhole("ChannelHello", frame, channelHelloFrameLength(frame, limits));
    ByteBuffer h = head(frame, HELLO_HEADER_SIZE);
    return new ChannelHello(
        u16(h, HELLO_OFFSET_VERSION),
        new UUID(h.getLong(HELLO_OFFSET_MIGRATION_ID), h.getLong(HELLO_OFFSET_MIGRATION_ID + 8)),
        ChannelRole.fromCode(u8(h, HELLO_OFFSET_ROLE)),
        u16(h, HELLO_OFFSET_CHANNEL_INDEX),
        u16(h, HELLO_OFFSET_CHANNEL_COUNT),
        h.getLong(HELLO_OFFSET_CAPABILITIES),
        frame.drop(HELLO_HEADER_SIZE));
  }

  // ------------------------------------------------------------------------------------------
  // HelloReply

  /** {@code HelloReply}: 10 header bytes, then the reason. */
  public static ByteString encodeHelloReply(HelloReply reply) {
    byte[] reason = reply.reason().getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(HELLO_REPLY_HEADER_SIZE + reason.length);
    b.putInt(MAGIC);
    b.putShort((short) VERSION);
    b.put((byte) reply.status().code());
    b.put((byte) 0);
    b.putShort((short) reason.length);
    b.put(reason);
    return ByteString.fromArrayUnsafe(b.array());
  }

  /** Incremental check of a {@code HelloReply}; see the class comment for the result. */
  public static int helloReplyFrameLength(ByteString buffered) {
    int n = Math.min(buffered.size(), HELLO_REPLY_HEADER_SIZE);
    if (n < 4) {
      return -4;
    }
    ByteBuffer h = head(buffered, n);
    checkMagic("HelloReply", h.getInt(0));
    if (n >= 6) {
      int version = u16(h, 4);
      if (version != VERSION) {
        throw new ProtocolException(
            "HelloReply", "version", Integer.toString(VERSION), Integer.toString(version));
      }
    }
    if (n >= HELLO_REPLY_OFFSET_STATUS + 1) {
      HelloStatus.fromCode(u8(h, HELLO_REPLY_OFFSET_STATUS));
    }
    if (n >= HELLO_REPLY_OFFSET_RESERVED + 1) {
      checkReserved("HelloReply", u8(h, HELLO_REPLY_OFFSET_RESERVED));
    }
    if (n < HELLO_REPLY_HEADER_SIZE) {
      return -HELLO_REPLY_HEADER_SIZE;
    }
    int reasonLength = u16(h, HELLO_REPLY_OFFSET_REASON_LENGTH);
    if (reasonLength > MAX_REASON_BYTES) {
      throw new ProtocolException(
          "HelloReply", "reasonLength", "0.." + MAX_REASON_BYTES, Integer.toString(reasonLength));
    }
    return HELLO_REPLY_HEADER_SIZE + reasonLength;
  }

  /** Decodes exactly one {@code HelloReply} frame. */
  public static HelloReply decodeHelloReply(ByteString frame) {
    requireWhole("HelloReply", frame, helloReplyFrameLength(frame));
    ByteBuffer h = head(frame, HELLO_REPLY_HEADER_SIZE);
    return new HelloReply(
        HelloStatus.fromCode(u8(h, HELLO_REPLY_OFFSET_STATUS)),
        WireText.decodeUtf8("HelloReply", "reason", frame.drop(HELLO_REPLY_HEADER_SIZE)));
  }

  // ------------------------------------------------------------------------------------------
  // main channel records

  /** A main-channel record framed as {@code length u32 | type u8 | body}. */
  public static ByteString encodeMainRecord(MainRecord record, ProtocolLimits limits) {
    Objects.requireNonNull(record, "record");
    if (record instanceof SectionStart s) {
      return encodeSectionHeader(
          TYPE_SECTION_START,
          "SectionStart",
          s.sectionId(),
          s.deviceId(),
          s.instanceId(),
          s.versionId(),
          s.payload(),
          limits);
    } else if (record instanceof SectionFull s) {
      return encodeSectionHeader(
          TYPE_SECTION_FULL,
          "SectionFull",
          s.sectionId(),
          s.deviceId(),
          s.instanceId(),
          s.versionId(),
          s.payload(),
          limits);
    } else if (record instanceof SectionPart s) {
      return encodeSectionPart(TYPE_SECTION_PART, "SectionPart", s.sectionId(), s.payload(), limits);
    } else if (record instanceof SectionEnd s) {
      return encodeSectionPart(TYPE_SECTION_END, "SectionEnd", s.sectionId(), s.payload(), limits);
    } else if (record instanceof Command c) {
      ByteBuffer b = mainHeader(1 + COMMAND_HEADER_SIZE + c.data().size(), TYPE_COMMAND, 4);
      b.putShort((short) c.command());
      b.putShort((short) c.data().size());
      return ByteString.fromArrayUnsafe(b.array()).concat(c.data());
    } else if (record instanceof EndOfStream) {
      return ByteString.fromArrayUnsafe(mainHeader(1, TYPE_EOF, 0).array());
    }
    throw new IllegalStateException("unreachable: sealed MainRecord " + record.getClass());
  }

  private static ByteString encodeSectionHeader(
      byte type,
      String recordName,
      int sectionId,
      String deviceId,
      int instanceId,
      int versionId,
      ByteString payload,
      ProtocolLimits limits) {
    checkPayload(recordName, payload, limits);
    byte[] id = WireText.deviceIdBytes(recordName, deviceId);
    int headerBody = SECTION_HEADER_FIXED_SIZE + id.length;
    ByteBuffer b = mainHeader(1 + headerBody + payload.size(), type, headerBody);
    b.putInt(sectionId);
    b.put((byte) id.length);
    b.put(id);
    b.putInt(instanceId);
    b.putInt(versionId);
    return ByteString.fromArrayUnsafe(b.array()).concat(payload);
  }

  private static ByteString encodeSectionPart(
      byte type, String recordName, int sectionId, ByteString payload, ProtocolLimits limits) {
    checkPayload(recordName, payload, limits);
    ByteBuffer b =
        mainHeader(1 + SECTION_PART_HEADER_SIZE + payload.size(), type, SECTION_PART_HEADER_SIZE);
    b.putInt(sectionId);
    return ByteString.fromArrayUnsafe(b.array()).concat(payload);
  }

  private static ByteBuffer mainHeader(int length, byte type, int bodyHeaderSize) {
    ByteBuffer b = ByteBuffer.allocate(MAIN_FRAME_HEADER_SIZE + bodyHeaderSize);
    b.putInt(length);
    b.put(type);
    return b;
  }

  /**
   * Incremental check of a main-channel frame; see the class comment for the result. Rejects a
   * length above {@link ProtocolLimits#maxMainFrameLength()} as soon as the 4 length bytes are
   * there, and an unknown type as soon as the type byte is.
   */
  public static int mainFrameLength(ByteString buffered, ProtocolLimits limits) {
    int n = buffered.size();
    if (n < MAIN_LENGTH_FIELD_SIZE) {
      return -MAIN_LENGTH_FIELD_SIZE;
    }
    ByteBuffer h = head(buffered, Math.min(n, MAIN_FRAME_HEADER_SIZE));
    long length = u32(h, 0);
    if (length < 1 || length > limits.maxMainFrameLength()) {
      throw new ProtocolException(
          "MainFrame", "length", "1.." + limits.maxMainFrameLength(), Long.toString(length));
    }
    if (n < MAIN_FRAME_HEADER_SIZE) {
      return -MAIN_FRAME_HEADER_SIZE;
    }
    mainRecordName(h.get(MAIN_LENGTH_FIELD_SIZE));
    return MAIN_LENGTH_FIELD_SIZE + (int) length;
  }

  /** Decodes exactly one main-channel frame. */
  public static MainRecord decodeMainRecord(ByteString frame, ProtocolLimits limits) {
    requireWhole("MainFrame", frame, mainFrameLength(frame, limits));
    byte type = frame.apply(MAIN_LENGTH_FIELD_SIZE);
    String name = mainRecordName(type);
    ByteString body = frame.drop(MAIN_FRAME_HEADER_SIZE);
    switch (type) {
      case TYPE_EOF:
        if (!body.isEmpty()) {
          throw new ProtocolException(
              name, "length", "1 (empty body)", Integer.toString(1 + body.size()));
        }
        return EndOfStream.INSTANCE;
      case TYPE_SECTION_START:
      case TYPE_SECTION_FULL:
        return decodeSectionWithId(type, name, body, limits);
      case TYPE_SECTION_PART:
      case TYPE_SECTION_END:
        {
          requireBody(name, body, SECTION_PART_HEADER_SIZE);
          ByteBuffer h = head(body, SECTION_PART_HEADER_SIZE);
          int sectionId = s31(name, "sectionId", u32(h, 0), null);
          ByteString payload = body.drop(SECTION_PART_HEADER_SIZE);
          checkPayload(name, payload, limits);
          return type == TYPE_SECTION_PART
              ? new SectionPart(sectionId, payload)
              : new SectionEnd(sectionId, payload);
        }
      case TYPE_COMMAND:
        {
          requireBody(name, body, COMMAND_HEADER_SIZE);
          ByteBuffer h = head(body, COMMAND_HEADER_SIZE);
          int command = u16(h, 0);
          int dataLength = u16(h, 2);
          int rest = body.size() - COMMAND_HEADER_SIZE;
          if (dataLength != rest) {
            throw new ProtocolException(
                name,
                "dataLength",
                rest + " (the rest of the frame)",
                Integer.toString(dataLength),
                "command " + Command.name(command));
          }
          return new Command(command, body.drop(COMMAND_HEADER_SIZE));
        }
      default:
        throw new IllegalStateException("unreachable: type checked by mainRecordName");
    }
  }

  private static MainRecord decodeSectionWithId(
      byte type, String name, ByteString body, ProtocolLimits limits) {
    requireBody(name, body, 5);
    int idLength = body.apply(4) & 0xFF;
    if (idLength < 1) {
      throw new ProtocolException(name, "deviceIdLength", "1.." + MAX_DEVICE_ID_BYTES, "0");
    }
    requireBody(name, body, SECTION_HEADER_FIXED_SIZE + 1);
    int idRoom = body.size() - SECTION_HEADER_FIXED_SIZE;
    if (idLength > idRoom) {
      throw new ProtocolException(
          name,
          "deviceIdLength",
          "1.." + idRoom + " (what the frame length leaves for the id)",
          Integer.toString(idLength));
    }
    ByteBuffer h = head(body, SECTION_HEADER_FIXED_SIZE + idLength);
    String deviceId = WireText.decodeDeviceId(name, body.slice(5, 5 + idLength));
    String where = "device " + WireText.quoted(deviceId);
    int sectionId = s31(name, "sectionId", u32(h, 0), where);
    int instanceId = s31(name, "instanceId", u32(h, 5 + idLength), where);
    int versionId = s31(name, "versionId", u32(h, 9 + idLength), where);
    ByteString payload = body.drop(SECTION_HEADER_FIXED_SIZE + idLength);
    checkPayload(name, payload, limits);
    return type == TYPE_SECTION_START
        ? new SectionStart(sectionId, deviceId, instanceId, versionId, payload)
        : new SectionFull(sectionId, deviceId, instanceId, versionId, payload);
  }

  private static String mainRecordName(byte type) {
    return switch (type) {
      case TYPE_EOF -> "EndOfStream";
      case TYPE_SECTION_START -> "SectionStart";
      case TYPE_SECTION_PART -> "SectionPart";
      case TYPE_SECTION_END -> "SectionEnd";
      case TYPE_SECTION_FULL -> "SectionFull";
      case TYPE_COMMAND -> "Command";
      default -> throw new ProtocolException(
          "MainFrame",
          "type",
          "one of 0x00 (EOF), 0x01 (SECTION_START), 0x02 (SECTION_PART), 0x03 (SECTION_END),"
              + " 0x04 (SECTION_FULL), 0x08 (COMMAND)",
          hex8(type));
    };
  }

  private static void requireBody(String name, ByteString body, int minimum) {
    if (body.size() < minimum) {
      throw new ProtocolException(
          name, "length", "at least " + (1 + minimum), Integer.toString(1 + body.size()));
    }
  }

  // ------------------------------------------------------------------------------------------
  // multifd packets

  /**
   * A multifd packet: {@code type u8 | version u8 | flags u16 | ...}. A {@link DeviceStatePacket}
   * gets the CRC32C of its payload.
   */
  public static ByteString encodeMultifdPacket(MultifdPacket packet, ProtocolLimits limits) {
    Objects.requireNonNull(packet, "packet");
    if (packet instanceof DeviceStatePacket p) {
      checkPayload("DeviceStatePacket", p.payload(), limits);
      byte[] id = WireText.deviceIdBytes("DeviceStatePacket", p.deviceId());
      ByteBuffer b = ByteBuffer.allocate(DEVICE_STATE_HEADER_FIXED_SIZE + id.length);
      b.put(TYPE_DEVICE_STATE);
      b.put((byte) MULTIFD_VERSION);
      b.putShort((short) 0);
      b.putLong(p.sequence());
      b.putInt(p.instanceId());
      b.putInt(p.payload().size());
      b.putInt(crc32c(p.payload()));
      b.put((byte) id.length);
      b.put(id);
      return ByteString.fromArrayUnsafe(b.array()).concat(p.payload());
    } else if (packet instanceof ChannelEnd end) {
      ByteBuffer b = ByteBuffer.allocate(CHANNEL_END_SIZE);
      b.put(TYPE_CHANNEL_END);
      b.put((byte) MULTIFD_VERSION);
      b.putShort((short) 0);
      b.putLong(end.packetCount());
      return ByteString.fromArrayUnsafe(b.array());
    }
    throw new IllegalStateException("unreachable: sealed MultifdPacket " + packet.getClass());
  }

  /**
   * Incremental check of a multifd packet; see the class comment for the result. Rejects a payload
   * length above {@link ProtocolLimits#maxFramePayload()} as soon as the header is there.
   */
  public static int multifdFrameLength(ByteString buffered, ProtocolLimits limits) {
    int n = buffered.size();
    if (n < 1) {
      return -MULTIFD_COMMON_HEADER_SIZE;
    }
    ByteBuffer h = head(buffered, Math.min(n, DEVICE_STATE_HEADER_FIXED_SIZE));
    byte type = h.get(0);
    if (type != TYPE_DEVICE_STATE && type != TYPE_CHANNEL_END) {
      throw new ProtocolException(
          "MultifdPacket",
          "type",
          "0x40 (DEVICE_STATE) or 0x41 (CHANNEL_END)",
          hex8(type));
    }
    if (n >= 2 && u8(h, 1) != MULTIFD_VERSION) {
      throw new ProtocolException(
          "MultifdPacket",
          "version",
          Integer.toString(MULTIFD_VERSION),
          Integer.toString(u8(h, 1)));
    }
    if (n >= 4 && u16(h, 2) != 0) {
      throw new ProtocolException(
          "MultifdPacket", "flags", "0x0000", String.format("0x%04x", u16(h, 2)));
    }
    if (type == TYPE_CHANNEL_END) {
      if (n < CHANNEL_END_SIZE) {
        return -CHANNEL_END_SIZE;
      }
      s63("ChannelEnd", "packetCount", h.getLong(4));
      return CHANNEL_END_SIZE;
    }
    if (n < DEVICE_STATE_HEADER_FIXED_SIZE) {
      return -DEVICE_STATE_HEADER_FIXED_SIZE;
    }
    s63("DeviceStatePacket", "sequence", h.getLong(DEVICE_STATE_OFFSET_SEQUENCE));
    s31("DeviceStatePacket", "instanceId", u32(h, DEVICE_STATE_OFFSET_INSTANCE_ID), null);
    long payloadLength = u32(h, DEVICE_STATE_OFFSET_PAYLOAD_LENGTH);
    if (payloadLength < 1 || payloadLength > limits.maxFramePayload()) {
      throw new ProtocolException(
          "DeviceStatePacket",
          "payloadLength",
          "1.." + limits.maxFramePayload(),
          Long.toString(payloadLength));
    }
    int idLength = u8(h, DEVICE_STATE_OFFSET_ID_LENGTH);
    if (idLength < 1) {
      throw new ProtocolException(
          "DeviceStatePacket", "deviceIdLength", "1.." + MAX_DEVICE_ID_BYTES, "0");
    }
    return DEVICE_STATE_HEADER_FIXED_SIZE + idLength + (int) payloadLength;
  }

  /** Decodes exactly one multifd packet, checking a device-state packet's CRC32C. */
  public static MultifdPacket decodeMultifdPacket(ByteString frame, ProtocolLimits limits) {
    int length = multifdFrameLength(frame, limits);
    requireWhole(
        frame.nonEmpty() && frame.apply(0) == TYPE_CHANNEL_END
            ? "ChannelEnd"
            : "DeviceStatePacket",
        frame,
        length);
    ByteBuffer h = head(frame, Math.min(frame.size(), DEVICE_STATE_HEADER_FIXED_SIZE));
    if (h.get(0) == TYPE_CHANNEL_END) {
      return new ChannelEnd(h.getLong(4));
    }
    int idLength = u8(h, DEVICE_STATE_OFFSET_ID_LENGTH);
    String deviceId =
        WireText.decodeDeviceId(
            "DeviceStatePacket",
            frame.slice(DEVICE_STATE_HEADER_FIXED_SIZE, DEVICE_STATE_HEADER_FIXED_SIZE + idLength));
    long sequence = h.getLong(DEVICE_STATE_OFFSET_SEQUENCE);
    ByteString payload = frame.drop(DEVICE_STATE_HEADER_FIXED_SIZE + idLength);
    int expectedCrc = h.getInt(DEVICE_STATE_OFFSET_CRC32C);
    int actualCrc = crc32c(payload);
    if (actualCrc != expectedCrc) {
      throw new ProtocolException(
          "DeviceStatePacket",
          "crc32c",
          hex32(expectedCrc),
          hex32(actualCrc),
          "device " + WireText.quoted(deviceId) + ", sequence " + sequence);
    }
    return new DeviceStatePacket(
        deviceId, (int) u32(h, DEVICE_STATE_OFFSET_INSTANCE_ID), sequence, payload);
  }

  /**
   * CRC-32C (Castagnoli) of {@code bytes}, fed segment by segment from {@link
   * ByteString#getByteBuffers()} without compacting them.
   */
  public static int crc32c(ByteString bytes) {
    CRC32C crc = new CRC32C();
    for (ByteBuffer segment : bytes.getByteBuffers()) {
      crc.update(segment);
    }
    return (int) crc.getValue();
  }

  // ------------------------------------------------------------------------------------------
  // shared helpers

  /** The first {@code n} bytes as a big-endian buffer indexed from 0; copies at most a header. */
  private static ByteBuffer head(ByteString bytes, int n) {
    return bytes.take(n).asByteBuffer().slice();
  }

  private static int u8(ByteBuffer b, int offset) {
    return b.get(offset) & 0xFF;
  }

  private static int u16(ByteBuffer b, int offset) {
    return b.getShort(offset) & 0xFFFF;
  }

  private static long u32(ByteBuffer b, int offset) {
    return b.getInt(offset) & 0xFFFF_FFFFL;
  }

  /** A u32 field that the record keeps as a non-negative {@code int}. */
  private static int s31(String record, String field, long value, String context) {
    if (value > Integer.MAX_VALUE) {
      throw new ProtocolException(
          record, field, "0.." + Integer.MAX_VALUE, Long.toString(value), context);
    }
    return (int) value;
  }

  /** A u64 field that the record keeps as a non-negative {@code long}. */
  private static long s63(String record, String field, long value) {
    if (value < 0) {
      throw new ProtocolException(
          record, field, "0.." + Long.MAX_VALUE, Long.toUnsignedString(value));
    }
    return value;
  }

  private static void checkMagic(String record, int magic) {
    if (magic != MAGIC) {
      throw new ProtocolException(record, "magic", hex32(MAGIC) + " (\"FRRY\")", hex32(magic));
    }
  }

  private static void checkReserved(String record, int reserved) {
    if (reserved != 0) {
      throw new ProtocolException(record, "reserved", "0", Integer.toString(reserved));
    }
  }

  private static void checkPayload(String record, ByteString payload, ProtocolLimits limits) {
    if (payload.size() > limits.maxFramePayload()) {
      throw new ProtocolException(
          record,
          "payload",
          "at most " + limits.maxFramePayload() + " bytes",
          payload.size() + " bytes");
    }
  }

  /** Fails unless {@code frame} is exactly the frame {@code length} describes. */
  static void requireWhole(String record, ByteString frame, int length) {
    if (length < 0) {
      throw new ProtocolException(
          record,
          "frame",
          "at least " + -length + " bytes",
          frame.size() + " bytes",
          "truncated: the header is incomplete");
    }
    if (frame.size() < length) {
      throw new ProtocolException(
          record, "frame", length + " bytes", frame.size() + " bytes", "truncated");
    }
    if (frame.size() > length) {
      throw new ProtocolException(
          record,
          "frame",
          length + " bytes",
          frame.size() + " bytes",
          "trailing bytes after the frame");
    }
  }

  static String hex8(byte value) {
    return String.format("0x%02x", value & 0xFF);
  }

  static String hex32(int value) {
    return String.format("0x%08x", value);
  }
}

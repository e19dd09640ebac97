package io.ferry.protocol.codec;

import static io.ferry.protocol.testing.Hex.golden;
import static io.ferry.protocol.testing.ProtocolAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.util.ByteString;
import io.ferry.protocol.ProtocolLimits;
import io.ferry.protocol.testing.Hex;
import io.ferry.protocol.testing.Samples;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Each way a frame can be wrong, decoded with the pure frame decoders: the exception names record,
 * field, expected and actual. Fixtures are patched at the offsets of the byte tables.
 */
class MalformedInputTest {

  private static final ProtocolLimits LIMITS = ProtocolLimits.DEFAULT;
  private static final String MAIN_LENGTH_RANGE = "1.." + LIMITS.maxMainFrameLength();

  /** {@code bytes} with the bytes at {@code offset} replaced by {@code hex}. */
  static ByteString patch(ByteString bytes, int offset, String hex) {
    ByteString replacement = Hex.parse(hex);
    return bytes
        .take(offset)
        .concat(replacement)
        .concat(bytes.drop(offset + replacement.size()));
  }

  @Nested
  class ChannelHelloFrames {

    private final ByteString hello = golden("channel-hello-multifd");

    @Test
    void wrongMagicIsRejectedFromTheFirstFourBytes() {
      ByteString qemu = patch(hello, 0, "5145564d"); // "QEVM", QEMU's main stream magic
      assertRejected(
          "ChannelHello",
          "magic",
          "0x46525259 (\"FRRY\")",
          "0x5145564d",
          () -> PacketCodec.channelHelloFrameLength(qemu.take(4), LIMITS));
      assertRejected(
          "ChannelHello",
          "magic",
          "0x46525259 (\"FRRY\")",
          "0x5145564d",
          () -> PacketCodec.decodeChannelHello(qemu, LIMITS));
    }

    @Test
    void unsupportedVersion() {
      assertRejected(
          "ChannelHello",
          "version",
          "1",
          "2",
          () -> PacketCodec.decodeChannelHello(patch(hello, 4, "0002"), LIMITS));
    }

    @Test
    void unknownRole() {
      assertRejected(
          "ChannelHello",
          "role",
          "0 (MAIN) or 1 (MULTIFD)",
          "2",
          () -> PacketCodec.decodeChannelHello(patch(hello, 6, "02"), LIMITS));
    }

    @Test
    void reservedByteSet() {
      assertRejected(
          "ChannelHello",
          "reserved",
          "0",
          "128",
          () -> PacketCodec.decodeChannelHello(patch(hello, 7, "80"), LIMITS));
    }

    @Test
    void indexNotBelowCount() {
      assertRejected(
          "ChannelHello",
          "channelIndex",
          "0..3 (< channelCount 4)",
          "4",
          () -> PacketCodec.decodeChannelHello(patch(hello, 24, "0004"), LIMITS));
    }

    @Test
    void countZeroOrAbove255() {
      assertRejected(
          "ChannelHello",
          "channelCount",
          "1..255",
          "0",
          () -> PacketCodec.decodeChannelHello(patch(hello, 24, "0000 0000"), LIMITS));
      assertRejected(
          "ChannelHello",
          "channelCount",
          "1..255",
          "256",
          () -> PacketCodec.decodeChannelHello(patch(hello, 26, "0100"), LIMITS));
    }

    @Test
    void tokenLongerThanTheLimitIsRejectedFromTheHeader() {
      ProtocolLimits tight = new ProtocolLimits(64, 4);
      assertRejected(
          "ChannelHello",
          "authTokenLength",
          "0..4",
          "6",
          () -> PacketCodec.channelHelloFrameLength(hello.take(38), tight));
      assertRejected(
          "ChannelHello",
          "authToken",
          "at most 4 bytes",
          "6 bytes",
          () -> PacketCodec.encodeChannelHello(
              Samples.HELLO_MULTIFD, tight));
    }

    @Test
    void truncatedHeaderOrToken() {
      assertRejected(
          "ChannelHello",
          "frame",
          "at least 38 bytes",
          "37 bytes",
          "truncated",
          () -> PacketCodec.decodeChannelHello(hello.take(37), LIMITS));
      assertRejected(
          "ChannelHello",
          "frame",
          "44 bytes",
          "40 bytes",
          "truncated",
          () -> PacketCodec.decodeChannelHello(hello.take(40), LIMITS));
      assertRejected(
          "ChannelHello",
          "frame",
          "44 bytes",
          "45 bytes",
          "trailing",
          () -> PacketCodec.decodeChannelHello(hello.concat(Hex.parse("00")), LIMITS));
    }

    @Test
    void incompleteHeaderAsksForMoreBytes() {
      assertEquals(-4, PacketCodec.channelHelloFrameLength(hello.take(3), LIMITS));
      assertEquals(-38, PacketCodec.channelHelloFrameLength(hello.take(20), LIMITS));
      assertEquals(44, PacketCodec.channelHelloFrameLength(hello.take(38), LIMITS));
    }
  }

  @Nested
  class HelloReplyFrames {

    private final ByteString reply = golden("hello-reply-rejected");

    @Test
    void wrongMagicVersionStatusOrReserved() {
      assertRejected(
          "HelloReply",
          "magic",
          "0x46525259 (\"FRRY\")",
          "0x11223344",
          () -> PacketCodec.decodeHelloReply(patch(reply, 0, "11223344")));
      assertRejected(
          "HelloReply", "version", "1", "0", () -> PacketCodec.decodeHelloReply(patch(reply, 4,
              "0000")));
      assertRejected(
          "HelloReply", "status", "0..8", "9", () -> PacketCodec.decodeHelloReply(patch(reply, 6,
              "09")));
      assertRejected(
          "HelloReply", "reserved", "0", "1", () -> PacketCodec.decodeHelloReply(patch(reply, 7,
              "01")));
    }

    @Test
    void reasonTooLongIsRejectedFromTheHeader() {
      assertRejected(
          "HelloReply",
          "reasonLength",
          "0..1024",
          "1025",
          () -> PacketCodec.helloReplyFrameLength(patch(reply, 8, "0401").take(10)));
    }

    @Test
    void reasonMustBeValidUtf8() {
      ByteString bad = golden("hello-reply-accepted").dropRight(2).concat(Hex.parse("0002 c328"));
      assertRejected(
          "HelloReply", "reason", "valid UTF-8", "0xc328", () -> PacketCodec.decodeHelloReply(bad));
    }
  }

  @Nested
  class MainFrames {

    @Test
    void overLongLengthIsRejectedFromTheFourLengthBytes() {
      assertRejected(
          "MainFrame",
          "length",
          MAIN_LENGTH_RANGE,
          "4294967295",
          () -> PacketCodec.mainFrameLength(Hex.parse("ffffffff"), LIMITS));
      int justAbove = LIMITS.maxMainFrameLength() + 1;
      assertRejected(
          "MainFrame",
          "length",
          MAIN_LENGTH_RANGE,
          Integer.toString(justAbove),
          () -> PacketCodec.mainFrameLength(
              ByteString.fromArray(java.nio.ByteBuffer.allocate(4).putInt(justAbove).array()),
              LIMITS));
    }

    @Test
    void zeroLengthHasNoRoomForTheType() {
      assertRejected(
          "MainFrame",
          "length",
          MAIN_LENGTH_RANGE,
          "0",
          () -> PacketCodec.mainFrameLength(Hex.parse("00000000"), LIMITS));
    }

    @Test
    void unknownRecordType() {
      assertRejected(
          "MainFrame",
          "type",
          "one of 0x00 (EOF), 0x01 (SECTION_START), 0x02 (SECTION_PART), 0x03 (SECTION_END),"
              + " 0x04 (SECTION_FULL), 0x08 (COMMAND)",
          "0x07",
          () -> PacketCodec.mainFrameLength(Hex.parse("00000001 07"), LIMITS));
    }

    @Test
    void endOfStreamWithABody() {
      assertRejected(
          "EndOfStream",
          "length",
          "1 (empty body)",
          "2",
          () -> PacketCodec.decodeMainRecord(Hex.parse("00000002 00 00"), LIMITS));
    }

    @Test
    void emptyDeviceId() {
      ByteString start = Hex.parse("00000012 01 00000001 00 00000000 00000001 ffffffff");
      assertRejected(
          "SectionStart",
          "deviceIdLength",
          "1..255",
          "0",
          () -> PacketCodec.decodeMainRecord(start, LIMITS));
    }

    @Test
    void deviceIdLongerThanTheFrame() {
      // idLen 0x30 = 48, but the frame leaves 17 + 16 payload bytes = 33 after the fixed fields
      ByteString start = patch(golden("section-start"), 9, "30");
      assertRejected(
          "SectionStart",
          "deviceIdLength",
          "1..33 (what the frame length leaves for the id)",
          "48",
          () -> PacketCodec.decodeMainRecord(start, LIMITS));
    }

    @Test
    void deviceIdWithNul() {
      ByteString full = patch(golden("section-full"), 10 + 4, "00");
      assertRejected(
          "SectionFull",
          "deviceId",
          "1..255 UTF-8 bytes without NUL",
          "NUL at byte 4 in 0x303030300030303a30332e302f7666696f",
          () -> PacketCodec.decodeMainRecord(full, LIMITS));
    }

    @Test
    void deviceIdNotUtf8() {
      ByteString start = patch(golden("section-start"), 10, "c328");
      assertRejected(
          "SectionStart",
          "deviceId",
          "valid UTF-8",
          "0xc32830303a30303a30332e302f7666696f",
          () -> PacketCodec.decodeMainRecord(start, LIMITS));
    }

    @Test
    void sectionIdAbove2to31() {
      assertRejected(
          "SectionPart",
          "sectionId",
          "0..2147483647",
          "2147483648",
          () -> PacketCodec.decodeMainRecord(patch(golden("section-part"), 5, "80000000"),
              LIMITS));
      assertRejected(
          "SectionStart",
          "instanceId",
          "0..2147483647",
          "4294967295",
          "device \"0000:00:03.0/vfio\"",
          () -> PacketCodec.decodeMainRecord(patch(golden("section-start"), 27, "ffffffff"),
              LIMITS));
    }

    @Test
    void bodyTooShortForItsType() {
      assertRejected(
          "SectionEnd",
          "length",
          "at least 5",
          "3",
          () -> PacketCodec.decodeMainRecord(Hex.parse("00000003 03 0000"), LIMITS));
      assertRejected(
          "Command",
          "length",
          "at least 5",
          "2",
          () -> PacketCodec.decodeMainRecord(Hex.parse("00000002 08 00"), LIMITS));
    }

    @Test
    void payloadAboveTheLimit() {
      ProtocolLimits tight = new ProtocolLimits(8, 0);
      assertRejected(
          "SectionPart",
          "payload",
          "at most 8 bytes",
          "28 bytes",
          () -> PacketCodec.decodeMainRecord(golden("section-part"), tight));
      assertRejected(
          "SectionPart",
          "payload",
          "at most 8 bytes",
          "28 bytes",
          () -> PacketCodec.encode(Samples.SECTION_PART, tight));
    }

    @Test
    void unknownCommand() {
      assertRejected(
          "Command",
          "command",
          "one of 2 (PING), 11 (SWITCHOVER_START), 32768 (SYNC)",
          "5",
          () -> PacketCodec.decodeMainRecord(Hex.parse("00000005 08 0005 0000"), LIMITS));
    }

    @Test
    void wrongDataLengthForAKnownCommand() {
      assertRejected(
          "Command",
          "data",
          "0 bytes for SWITCHOVER_START",
          "2 bytes",
          () -> PacketCodec.decodeMainRecord(Hex.parse("00000007 08 000b 0002 abcd"), LIMITS));
    }

    @Test
    void commandLengthFieldDisagreesWithTheFrame() {
      assertRejected(
          "Command",
          "dataLength",
          "8 (the rest of the frame)",
          "4",
          "command SYNC",
          () -> PacketCodec.decodeMainRecord(patch(golden("command-sync"), 7, "0004"), LIMITS));
    }

    @Test
    void truncatedFrame() {
      assertRejected(
          "MainFrame",
          "frame",
          "37 bytes",
          "36 bytes",
          "truncated",
          () -> PacketCodec.decodeMainRecord(golden("section-part").dropRight(1), LIMITS));
    }
  }

  @Nested
  class MultifdFrames {

    private final ByteString packet = golden("device-state-packet");

    @Test
    void unknownTypeIsRejectedFromTheFirstByte() {
      assertRejected(
          "MultifdPacket",
          "type",
          "0x40 (DEVICE_STATE) or 0x41 (CHANNEL_END)",
          "0x42",
          () -> PacketCodec.multifdFrameLength(Hex.parse("42"), LIMITS));
    }

    @Test
    void unsupportedVersion() {
      assertRejected(
          "MultifdPacket",
          "version",
          "1",
          "2",
          () -> PacketCodec.decodeMultifdPacket(patch(packet, 1, "02"), LIMITS));
    }

    @Test
    void flagsMustBeZero() {
      assertRejected(
          "MultifdPacket",
          "flags",
          "0x0000",
          "0x0040",
          () -> PacketCodec.decodeMultifdPacket(patch(packet, 2, "0040"), LIMITS));
      assertRejected(
          "MultifdPacket",
          "flags",
          "0x0000",
          "0x8000",
          () -> PacketCodec.decodeMultifdPacket(patch(golden("channel-end"), 2, "8000"), LIMITS));
    }

    @Test
    void payloadLengthZeroOrAboveTheLimitIsRejectedFromTheHeader() {
      assertRejected(
          "DeviceStatePacket",
          "payloadLength",
          "1.." + LIMITS.maxFramePayload(),
          "0",
          () -> PacketCodec.multifdFrameLength(patch(packet, 16, "00000000").take(25), LIMITS));
      assertRejected(
          "DeviceStatePacket",
          "payloadLength",
          "1.." + LIMITS.maxFramePayload(),
          "4294967295",
          () -> PacketCodec.multifdFrameLength(patch(packet, 16, "ffffffff").take(25), LIMITS));
    }

    @Test
    void emptyDeviceId() {
      assertRejected(
          "DeviceStatePacket",
          "deviceIdLength",
          "1..255",
          "0",
          () -> PacketCodec.multifdFrameLength(patch(packet, 24, "00").take(25), LIMITS));
    }

    @Test
    void deviceIdWithNulLikeAnUnterminatedQemuIdstr() {
      assertRejected(
          "DeviceStatePacket",
          "deviceId",
          "1..255 UTF-8 bytes without NUL",
          "NUL at byte 16 in 0x303030303a30303a30332e302f76666900",
          () -> PacketCodec.decodeMultifdPacket(patch(packet, 25 + 16, "00"), LIMITS));
    }

    @Test
    void deviceIdNotUtf8() {
      assertRejected(
          "DeviceStatePacket",
          "deviceId",
          "valid UTF-8",
          "0x303030303a30303a30332e302f7666ff6f",
          () -> PacketCodec.decodeMultifdPacket(patch(packet, 25 + 15, "ff"), LIMITS));
    }

    @Test
    void crcMismatchNamesTheDeviceAndSequence() {
      ByteString corrupt = patch(packet, packet.size() - 1, "ee"); // deadbeef -> deadbeee
      int actual = PacketCodec.crc32c(corrupt.drop(42));
      assertRejected(
          "DeviceStatePacket",
          "crc32c",
          "0xd13ab2d8",
          String.format("0x%08x", actual),
          "device \"0000:00:03.0/vfio\", sequence 5",
          () -> PacketCodec.decodeMultifdPacket(corrupt, LIMITS));
    }

    @Test
    void sequenceAndInstanceIdOutOfTheRecordRange() {
      assertRejected(
          "DeviceStatePacket",
          "sequence",
          "0..9223372036854775807",
          "18446744073709551615",
          () -> PacketCodec.decodeMultifdPacket(patch(packet, 4, "ffffffffffffffff"), LIMITS));
      assertRejected(
          "DeviceStatePacket",
          "instanceId",
          "0..2147483647",
          "2147483648",
          () -> PacketCodec.decodeMultifdPacket(patch(packet, 12, "80000000"), LIMITS));
      assertRejected(
          "ChannelEnd",
          "packetCount",
          "0..9223372036854775807",
          "9223372036854775808",
          () -> PacketCodec.decodeMultifdPacket(
              patch(golden("channel-end"), 4, "8000000000000000"), LIMITS));
    }

    @Test
    void truncatedPacket() {
      assertRejected(
          "DeviceStatePacket",
          "frame",
          "58 bytes",
          "57 bytes",
          "truncated",
          () -> PacketCodec.decodeMultifdPacket(packet.dropRight(1), LIMITS));
      assertRejected(
          "ChannelEnd",
          "frame",
          "at least 12 bytes",
          "11 bytes",
          "truncated",
          () -> PacketCodec.decodeMultifdPacket(golden("channel-end").dropRight(1), LIMITS));
    }
  }

  @Nested
  class DeviceStateChunks {

    private final ByteString chunk = golden("device-state-chunk-data");

    @Test
    void versionOtherThanZero() {
      assertRejected(
          "DeviceStateChunk",
          "version",
          "0",
          "1",
          "device \"vfio0\"",
          () -> DeviceStateChunkCodec.decode(patch(chunk, 0, "00000001"), "vfio0"));
    }

    @Test
    void reservedIndex() {
      assertRejected(
          "DeviceStateChunk",
          "index",
          "0..4294967294 (0xFFFFFFFF is reserved)",
          "4294967295",
          "device \"vfio0\"",
          () -> DeviceStateChunkCodec.decode(patch(chunk, 4, "ffffffff"), "vfio0"));
      assertRejected(
          "DeviceStateChunk",
          "index",
          "0..4294967294 (0xFFFFFFFF is reserved)",
          "4294967295",
          () -> DeviceStateChunkCodec.encodeHeader(0xFFFF_FFFFL, 0));
    }

    @Test
    void unknownFlagBits() {
      assertRejected(
          "DeviceStateChunk",
          "flags",
          "0x0 or 0x1 (CONFIG_STATE)",
          "0x80000001",
          "device \"vfio0\", index 5",
          () -> DeviceStateChunkCodec.decode(patch(chunk, 8, "80000001"), "vfio0"));
      assertRejected(
          "DeviceStateChunk",
          "flags",
          "0x0 or 0x1 (CONFIG_STATE)",
          "0x2",
          () -> DeviceStateChunkCodec.encodeHeader(0, 2));
    }

    @Test
    void headerShorterThanTwelveBytes() {
      assertRejected(
          "DeviceStateChunk",
          "header",
          "12 bytes",
          "11 bytes",
          "device \"vfio0\"",
          () -> DeviceStateChunkCodec.decode(chunk.take(11), "vfio0"));
    }
  }
}

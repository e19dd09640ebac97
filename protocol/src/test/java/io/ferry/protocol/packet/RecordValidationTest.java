package io.ferry.protocol.packet;

import static io.ferry.protocol.testing.ProtocolAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.util.ByteString;
import io.ferry.protocol.WireFormat;
import io.ferry.protocol.testing.Samples;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Compact constructors reject what the wire cannot carry, naming the field. */
class RecordValidationTest {

  private static final ByteString EMPTY = ByteString.emptyByteString();
  private static final ByteString ONE = ByteString.fromArray(new byte[] {1});
  private static final UUID ID = Samples.MIGRATION;

  @Test
  void channelHelloBoundsCountIndexAndVersion() {
    assertRejected(
        "ChannelHello",
        "channelCount",
        "1..255",
        "0",
        () -> ChannelHello.of(ID, ChannelRole.MAIN, 0, 0, 0, EMPTY));
    assertRejected(
        "ChannelHello",
        "channelCount",
        "1..255",
        "256",
        () -> ChannelHello.of(ID, ChannelRole.MAIN, 0, 256, 0, EMPTY));
    assertRejected(
        "ChannelHello",
        "channelIndex",
        "0..3 (< channelCount 4)",
        "4",
        () -> ChannelHello.of(ID, ChannelRole.MULTIFD, 4, 4, 0, EMPTY));
    assertRejected(
        "ChannelHello",
        "channelIndex",
        "0..3 (< channelCount 4)",
        "-1",
        () -> ChannelHello.of(ID, ChannelRole.MULTIFD, -1, 4, 0, EMPTY));
    assertRejected(
        "ChannelHello",
        "version",
        "0..65535",
        "65536",
        () -> new ChannelHello(65536, ID, ChannelRole.MAIN, 0, 1, 0, EMPTY));
    assertRejected(
        "ChannelHello",
        "authToken",
        "at most 65535 bytes",
        "65536 bytes",
        () -> ChannelHello.of(ID, ChannelRole.MAIN, 0, 1, 0, ByteString.fromArray(new byte[65536])));
    NullPointerException npe =
        assertThrows(
            NullPointerException.class, () -> ChannelHello.of(null, ChannelRole.MAIN, 0, 1, 0, EMPTY));
    assertEquals("ChannelHello.migrationId", npe.getMessage());
  }

  @Test
  void channelHelloToStringNeverShowsTheToken() {
    String text = Samples.HELLO_MULTIFD.toString();
    assertFalse(text.contains("s3cr3t"), text);
    assertFalse(text.contains("115"), text); // 's' as a byte, as ByteString would print it
    assertTrue(text.contains("authToken=<6 bytes>"), text);
    assertTrue(text.contains("channel=2/4"), text);
    assertTrue(text.contains("CRC32C|CHANNEL_SEQUENCE"), text);
  }

  @Test
  void deviceIdMustBeOneTo255Utf8BytesWithoutNul() {
    assertRejected(
        "SectionStart",
        "deviceId",
        "1..255 UTF-8 bytes without NUL",
        "0 bytes",
        () -> new SectionStart(0, "", 0, 0, EMPTY));
    assertRejected(
        "SectionFull",
        "deviceId",
        "1..255 UTF-8 bytes without NUL",
        "256 bytes",
        () -> new SectionFull(0, "x".repeat(256), 0, 0, EMPTY));
    // 128 two-byte characters: 128 chars but 256 bytes
    assertRejected(
        "DeviceStatePacket",
        "deviceId",
        "1..255 UTF-8 bytes without NUL",
        "256 bytes",
        () -> new DeviceStatePacket("é".repeat(128), 0, 0, ONE));
    assertRejected(
        "DeviceStatePacket",
        "deviceId",
        "1..255 UTF-8 bytes without NUL",
        "NUL at char 4",
        () -> new DeviceStatePacket("vfio\0x", 0, 0, ONE));
    assertRejected(
        "SectionStart",
        "deviceId",
        "well-formed text",
        "unpaired surrogate in \"a\\ud800\"",
        () -> new SectionStart(0, "a\uD800", 0, 0, EMPTY));
    assertEquals(255, new SectionStart(0, "x".repeat(255), 0, 0, EMPTY).deviceId().length());
  }

  @Test
  void idsAndCountersAreNonNegative() {
    assertRejected(
        "SectionStart",
        "sectionId",
        "0..2147483647",
        "-1",
        () -> new SectionStart(-1, "d", 0, 0, EMPTY));
    assertRejected(
        "SectionStart",
        "instanceId",
        "0..2147483647",
        "-1",
        () -> new SectionStart(0, "d", -1, 0, EMPTY));
    assertRejected(
        "SectionFull",
        "versionId",
        "0..2147483647",
        "-1",
        () -> new SectionFull(0, "d", 0, -1, EMPTY));
    assertRejected(
        "SectionPart", "sectionId", "0..2147483647", "-2", () -> new SectionPart(-2, EMPTY));
    assertRejected(
        "SectionEnd", "sectionId", "0..2147483647", "-3", () -> new SectionEnd(-3, EMPTY));
    assertRejected(
        "DeviceStatePacket",
        "sequence",
        "0..9223372036854775807",
        "-1",
        () -> new DeviceStatePacket("d", 0, -1, ONE));
    assertRejected(
        "DeviceStatePacket",
        "instanceId",
        "0..2147483647",
        "-1",
        () -> new DeviceStatePacket("d", -1, 0, ONE));
    assertRejected(
        "ChannelEnd", "packetCount", "0..9223372036854775807", "-1", () -> new ChannelEnd(-1));
  }

  @Test
  void deviceStatePacketPayloadMustNotBeEmpty() {
    assertRejected(
        "DeviceStatePacket",
        "payload",
        "at least 1 byte",
        "0 bytes",
        () -> new DeviceStatePacket("d", 0, 0, EMPTY));
  }

  @Test
  void commandsAreKnownAndCarryTheirExactDataLength() {
    assertRejected(
        "Command",
        "command",
        "one of 2 (PING), 11 (SWITCHOVER_START), 32768 (SYNC)",
        "1",
        () -> new Command(1, EMPTY));
    assertRejected(
        "Command",
        "data",
        "0 bytes for SWITCHOVER_START",
        "1 bytes",
        () -> new Command(Command.SWITCHOVER_START, ONE));
    assertRejected(
        "Command", "data", "8 bytes for SYNC", "4 bytes", () -> new Command(Command.SYNC,
            ByteString.fromArray(new byte[4])));
    assertRejected(
        "Command", "data", "4 bytes for PING", "0 bytes", () -> new Command(Command.PING, EMPTY));
  }

  @Test
  void commandFactoriesCarryTheirValues() {
    assertEquals(0x0123456789abcdefL, Command.sync(0x0123456789abcdefL).syncSequence());
    assertEquals(-7, Command.ping(-7).pingValue());
    assertEquals(0, Command.switchoverStart().data().size());
    assertEquals(11, Command.switchoverStart().command());
    assertEquals("Command[SYNC 3]", Command.sync(3).toString());
    assertThrows(IllegalStateException.class, () -> Command.ping(1).syncSequence());
  }

  @Test
  void helloReplyReasonIsAtMost1024Utf8Bytes() {
    assertEquals(1024, new HelloReply(HelloStatus.AUTH_FAILED, "r".repeat(1024)).reason().length());
    assertRejected(
        "HelloReply",
        "reason",
        "at most 1024 UTF-8 bytes",
        "1026 bytes",
        () -> new HelloReply(HelloStatus.AUTH_FAILED, "ü".repeat(513)));
    assertThrows(
        IllegalArgumentException.class, () -> HelloReply.rejected(HelloStatus.ACCEPTED, "no"));
    assertTrue(HelloReply.accepted().isAccepted());
    assertFalse(HelloReply.rejected(HelloStatus.BAD_ROLE, "").isAccepted());
  }

  @Test
  void deviceStateChunkRejectsOtherVersionsReservedIndexAndUnknownFlags() {
    assertRejected(
        "DeviceStateChunk", "version", "0", "1", () -> new DeviceStateChunk(1, 0, 0, EMPTY));
    assertRejected(
        "DeviceStateChunk",
        "index",
        "0..4294967294",
        "4294967295",
        () -> DeviceStateChunk.data(0xFFFF_FFFFL, EMPTY));
    assertRejected(
        "DeviceStateChunk",
        "index",
        "0..4294967294",
        "-1",
        () -> DeviceStateChunk.data(-1, EMPTY));
    assertRejected(
        "DeviceStateChunk",
        "flags",
        "0x0 or 0x1 (CONFIG_STATE)",
        "0x3",
        () -> new DeviceStateChunk(0, 3, EMPTY));
    assertTrue(DeviceStateChunk.config(WireFormat.CHUNK_MAX_INDEX, EMPTY).isConfig());
    assertFalse(DeviceStateChunk.data(0, EMPTY).isConfig());
  }

  @Test
  void payloadRecordsPrintSizesNotBytes() {
    assertEquals(
        "SectionPart[sectionId=1, payload=28 bytes]", Samples.SECTION_PART.toString());
    assertEquals(
        "DeviceStatePacket[deviceId=\"0000:00:03.0/vfio\", instanceId=0, sequence=5,"
            + " payload=16 bytes]",
        Samples.DEVICE_STATE.toString());
  }

  @Test
  void rolesAndStatusesMapToTheirWireCodes() {
    assertEquals(ChannelRole.MULTIFD, ChannelRole.fromCode(1));
    assertRejected(
        "ChannelHello", "role", "0 (MAIN) or 1 (MULTIFD)", "2", () -> ChannelRole.fromCode(2));
    for (HelloStatus status : HelloStatus.values()) {
      assertEquals(status, HelloStatus.fromCode(status.code()));
    }
    assertEquals(8, HelloStatus.CAPABILITY_MISMATCH.code());
    assertRejected("HelloReply", "status", "0..8", "9", () -> HelloStatus.fromCode(9));
  }

  @Test
  void capabilitiesDescribeKnownAndReservedBits() {
    assertEquals("CRC32C|CHANNEL_SEQUENCE", Capabilities.describe(Capabilities.SUPPORTED));
    assertEquals("CRC32C|0x10", Capabilities.describe(Capabilities.CRC32C | 0x10));
    assertEquals("none", Capabilities.describe(0));
    assertEquals(0x10, Capabilities.unsupported(Capabilities.SUPPORTED | 0x10));
  }
}

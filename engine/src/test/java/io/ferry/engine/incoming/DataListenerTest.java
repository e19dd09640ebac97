package io.ferry.engine.incoming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.util.ByteString;
import io.ferry.engine.reassembly.ReassemblyActor;
import io.ferry.protocol.ProtocolLimits;
import io.ferry.protocol.codec.PacketCodec;
import io.ferry.protocol.packet.ChannelEnd;
import io.ferry.protocol.packet.ChannelHello;
import io.ferry.protocol.packet.ChannelRole;
import io.ferry.protocol.packet.DeviceStatePacket;
import io.ferry.protocol.packet.HelloReply;
import io.ferry.protocol.packet.HelloStatus;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The destination's data port against hostile or wrong peers: every refused hello is answered
 * with its reason, and bad device-state packets fail their channel naming the device.
 */
class DataListenerTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static DataListener listener;
  private static int port;

  @BeforeAll
  static void bind() throws Exception {
    listener = new DataListener(testKit.system(), ProtocolLimits.DEFAULT, Duration.ofSeconds(20));
    port = listener.bind("127.0.0.1", 0).toCompletableFuture().get().localAddress().getPort();
  }

  @AfterAll
  static void cleanup() throws Exception {
    listener.unbind().toCompletableFuture().get();
    testKit.shutdownTestKit();
  }

  private record Fixture(
      UUID id,
      TestProbe<ReassemblyActor.Command> device,
      TestProbe<IncomingMigration.Command> incoming) {}

  private static Fixture register(int multifdChannels) {
    UUID id = UUID.randomUUID();
    TestProbe<ReassemblyActor.Command> device = testKit.createTestProbe();
    TestProbe<IncomingMigration.Command> incoming = testKit.createTestProbe();
    listener.register(new ChannelAcceptor(id, multifdChannels,
        Map.of(new ChannelAcceptor.DeviceKey("dev0", 0), device.getRef()), Set.of("legacy0"),
        incoming.getRef()));
    return new Fixture(id, device, incoming);
  }

  private static ByteString hello(UUID id, ChannelRole role, int index, int count) {
    return PacketCodec.encode(new ChannelHello(1, id, role, index, count, 0,
        ByteString.emptyByteString()));
  }

  private static HelloReply exchange(Socket s, ByteString bytes) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(bytes.toArray());
    out.flush();
    DataInputStream in = new DataInputStream(s.getInputStream());
    byte[] header = new byte[10];
    in.readFully(header);
    int reasonLength = ((header[8] & 0xFF) << 8) | (header[9] & 0xFF);
    byte[] reason = new byte[reasonLength];
    in.readFully(reason);
    return PacketCodec.decodeHelloReply(ByteString.fromArray(header).concat(
        ByteString.fromArray(reason)));
  }

  private static Socket connect() throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(10_000);
    return s;
  }

  @Test
  void anUnknownMigrationIdIsRefusedWithItsReason() throws Exception {
    try (Socket s = connect()) {
      UUID id = UUID.randomUUID();
      HelloReply r = exchange(s, hello(id, ChannelRole.MULTIFD, 0, 2));
      assertEquals(HelloStatus.UNKNOWN_MIGRATION, r.status());
      assertTrue(r.reason().contains(id.toString()), r.reason());
    }
  }

  @Test
  void aWrongMagicIsRefused() throws Exception {
    try (Socket s = connect()) {
      HelloReply r = exchange(s, ByteString.fromString("XXXX").concat(
          hello(UUID.randomUUID(), ChannelRole.MAIN, 0, 1).drop(4)));
      assertEquals(HelloStatus.BAD_MAGIC, r.status());
      assertEquals("channel hello magic: expected 0x46525259, got 0x58585858", r.reason());
      assertEquals(-1, s.getInputStream().read(), "the destination closes a refused channel");
    }
  }

  @Test
  void anUnsupportedVersionIsRefused() throws Exception {
    Fixture f = register(2);
    try (Socket s = connect()) {
      HelloReply r = exchange(s, PacketCodec.encode(new ChannelHello(7, f.id(),
          ChannelRole.MULTIFD, 0, 2, 0, ByteString.emptyByteString())));
      assertEquals(HelloStatus.UNSUPPORTED_VERSION, r.status());
      assertEquals("channel hello version: expected 1, got 7", r.reason());
    }
  }

  @Test
  void anIndexAtOrBeyondTheCountIsRefused() throws Exception {
    Fixture f = register(2);
    ByteString ok = hello(f.id(), ChannelRole.MULTIFD, 0, 2);
    // Index 2 of 2, which no correct encoder produces: patch the index field (offset 24).
    ByteString bad = ok.take(24).concat(ByteString.fromArray(new byte[] {0, 2})).concat(
        ok.drop(26));
    try (Socket s = connect()) {
      HelloReply r = exchange(s, bad);
      assertEquals(HelloStatus.BAD_CHANNEL_INDEX, r.status());
      assertEquals("multifd channel index: expected < 2, got 2", r.reason());
    }
  }

  @Test
  void aChannelCountOtherThanAnnouncedIsRefused() throws Exception {
    Fixture f = register(2);
    try (Socket s = connect()) {
      HelloReply r = exchange(s, hello(f.id(), ChannelRole.MULTIFD, 0, 3));
      assertEquals(HelloStatus.BAD_CHANNEL_INDEX, r.status());
      assertEquals("multifd channel count: expected 2, got 3", r.reason());
    }
  }

  @Test
  void aDuplicateIndexIsRefused() throws Exception {
    Fixture f = register(2);
    try (Socket first = connect(); Socket second = connect()) {
      assertEquals(HelloStatus.ACCEPTED,
          exchange(first, hello(f.id(), ChannelRole.MULTIFD, 1, 2)).status());
      HelloReply r = exchange(second, hello(f.id(), ChannelRole.MULTIFD, 1, 2));
      assertEquals(HelloStatus.DUPLICATE_CHANNEL, r.status());
      assertEquals("multifd channel 1 already set up", r.reason());
      assertEquals(-1, second.getInputStream().read(), "the destination closes a refused channel");
    }
  }

  @Test
  void anAcceptedChannelRoutesPacketsAndReportsItsCleanEnd() throws Exception {
    Fixture f = register(1);
    try (Socket s = connect()) {
      assertEquals(HelloStatus.ACCEPTED,
          exchange(s, hello(f.id(), ChannelRole.MULTIFD, 0, 1)).status());
      ByteString payload = ByteString.fromString("twelve bytes+data");
      s.getOutputStream().write(PacketCodec.encode(
          new DeviceStatePacket("dev0", 0, 0, payload)).concat(
          PacketCodec.encode(new ChannelEnd(1))).toArray());
      s.shutdownOutput();
      ReassemblyActor.ChunkReceived got =
          (ReassemblyActor.ChunkReceived) f.device().receiveMessage();
      assertEquals(payload, got.payload());
      assertEquals(new IncomingMigration.MultifdChannelEnded(0, 1),
          f.incoming().receiveMessage());
      assertEquals(new IncomingMigration.MultifdChannelClosed(0), f.incoming().receiveMessage());
    }
  }

  @Test
  void aPacketForAnUnknownDeviceFailsTheChannelNamingIt() throws Exception {
    Fixture f = register(1);
    try (Socket s = connect()) {
      exchange(s, hello(f.id(), ChannelRole.MULTIFD, 0, 1));
      s.getOutputStream().write(PacketCodec.encode(new DeviceStatePacket("nope", 3, 0,
          ByteString.fromString("x"))).toArray());
      IncomingMigration.MultifdChannelFailed failed =
          (IncomingMigration.MultifdChannelFailed) f.incoming().receiveMessage();
      assertTrue(failed.reason().contains("unknown device 'nope' instance 3"), failed.reason());
      f.device().expectNoMessage(Duration.ofMillis(100));
    }
  }

  @Test
  void aPacketForADeviceNotDoingMultifdFailsTheChannel() throws Exception {
    Fixture f = register(1);
    try (Socket s = connect()) {
      exchange(s, hello(f.id(), ChannelRole.MULTIFD, 0, 1));
      s.getOutputStream().write(PacketCodec.encode(new DeviceStatePacket("legacy0", 0, 0,
          ByteString.fromString("x"))).toArray());
      IncomingMigration.MultifdChannelFailed failed =
          (IncomingMigration.MultifdChannelFailed) f.incoming().receiveMessage();
      assertEquals("legacy0: got device state packet but not doing multifd transfer "
          + "(instance 0)", failed.reason());
    }
  }

  @Test
  void aChannelThatEndsWithoutChannelEndIsReportedAsFailed() throws Exception {
    Fixture f = register(1);
    try (Socket s = connect()) {
      exchange(s, hello(f.id(), ChannelRole.MULTIFD, 0, 1));
      s.shutdownOutput();
      IncomingMigration.MultifdChannelFailed failed =
          (IncomingMigration.MultifdChannelFailed) f.incoming().receiveMessage();
      assertTrue(failed.reason().contains("truncated"), failed.reason());
    }
  }
}

package io.ferry.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.NotUsed;
import akka.actor.ActorSystem;
import akka.japi.Pair;
import akka.stream.ActorAttributes;
import akka.stream.Supervision;
import akka.stream.javadsl.BidiFlow;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.stream.testkit.TestSubscriber;
import akka.stream.testkit.javadsl.TestSink;
import akka.util.ByteString;
import com.typesafe.config.ConfigFactory;
import io.ferry.protocol.ProtocolException;
import io.ferry.protocol.ProtocolLimits;
import io.ferry.protocol.codec.PacketCodecFlow.Side;
import io.ferry.protocol.packet.ChannelRole;
import io.ferry.protocol.packet.DeviceStatePacket;
import io.ferry.protocol.packet.HelloReply;
import io.ferry.protocol.packet.HelloStatus;
import io.ferry.protocol.packet.Packet;
import io.ferry.protocol.testing.Hex;
import io.ferry.protocol.testing.Samples;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The BidiFlow blueprints, run on one ActorSystem shared by the class. */
class PacketCodecFlowTest {

  private static final ProtocolLimits LIMITS = ProtocolLimits.DEFAULT;
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static ActorSystem system;

  @BeforeAll
  static void startSystem() {
    system =
        ActorSystem.create(
            "PacketCodecFlowTest",
            ConfigFactory.parseString("akka.loglevel = WARNING\nakka.log-dead-letters = off")
                .withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stopSystem() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** What each side received, after running both codecs against each other. */
  record Exchange(List<Packet> atDestination, List<Packet> atSource) {}

  /**
   * Runs {@code source.atop(middle).atop(destination.reversed())}: the source sends {@code
   * sent}, the destination answers {@code reply}; {@code middle} may rechunk the bytes.
   */
  static Exchange exchange(
      ChannelRole kind,
      List<Packet> sent,
      HelloReply reply,
      BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> middle)
      throws Exception {
    BidiFlow<Packet, Packet, Packet, Packet, NotUsed> stack =
        PacketCodecFlow.channel(kind, Side.SOURCE, LIMITS)
            .atop(middle)
            .atop(PacketCodecFlow.channel(kind, Side.DESTINATION, LIMITS).reversed());
    Flow<Packet, Packet, CompletionStage<List<Packet>>> sourceView =
        stack.join(
            Flow.fromSinkAndSourceMat(
                Sink.<Packet>seq(), Source.<Packet>single(reply), Keep.left()),
            Keep.right());
    Pair<CompletionStage<List<Packet>>, CompletionStage<List<Packet>>> result =
        Source.from(sent).viaMat(sourceView, Keep.right()).toMat(Sink.seq(), Keep.both())
            .run(system);
    return new Exchange(await(result.first()), await(result.second()));
  }

  static BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> passThrough() {
    return BidiFlow.identity();
  }

  static BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> oneByteChunks() {
    Flow<ByteString, ByteString, NotUsed> split =
        Flow.<ByteString>create().mapConcat(PacketCodecFlowTest::bytesOf);
    return BidiFlow.fromFlows(split, split);
  }

  static List<ByteString> bytesOf(ByteString bytes) {
    List<ByteString> out = new ArrayList<>();
    for (int i = 0; i < bytes.size(); i++) {
      out.add(bytes.slice(i, i + 1));
    }
    return out;
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  static ProtocolException failure(CompletionStage<?> stage) {
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () -> stage.toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    return assertInstanceOf(ProtocolException.class, e.getCause());
  }

  static ByteString wire(List<? extends Packet> packets) {
    return ChannelDecoderTest.wire(packets);
  }

  @Test
  void mainChannelRoundTripsThroughSourceAtopReversedDestination() throws Exception {
    Exchange x =
        exchange(ChannelRole.MAIN, Samples.mainStream(), HelloReply.accepted(), passThrough());
    assertEquals(Samples.mainStream(), x.atDestination());
    assertEquals(List.of(HelloReply.accepted()), x.atSource());
  }

  @Test
  void multifdChannelRoundTripsInOneByteChunks() throws Exception {
    Exchange x =
        exchange(
            ChannelRole.MULTIFD, Samples.multifdStream(4), HelloReply.accepted(), oneByteChunks());
    assertEquals(Samples.multifdStream(4), x.atDestination());
    assertEquals(List.of(HelloReply.accepted()), x.atSource());
  }

  @Test
  void aRejectionReachesTheSourceWithItsReason() throws Exception {
    HelloReply no = HelloReply.rejected(HelloStatus.UNKNOWN_MIGRATION, "no such migration");
    Exchange x =
        exchange(ChannelRole.MULTIFD, Samples.multifdStream(1), no, passThrough());
    assertEquals(List.of(no), x.atSource());
  }

  @Test
  void theBlueprintCanBeRunManyTimesWithFreshState() throws Exception {
    Flow<ByteString, Packet, NotUsed> decoder =
        PacketCodecFlow.decoder(ChannelRole.MULTIFD, Side.DESTINATION, LIMITS);
    ByteString bytes = wire(Samples.multifdStream(2));
    List<CompletionStage<List<Packet>>> runs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      runs.add(Source.single(bytes).via(decoder).runWith(Sink.seq(), system));
    }
    for (CompletionStage<List<Packet>> run : runs) {
      assertEquals(Samples.multifdStream(2), await(run));
    }
  }

  @Test
  void truncatedInputFailsTheStreamWithExpectedAndPresentBytes() {
    ByteString bytes = wire(Samples.mainStream());
    CompletionStage<List<Packet>> run =
        // drop SYNC (17) and EOF (5) and the last 10 bytes of SECTION_FULL (43)
        Source.from(bytesOf(bytes.dropRight(17 + 5 + 10)))
            .via(PacketCodecFlow.decoder(ChannelRole.MAIN, Side.DESTINATION, LIMITS))
            .runWith(Sink.seq(), system);
    ProtocolException e = failure(run);
    assertEquals("MainFrame", e.record());
    assertEquals("43 bytes", e.expected());
    assertEquals("33 bytes", e.actual());
    assertTrue(e.context().startsWith("truncated: input ended mid-frame"), e.getMessage());
  }

  @Test
  void anOverLongLengthFailsWithoutWaitingForTheBody() {
    ByteString header = Hex.golden("channel-hello-main").concat(Hex.parse("ffffffff"));
    CompletionStage<List<Packet>> run =
        Source.single(header)
            .concat(Source.<ByteString>maybe()) // the connection stays open, the body never comes
            .via(PacketCodecFlow.decoder(ChannelRole.MAIN, Side.DESTINATION, LIMITS))
            .runWith(Sink.seq(), system);
    ProtocolException e = failure(run);
    assertEquals("MainFrame.length", e.record() + "." + e.field());
    assertEquals("4294967295", e.actual());
  }

  @Test
  void aResumingSupervisorCannotSkipACorruptFrame() {
    List<Packet> packets = new ArrayList<>(Samples.multifdStream(3));
    packets.set(2, new DeviceStatePacket(Samples.VFIO, 0, 7, Samples.ascii("x"))); // gap
    CompletionStage<List<Packet>> run =
        Source.single(wire(packets))
            .via(
                PacketCodecFlow.decoder(ChannelRole.MULTIFD, Side.DESTINATION, LIMITS)
                    .withAttributes(
                        ActorAttributes.withSupervisionStrategy(Supervision.getResumingDecider())))
            .runWith(Sink.seq(), system);
    ProtocolException e = failure(run);
    assertEquals("DeviceStatePacket.sequence", e.record() + "." + e.field());
    assertEquals("1", e.expected());
    assertEquals("7", e.actual());
  }

  @Test
  void theSourceEncoderRefusesPacketsOutOfOrder() {
    CompletionStage<List<ByteString>> run =
        Source.<Packet>from(List.of(Samples.HELLO_MAIN, Samples.DEVICE_STATE))
            .via(
                PacketCodecFlow.encoder(ChannelRole.MAIN, Side.SOURCE, LIMITS)
                    .withAttributes(
                        ActorAttributes.withSupervisionStrategy(Supervision.getResumingDecider())))
            .runWith(Sink.seq(), system);
    ProtocolException e = failure(run);
    assertEquals(
        "MainChannel.packet: expected a MainRecord, got unexpected DeviceStatePacket"
            + " (main channel 0/1; sending on main channel 0/1)",
        e.getMessage());
  }

  @Test
  void theSourceEncoderRefusesASequenceGap() {
    List<Packet> packets = new ArrayList<>(Samples.multifdStream(2));
    packets.set(1, new DeviceStatePacket(Samples.VFIO, 0, 1, Samples.ascii("x")));
    ProtocolException e =
        failure(
            Source.from(packets)
                .via(PacketCodecFlow.encoder(ChannelRole.MULTIFD, Side.SOURCE, LIMITS))
                .runWith(Sink.seq(), system));
    assertEquals("DeviceStatePacket.sequence", e.record() + "." + e.field());
  }

  @Test
  void theRawEncoderSendsWhatTheDestinationMustReject() {
    List<Packet> packets = new ArrayList<>(Samples.multifdStream(2));
    packets.set(1, new DeviceStatePacket(Samples.VFIO, 0, 1, Samples.ascii("x")));
    ProtocolException e =
        failure(
            Source.from(packets)
                .via(PacketCodecFlow.encoder())
                .via(PacketCodecFlow.decoder(ChannelRole.MULTIFD, Side.DESTINATION, LIMITS))
                .runWith(Sink.seq(), system));
    assertEquals("DeviceStatePacket.sequence", e.record() + "." + e.field());
    assertEquals("0", e.expected());
  }

  @Test
  void theSourceDecoderFailsOnBytesAfterTheReply() {
    ProtocolException e =
        failure(
            Source.single(Hex.golden("hello-reply-accepted").concat(Hex.parse("00")))
                .via(PacketCodecFlow.decoder(ChannelRole.MAIN, Side.SOURCE, LIMITS))
                .runWith(Sink.seq(), system));
    assertEquals(
        "MainChannel.afterHelloReply: expected nothing, got unexpected 1 bytes"
            + " (main channel; stream offset 10)",
        e.getMessage());
  }

  @Test
  void theDecoderAsksForBytesOnlyWhenNoWholePacketIsBuffered() {
    List<Packet> packets = Samples.mainStream();
    ByteString first = wire(packets.subList(0, 3)); // hello, start, part in one chunk
    ByteString second = wire(packets.subList(3, packets.size()));
    AtomicInteger chunksTaken = new AtomicInteger();
    Iterator<ByteString> chunks =
        new Iterator<>() {
          private final Iterator<ByteString> all = List.of(first, second).iterator();

          @Override
          public boolean hasNext() {
            return all.hasNext();
          }

          @Override
          public ByteString next() {
            chunksTaken.incrementAndGet();
            return all.next();
          }
        };
    TestSubscriber.Probe<Packet> probe =
        Source.fromIterator(() -> chunks)
            .via(PacketCodecFlow.decoder(ChannelRole.MAIN, Side.DESTINATION, LIMITS))
            .runWith(TestSink.probe(system), system);
    probe.request(1);
    probe.expectNext(packets.get(0));
    probe.request(2);
    probe.expectNext(packets.get(1));
    probe.expectNext(packets.get(2));
    assertEquals(1, chunksTaken.get(), "three packets came from the first chunk alone");
    probe.request(packets.size());
    for (Packet p : packets.subList(3, packets.size())) {
      probe.expectNext(p);
    }
    probe.expectComplete();
    assertEquals(2, chunksTaken.get());
  }

  @Test
  void aDestinationStackSeesTheCompleteExchangeWithRealisticPayloadSizes() throws Exception {
    // A VFIO-like multifd channel: 1 MiB chunks as QEMU's data_buffer_size would produce.
    List<Packet> packets = new ArrayList<>();
    packets.add(Samples.HELLO_MULTIFD);
    byte[] mib = new byte[1024 * 1024];
    new java.util.Random(7).nextBytes(mib);
    for (int i = 0; i < 4; i++) {
      ByteString chunk =
          DeviceStateChunkCodec.encodeHeader(i, 0).concat(ByteString.fromArrayUnsafe(mib));
      packets.add(new DeviceStatePacket(Samples.VFIO, 0, i, chunk));
    }
    packets.add(new io.ferry.protocol.packet.ChannelEnd(4));
    // rechunk into 64 KiB pieces, as a TCP read loop would deliver them
    Flow<ByteString, ByteString, NotUsed> tcpLike =
        Flow.<ByteString>create()
            .mapConcat(
                b -> {
                  List<ByteString> out = new ArrayList<>();
                  for (int at = 0; at < b.size(); at += 65536) {
                    out.add(b.slice(at, Math.min(b.size(), at + 65536)));
                  }
                  return out;
                });
    Exchange x =
        exchange(
            ChannelRole.MULTIFD,
            packets,
            HelloReply.accepted(),
            BidiFlow.fromFlows(tcpLike, Flow.<ByteString>create()));
    assertEquals(packets, x.atDestination());
  }

  @Test
  void anOpenConnectionWithoutDataNeitherCompletesNorFails() throws Exception {
    CompletableFuture<Optional<ByteString>> never = new CompletableFuture<>();
    CompletionStage<List<Packet>> run =
        Source.<ByteString>maybe()
            .mapMaterializedValue(
                promise -> {
                  never.whenComplete((v, t) -> promise.complete(Optional.empty()));
                  return NotUsed.getInstance();
                })
            .via(PacketCodecFlow.decoder(ChannelRole.MAIN, Side.DESTINATION, LIMITS))
            .runWith(Sink.seq(), system);
    Thread.sleep(200);
    assertTrue(!run.toCompletableFuture().isDone(), "waits for the hello");
    never.complete(Optional.empty()); // the peer closes without a hello
    ProtocolException e = failure(run);
    assertEquals("MainChannel.end", e.record() + "." + e.field());
    assertEquals("ChannelHello before the end of input", e.expected());
  }
}

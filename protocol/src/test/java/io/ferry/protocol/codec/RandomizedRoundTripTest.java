package io.ferry.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import akka.NotUsed;
import akka.actor.ActorSystem;
import akka.japi.Pair;
import akka.stream.javadsl.BidiFlow;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import com.typesafe.config.ConfigFactory;
import io.ferry.protocol.ProtocolException;
import io.ferry.protocol.ProtocolLimits;
import io.ferry.protocol.codec.PacketCodecFlow.Side;
import io.ferry.protocol.packet.ChannelEnd;
import io.ferry.protocol.packet.ChannelHello;
import io.ferry.protocol.packet.ChannelRole;
import io.ferry.protocol.packet.Command;
import io.ferry.protocol.packet.DeviceStateChunk;
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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generated records and streams, fixed seeds so a failure is reproducible: the seed and iteration
 * are in every assertion message.
 */
class RandomizedRoundTripTest {

  private static final long SEED = 0x46525259L;
  private static final ProtocolLimits LIMITS = new ProtocolLimits(8192, 256);
  private static ActorSystem system;

  @BeforeAll
  static void startSystem() {
    system =
        ActorSystem.create(
            "RandomizedRoundTripTest",
            ConfigFactory.parseString("akka.loglevel = WARNING\nakka.log-dead-letters = off")
                .withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stopSystem() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  // ---- generators ----

  private static final int[][] CODE_POINT_RANGES = {
    {0x20, 0x7E}, // ASCII, 1 byte
    {0xA1, 0x7FF}, // 2 bytes
    {0x4E00, 0x9FFF}, // CJK, 3 bytes
    {0x1F300, 0x1F5FF} // symbols and pictographs, 4 bytes (surrogate pairs in Java)
  };

  static String deviceId(Random r) {
    int target = 1 + (r.nextInt(4) == 0 ? r.nextInt(255) : r.nextInt(24));
    StringBuilder id = new StringBuilder();
    int bytes = 0;
    while (true) {
      int[] range = CODE_POINT_RANGES[r.nextInt(CODE_POINT_RANGES.length)];
      int cp = range[0] + r.nextInt(range[1] - range[0] + 1);
      int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (bytes + size > target) {
        return bytes == 0 ? "x" : id.toString();
      }
      id.appendCodePoint(cp);
      bytes += size;
    }
  }

  static ByteString bytes(Random r, int min, int max) {
    byte[] b = new byte[min + r.nextInt(max - min + 1)];
    r.nextBytes(b);
    return ByteString.fromArrayUnsafe(b);
  }

  static int nonNegative(Random r) {
    return r.nextBoolean() ? r.nextInt(4) : r.nextInt(Integer.MAX_VALUE);
  }

  static ChannelHello hello(Random r, ChannelRole role) {
    int count = 1 + r.nextInt(255);
    return ChannelHello.of(
        new UUID(r.nextLong(), r.nextLong()),
        role,
        r.nextInt(count),
        count,
        r.nextLong(),
        bytes(r, 0, LIMITS.maxAuthToken()));
  }

  static HelloReply reply(Random r) {
    HelloStatus status = HelloStatus.values()[r.nextInt(HelloStatus.values().length)];
    StringBuilder reason = new StringBuilder();
    int length = r.nextInt(100);
    for (int i = 0; i < length; i++) {
      reason.appendCodePoint(deviceId(r).codePointAt(0)); // at most 4 bytes each: <= 400 bytes
    }
    return new HelloReply(status, reason.toString());
  }

  static MainRecord mainRecord(Random r) {
    return switch (r.nextInt(7)) {
      case 0 -> new SectionStart(
          nonNegative(r), deviceId(r), nonNegative(r), nonNegative(r), bytes(r, 0, 2000));
      case 1 -> new SectionFull(
          nonNegative(r), deviceId(r), nonNegative(r), nonNegative(r), bytes(r, 0, 2000));
      case 2 -> new SectionPart(nonNegative(r), bytes(r, 0, LIMITS.maxFramePayload()));
      case 3 -> new SectionEnd(nonNegative(r), bytes(r, 0, 100));
      case 4 -> Command.sync(r.nextLong());
      case 5 -> Command.ping(r.nextInt());
      default -> Command.switchoverStart();
    };
  }

  static List<Packet> mainStream(Random r) {
    List<Packet> stream = new ArrayList<>();
    stream.add(hello(r, ChannelRole.MAIN));
    int records = r.nextInt(12);
    for (int i = 0; i < records; i++) {
      stream.add(mainRecord(r));
    }
    stream.add(EndOfStream.INSTANCE);
    return stream;
  }

  static List<Packet> multifdStream(Random r) {
    List<Packet> stream = new ArrayList<>();
    stream.add(hello(r, ChannelRole.MULTIFD));
    int packets = r.nextInt(12);
    for (int i = 0; i < packets; i++) {
      ByteString payload =
          r.nextBoolean()
              ? DeviceStateChunkCodec.encode(
                  new DeviceStateChunk(r.nextInt(1000), r.nextInt(2), bytes(r, 0, 3000)))
              : bytes(r, 1, LIMITS.maxFramePayload());
      stream.add(new DeviceStatePacket(deviceId(r), nonNegative(r), i, payload));
    }
    stream.add(new ChannelEnd(packets));
    return stream;
  }

  /** Cuts {@code bytes} into random pieces: often single bytes, sometimes large runs. */
  static List<ByteString> randomSplit(Random r, ByteString bytes) {
    List<ByteString> out = new ArrayList<>();
    int at = 0;
    while (at < bytes.size()) {
      int size =
          switch (r.nextInt(3)) {
            case 0 -> 1;
            case 1 -> 1 + r.nextInt(64);
            default -> 1 + r.nextInt(20_000);
          };
      int end = Math.min(bytes.size(), at + size);
      out.add(bytes.slice(at, end));
      at = end;
    }
    return out;
  }

  static ByteString wire(List<? extends Packet> packets) {
    ByteString out = ByteString.emptyByteString();
    for (Packet p : packets) {
      out = out.concat(PacketCodec.encode(p, LIMITS));
    }
    return out;
  }

  static List<Packet> decode(ChannelRole kind, Side side, List<ByteString> chunks) {
    ChannelDecoder decoder = ChannelDecoder.create(kind, side, LIMITS);
    List<Packet> out = new ArrayList<>();
    for (ByteString chunk : chunks) {
      decoder.append(chunk);
      for (Packet p = decoder.poll(); p != null; p = decoder.poll()) {
        out.add(p);
      }
    }
    decoder.finish();
    return out;
  }

  // ---- properties ----

  @Test
  void everyGeneratedRecordRoundTripsThroughItsFrameCodec() {
    Random r = new Random(SEED);
    for (int i = 0; i < 2000; i++) {
      String where = "seed " + SEED + ", iteration " + i;
      MainRecord main = mainRecord(r);
      assertEquals(main, PacketCodec.decodeMainRecord(PacketCodec.encode(main, LIMITS), LIMITS),
          where);
      List<Packet> multifd = multifdStream(r);
      for (Packet p : multifd.subList(1, multifd.size())) {
        assertEquals(
            p,
            PacketCodec.decodeMultifdPacket(PacketCodec.encode(p, LIMITS), LIMITS),
            where);
      }
      ChannelHello hello = hello(r, r.nextBoolean() ? ChannelRole.MAIN : ChannelRole.MULTIFD);
      assertEquals(
          hello, PacketCodec.decodeChannelHello(PacketCodec.encode(hello, LIMITS), LIMITS), where);
      HelloReply reply = reply(r);
      assertEquals(reply, PacketCodec.decodeHelloReply(PacketCodec.encode(reply)), where);
    }
  }

  @Test
  void generatedStreamsRoundTripUnderRandomSplits() {
    Random r = new Random(SEED + 1);
    for (int i = 0; i < 300; i++) {
      String where = "seed " + (SEED + 1) + ", iteration " + i;
      List<Packet> main = mainStream(r);
      assertEquals(
          main,
          decode(ChannelRole.MAIN, Side.DESTINATION, randomSplit(r, wire(main))),
          where);
      List<Packet> multifd = multifdStream(r);
      assertEquals(
          multifd,
          decode(ChannelRole.MULTIFD, Side.DESTINATION, randomSplit(r, wire(multifd))),
          where);
      List<Packet> reply = List.of(reply(r));
      assertEquals(
          reply, decode(ChannelRole.MAIN, Side.SOURCE, randomSplit(r, wire(reply))), where);
    }
  }

  @Test
  void corruptedOrTruncatedStreamsFailOnlyWithProtocolException() {
    Random r = new Random(SEED + 2);
    int rejected = 0;
    for (int i = 0; i < 1500; i++) {
      boolean multifd = r.nextBoolean();
      List<Packet> stream = multifd ? multifdStream(r) : mainStream(r);
      byte[] bytes = wire(stream).toArray();
      int flips = 1 + r.nextInt(3);
      for (int f = 0; f < flips; f++) {
        bytes[r.nextInt(bytes.length)] ^= (byte) (1 << r.nextInt(8));
      }
      ByteString corrupt = ByteString.fromArrayUnsafe(bytes);
      if (r.nextInt(4) == 0) {
        corrupt = corrupt.take(r.nextInt(bytes.length));
      }
      try {
        decode(
            multifd ? ChannelRole.MULTIFD : ChannelRole.MAIN,
            Side.DESTINATION,
            randomSplit(r, corrupt));
      } catch (ProtocolException expected) {
        rejected++;
      } catch (RuntimeException other) {
        fail("seed " + (SEED + 2) + ", iteration " + i + ": not a ProtocolException", other);
      }
    }
    // Flips inside main-channel payloads are undetectable (no checksum there, as in QEMU), but
    // most corruptions hit a header, a CRC-covered payload or a length.
    assertTrue(rejected > 750, "rejected " + rejected + " of 1500");
  }

  @Test
  void randomBytesNeverEscapeAsAnythingButProtocolException() {
    Random r = new Random(SEED + 3);
    for (int i = 0; i < 3000; i++) {
      ChannelRole kind = r.nextBoolean() ? ChannelRole.MAIN : ChannelRole.MULTIFD;
      Side side = r.nextBoolean() ? Side.SOURCE : Side.DESTINATION;
      ByteString garbage = bytes(r, 0, 200);
      if (r.nextBoolean() && side == Side.DESTINATION) {
        // get past the hello so the record decoders see the garbage
        garbage = PacketCodec.encode(hello(r, kind), LIMITS).concat(garbage);
      }
      try {
        decode(kind, side, randomSplit(r, garbage));
        fail("garbage decoded to a complete channel, seed " + (SEED + 3) + ", iteration " + i);
      } catch (ProtocolException expected) {
        // the only acceptable outcome
      }
    }
  }

  @Test
  void generatedStreamsRoundTripThroughTheStackedBidiFlowsWithRandomRechunking()
      throws Exception {
    Random r = new Random(SEED + 4);
    for (int i = 0; i < 25; i++) {
      boolean multifd = i % 2 == 1;
      ChannelRole kind = multifd ? ChannelRole.MULTIFD : ChannelRole.MAIN;
      List<Packet> sent = multifd ? multifdStream(r) : mainStream(r);
      HelloReply reply = reply(r);
      long splitSeed = r.nextLong();
      Flow<ByteString, ByteString, NotUsed> rechunk =
          Flow.<ByteString>create()
              .statefulMapConcat(
                  () -> {
                    Random split = new Random(splitSeed);
                    return b -> randomSplit(split, b);
                  });
      BidiFlow<Packet, Packet, Packet, Packet, NotUsed> stack =
          PacketCodecFlow.channel(kind, Side.SOURCE, LIMITS)
              .atop(BidiFlow.fromFlows(rechunk, rechunk))
              .atop(PacketCodecFlow.channel(kind, Side.DESTINATION, LIMITS).reversed());
      Flow<Packet, Packet, CompletionStage<List<Packet>>> sourceView =
          stack.join(
              Flow.fromSinkAndSourceMat(
                  Sink.<Packet>seq(), Source.<Packet>single(reply), Keep.left()),
              Keep.right());
      Pair<CompletionStage<List<Packet>>, CompletionStage<List<Packet>>> run =
          Source.from(sent).viaMat(sourceView, Keep.right()).toMat(Sink.seq(), Keep.both())
              .run(system);
      String where = "seed " + (SEED + 4) + ", iteration " + i;
      assertEquals(sent, run.first().toCompletableFuture().get(10, TimeUnit.SECONDS), where);
      assertEquals(
          List.of(reply), run.second().toCompletableFuture().get(10, TimeUnit.SECONDS), where);
    }
  }

  @Test
  void generatedPacketsAreOfEveryKind() {
    Random r = new Random(SEED);
    java.util.Set<Class<?>> kinds = new java.util.HashSet<>();
    for (int i = 0; i < 200; i++) {
      kinds.add(mainRecord(r).getClass());
      multifdStream(r).forEach(p -> kinds.add(p.getClass()));
    }
    assertTrue(
        kinds.containsAll(
            List.of(
                SectionStart.class, SectionFull.class, SectionPart.class, SectionEnd.class,
                Command.class, ChannelHello.class, DeviceStatePacket.class, ChannelEnd.class)),
        kinds.toString());
    assertTrue(MultifdPacket.class.isAssignableFrom(ChannelEnd.class));
  }
}

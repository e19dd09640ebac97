package io.ferry.protocol.codec;

import static io.ferry.protocol.testing.Hex.golden;
import static io.ferry.protocol.testing.ProtocolAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.util.ByteString;
import io.ferry.protocol.ProtocolLimits;
import io.ferry.protocol.codec.PacketCodecFlow.Side;
import io.ferry.protocol.packet.ChannelEnd;
import io.ferry.protocol.packet.ChannelHello;
import io.ferry.protocol.packet.ChannelRole;
import io.ferry.protocol.packet.DeviceStatePacket;
import io.ferry.protocol.packet.EndOfStream;
import io.ferry.protocol.packet.HelloReply;
import io.ferry.protocol.packet.Packet;
import io.ferry.protocol.testing.Hex;
import io.ferry.protocol.testing.Samples;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The incremental decoder of one channel direction, without Akka. */
class ChannelDecoderTest {

  private static final ProtocolLimits LIMITS = ProtocolLimits.DEFAULT;

  static ByteString wire(List<? extends Packet> packets) {
    ByteString out = ByteString.emptyByteString();
    for (Packet p : packets) {
      out = out.concat(PacketCodec.encode(p));
    }
    return out;
  }

  /** Feeds {@code chunks} one by one, polling after each, then finishes. */
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

  static List<ByteString> oneByteChunks(ByteString bytes) {
    List<ByteString> chunks = new ArrayList<>();
    for (int i = 0; i < bytes.size(); i++) {
      chunks.add(bytes.slice(i, i + 1));
    }
    return chunks;
  }

  @Test
  void mainStreamSplitAtEveryByteBoundaryDecodesTheSame() {
    List<Packet> packets = Samples.mainStream();
    ByteString bytes = wire(packets);
    for (int cut = 0; cut <= bytes.size(); cut++) {
      List<Packet> decoded =
          decode(ChannelRole.MAIN, Side.DESTINATION, List.of(bytes.take(cut), bytes.drop(cut)));
      assertEquals(packets, decoded, "cut at " + cut);
    }
  }

  @Test
  void multifdStreamSplitAtEveryPairOfByteBoundariesDecodesTheSame() {
    List<Packet> packets = Samples.multifdStream(3);
    ByteString bytes = wire(packets);
    for (int a = 0; a <= bytes.size(); a++) {
      for (int b = a; b <= bytes.size(); b += 7) {
        List<ByteString> chunks = List.of(bytes.take(a), bytes.slice(a, b), bytes.drop(b));
        assertEquals(
            packets,
            decode(ChannelRole.MULTIFD, Side.DESTINATION, chunks),
            "cuts at " + a + ", " + b);
      }
    }
  }

  @Test
  void oneByteChunksDecodeTheSame() {
    assertEquals(
        Samples.mainStream(),
        decode(ChannelRole.MAIN, Side.DESTINATION, oneByteChunks(wire(Samples.mainStream()))));
    assertEquals(
        Samples.multifdStream(4),
        decode(
            ChannelRole.MULTIFD, Side.DESTINATION, oneByteChunks(wire(Samples.multifdStream(4)))));
    List<Packet> reply = List.of(HelloReply.accepted());
    assertEquals(reply, decode(ChannelRole.MAIN, Side.SOURCE, oneByteChunks(wire(reply))));
  }

  @Test
  void manyFramesInOneChunkComeOutOneByOne() {
    ChannelDecoder decoder = ChannelDecoder.create(ChannelRole.MAIN, Side.DESTINATION, LIMITS);
    decoder.append(wire(Samples.mainStream()));
    for (Packet expected : Samples.mainStream()) {
      assertEquals(expected, decoder.poll());
    }
    assertNull(decoder.poll());
    assertEquals(0, decoder.bufferedBytes());
    assertEquals(wire(Samples.mainStream()).size(), decoder.offset());
    decoder.finish();
  }

  @Test
  void bufferNeverHoldsMoreThanOneFrameWhenFedByteByByte() {
    ByteString bytes = wire(Samples.multifdStream(3));
    ChannelDecoder decoder =
        ChannelDecoder.create(ChannelRole.MULTIFD, Side.DESTINATION, LIMITS);
    int largestFrame = 0;
    for (Packet p : Samples.multifdStream(3)) {
      largestFrame = Math.max(largestFrame, PacketCodec.encode(p).size());
    }
    for (ByteString b : oneByteChunks(bytes)) {
      decoder.append(b);
      while (decoder.poll() != null) {
        // drain
      }
      assertTrue(decoder.bufferedBytes() < largestFrame, "buffered " + decoder.bufferedBytes());
    }
  }

  @Test
  void anOverLongLengthFailsBeforeTheBodyArrives() {
    ChannelDecoder decoder = ChannelDecoder.create(ChannelRole.MAIN, Side.DESTINATION, LIMITS);
    decoder.append(golden("channel-hello-main"));
    assertEquals(Samples.HELLO_MAIN, decoder.poll());
    decoder.append(Hex.parse("7fffffff")); // 2 GiB announced; nothing of it is buffered
    assertRejected(
        "MainFrame",
        "length",
        "1.." + LIMITS.maxMainFrameLength(),
        "2147483647",
        "main channel 0/1, stream offset 38",
        decoder::poll);
  }

  @Test
  void theFirstPacketMustBeAHello() {
    ChannelDecoder decoder = ChannelDecoder.create(ChannelRole.MAIN, Side.DESTINATION, LIMITS);
    decoder.append(golden("section-start"));
    assertRejected(
        "ChannelHello",
        "magic",
        "0x46525259 (\"FRRY\")",
        "0x0000002f",
        "main channel, stream offset 0",
        decoder::poll);
  }

  @Test
  void theHelloRoleMustMatchTheChannel() {
    ChannelDecoder decoder = ChannelDecoder.create(ChannelRole.MAIN, Side.DESTINATION, LIMITS);
    decoder.append(golden("channel-hello-multifd"));
    assertRejected("ChannelHello", "role", "MAIN", "MULTIFD", decoder::poll);

    ChannelDecoder multifd =
        ChannelDecoder.create(ChannelRole.MULTIFD, Side.DESTINATION, LIMITS);
    multifd.append(golden("channel-hello-main"));
    assertRejected("ChannelHello", "role", "MULTIFD", "MAIN", multifd::poll);
  }

  @Test
  void aSecondHelloOnTheMainChannelIsNotARecord() {
    ChannelDecoder decoder = ChannelDecoder.create(ChannelRole.MAIN, Side.DESTINATION, LIMITS);
    decoder.append(golden("channel-hello-main").concat(golden("channel-hello-main")));
    assertEquals(Samples.HELLO_MAIN, decoder.poll());
    assertRejected(
        "MainFrame",
        "length",
        "1.." + LIMITS.maxMainFrameLength(),
        Long.toString(0x46525259L),
        decoder::poll);
  }

  @Test
  void nothingMayFollowEndOfStream() {
    ChannelDecoder decoder = ChannelDecoder.create(ChannelRole.MAIN, Side.DESTINATION, LIMITS);
    decoder.append(wire(List.of(Samples.HELLO_MAIN, EndOfStream.INSTANCE)));
    decoder.poll();
    assertEquals(EndOfStream.INSTANCE, decoder.poll());
    decoder.append(golden("end-of-stream"));
    assertRejected(
        "MainChannel",
        "afterEndOfStream",
        "nothing",
        "unexpected 5 bytes",
        "main channel 0/1",
        decoder::poll);
  }

  @Test
  void nothingMayFollowChannelEnd() {
    ChannelDecoder decoder =
        ChannelDecoder.create(ChannelRole.MULTIFD, Side.DESTINATION, LIMITS);
    decoder.append(wire(List.of(Samples.HELLO_MULTIFD, new ChannelEnd(0))).concat(Hex.parse("40")));
    decoder.poll();
    assertEquals(new ChannelEnd(0), decoder.poll());
    assertRejected(
        "MultifdChannel",
        "afterChannelEnd",
        "nothing",
        "unexpected 1 bytes",
        "multifd channel 2/4",
        decoder::poll);
  }

  @Test
  void nothingMayFollowTheHelloReply() {
    ChannelDecoder decoder = ChannelDecoder.create(ChannelRole.MAIN, Side.SOURCE, LIMITS);
    decoder.append(golden("hello-reply-accepted").concat(golden("end-of-stream")));
    assertEquals(HelloReply.accepted(), decoder.poll());
    assertRejected(
        "MainChannel", "afterHelloReply", "nothing", "unexpected 5 bytes", decoder::poll);
  }

  @Test
  void sequenceGapFailsTheChannel() {
    ChannelDecoder decoder =
        ChannelDecoder.create(ChannelRole.MULTIFD, Side.DESTINATION, LIMITS);
    decoder.append(
        wire(
            List.of(
                Samples.HELLO_MULTIFD,
                new DeviceStatePacket("vfio0", 0, 0, Samples.ascii("a")),
                new DeviceStatePacket("vfio0", 0, 2, Samples.ascii("b")))));
    decoder.poll();
    decoder.poll();
    assertRejected(
        "DeviceStatePacket",
        "sequence",
        "1",
        "2",
        "gap, device \"vfio0\", multifd channel 2/4",
        decoder::poll);
  }

  @Test
  void sequenceRepeatFailsTheChannel() {
    ChannelDecoder decoder =
        ChannelDecoder.create(ChannelRole.MULTIFD, Side.DESTINATION, LIMITS);
    DeviceStatePacket first = new DeviceStatePacket("vfio0", 0, 0, Samples.ascii("a"));
    decoder.append(wire(List.of(Samples.HELLO_MULTIFD, first, first)));
    decoder.poll();
    decoder.poll();
    assertRejected("DeviceStatePacket", "sequence", "1", "0", "repeat", decoder::poll);
  }

  @Test
  void sequenceMustStartAtZero() {
    ChannelDecoder decoder =
        ChannelDecoder.create(ChannelRole.MULTIFD, Side.DESTINATION, LIMITS);
    decoder.append(wire(List.of(Samples.HELLO_MULTIFD, Samples.DEVICE_STATE)));
    decoder.poll();
    assertRejected("DeviceStatePacket", "sequence", "0", "5", decoder::poll);
  }

  @Test
  void channelEndMustCountThePacketsReceived() {
    List<Packet> packets = new ArrayList<>(Samples.multifdStream(2));
    packets.set(packets.size() - 1, new ChannelEnd(3));
    ChannelDecoder decoder =
        ChannelDecoder.create(ChannelRole.MULTIFD, Side.DESTINATION, LIMITS);
    decoder.append(wire(packets));
    decoder.poll();
    decoder.poll();
    decoder.poll();
    assertRejected(
        "ChannelEnd", "packetCount", "2", "3", "multifd channel 2/4", decoder::poll);
  }

  @Test
  void inputEndingMidFrameIsTruncatedWithExpectedAndPresentBytes() {
    ByteString bytes = wire(Samples.mainStream());
    ChannelDecoder decoder = ChannelDecoder.create(ChannelRole.MAIN, Side.DESTINATION, LIMITS);
    decoder.append(bytes.take(38 + 20)); // hello + 20 of the 51 bytes of SECTION_START
    assertEquals(Samples.HELLO_MAIN, decoder.poll());
    assertNull(decoder.poll());
    assertRejected(
        "MainFrame",
        "frame",
        "51 bytes",
        "20 bytes",
        "truncated: input ended mid-frame; main channel 0/1, stream offset 38",
        decoder::finish);
  }

  @Test
  void inputEndingInsideAHeaderIsTruncatedToo() {
    ChannelDecoder decoder = ChannelDecoder.create(ChannelRole.MAIN, Side.DESTINATION, LIMITS);
    decoder.append(golden("channel-hello-main").take(10));
    assertNull(decoder.poll());
    assertRejected(
        "ChannelHello", "frame", "at least 38 bytes", "10 bytes", "truncated", decoder::finish);
  }

  @Test
  void inputEndingBeforeTheLastPacketIsTruncatedBetweenFrames() {
    List<Packet> withoutEnd = Samples.multifdStream(2).subList(0, 3);
    ChannelDecoder decoder =
        ChannelDecoder.create(ChannelRole.MULTIFD, Side.DESTINATION, LIMITS);
    decoder.append(wire(withoutEnd));
    while (decoder.poll() != null) {
      // drain
    }
    assertRejected(
        "MultifdChannel",
        "end",
        "ChannelEnd before the end of input",
        "end of input after 2 packets",
        "truncated between frames; multifd channel 2/4",
        decoder::finish);

    ChannelDecoder source = ChannelDecoder.create(ChannelRole.MULTIFD, Side.SOURCE, LIMITS);
    assertRejected(
        "MultifdChannel",
        "end",
        "HelloReply before the end of input",
        "end of input",
        source::finish);

    ChannelDecoder main = ChannelDecoder.create(ChannelRole.MAIN, Side.DESTINATION, LIMITS);
    main.append(wire(List.of(Samples.HELLO_MAIN, Samples.SECTION_END)));
    main.poll();
    main.poll();
    assertRejected(
        "MainChannel",
        "end",
        "EndOfStream before the end of input",
        "end of input after 1 records",
        main::finish);
  }

  @Test
  void aSourceReadsARejectionWithItsReason() {
    ChannelDecoder decoder = ChannelDecoder.create(ChannelRole.MULTIFD, Side.SOURCE, LIMITS);
    decoder.append(golden("hello-reply-rejected"));
    HelloReply reply = (HelloReply) decoder.poll();
    assertEquals("channel 2 in use", reply.reason());
    decoder.finish();
  }

  @Test
  void aSourceGivenAHelloInsteadOfAReplyFailsOnAField() {
    ChannelDecoder decoder = ChannelDecoder.create(ChannelRole.MAIN, Side.SOURCE, LIMITS);
    decoder.append(golden("channel-hello-main"));
    // The hello's role byte 0 reads as status ACCEPTED; the migration id's first bytes f0e1
    // then read as a reasonLength of 61665.
    assertRejected("HelloReply", "reasonLength", "0..1024", "61665", decoder::poll);
  }

  @Test
  void theGrammarReportsWhereTheChannelIs() {
    ChannelDecoder decoder =
        ChannelDecoder.create(ChannelRole.MULTIFD, Side.DESTINATION, LIMITS);
    assertEquals(ChannelGrammar.Expect.CHANNEL_HELLO, decoder.grammar().expect());
    decoder.append(wire(Samples.multifdStream(2).subList(0, 2)));
    assertTrue(decoder.poll() instanceof ChannelHello);
    assertTrue(decoder.poll() instanceof DeviceStatePacket);
    assertEquals(ChannelGrammar.Expect.MULTIFD_PACKET, decoder.grammar().expect());
    assertEquals(1, decoder.grammar().packetCount());
    assertEquals("multifd channel 2/4", decoder.grammar().channel());
  }
}

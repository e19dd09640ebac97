package io.ferry.protocol.codec;

import static io.ferry.protocol.testing.ProtocolAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.protocol.codec.PacketCodecFlow.Side;
import io.ferry.protocol.packet.ChannelEnd;
import io.ferry.protocol.packet.ChannelRole;
import io.ferry.protocol.packet.EndOfStream;
import io.ferry.protocol.packet.HelloReply;
import io.ferry.protocol.packet.Packet;
import io.ferry.protocol.testing.Samples;
import org.junit.jupiter.api.Test;

/** The packet order of each channel, as the encoder applies it to what this side sends. */
class ChannelGrammarTest {

  @Test
  void completeStreamsAreAccepted() {
    ChannelGrammar main = ChannelGrammar.sentBy(Side.SOURCE, ChannelRole.MAIN);
    for (Packet p : Samples.mainStream()) {
      assertFalse(main.isComplete());
      main.accept(p);
    }
    assertTrue(main.isComplete());

    ChannelGrammar multifd = ChannelGrammar.sentBy(Side.SOURCE, ChannelRole.MULTIFD);
    Samples.multifdStream(5).forEach(multifd::accept);
    assertTrue(multifd.isComplete());

    ChannelGrammar reply = ChannelGrammar.sentBy(Side.DESTINATION, ChannelRole.MULTIFD);
    reply.accept(HelloReply.accepted());
    assertTrue(reply.isComplete());
  }

  @Test
  void aSourceMustStartWithAHello() {
    ChannelGrammar g = ChannelGrammar.sentBy(Side.SOURCE, ChannelRole.MAIN);
    assertRejected(
        "MainChannel",
        "firstPacket",
        "ChannelHello",
        "unexpected SectionStart",
        () -> g.accept(Samples.SECTION_START));
  }

  @Test
  void mainChannelCarriesOnlyMainRecords() {
    ChannelGrammar g = ChannelGrammar.sentBy(Side.SOURCE, ChannelRole.MAIN);
    g.accept(Samples.HELLO_MAIN);
    assertRejected(
        "MainChannel",
        "packet",
        "a MainRecord",
        "unexpected DeviceStatePacket",
        () -> g.accept(Samples.DEVICE_STATE));
    assertRejected(
        "MainChannel",
        "packet",
        "a MainRecord",
        "unexpected ChannelHello",
        () -> g.accept(Samples.HELLO_MAIN));
  }

  @Test
  void multifdChannelCarriesOnlyMultifdPackets() {
    ChannelGrammar g = ChannelGrammar.sentBy(Side.SOURCE, ChannelRole.MULTIFD);
    g.accept(Samples.HELLO_MULTIFD);
    assertRejected(
        "MultifdChannel",
        "packet",
        "a MultifdPacket",
        "unexpected EndOfStream",
        () -> g.accept(EndOfStream.INSTANCE));
  }

  @Test
  void aDestinationSendsOneReplyAndNothingElse() {
    ChannelGrammar g = ChannelGrammar.sentBy(Side.DESTINATION, ChannelRole.MAIN);
    assertRejected(
        "MainChannel",
        "firstPacket",
        "HelloReply",
        "unexpected EndOfStream",
        () -> g.accept(EndOfStream.INSTANCE));
    g.accept(HelloReply.accepted());
    assertRejected(
        "MainChannel",
        "afterHelloReply",
        "nothing",
        "unexpected HelloReply",
        () -> g.accept(HelloReply.accepted()));
  }

  @Test
  void nothingAfterTheEnd() {
    ChannelGrammar g = ChannelGrammar.sentBy(Side.SOURCE, ChannelRole.MULTIFD);
    g.accept(Samples.HELLO_MULTIFD);
    g.accept(new ChannelEnd(0));
    assertRejected(
        "MultifdChannel",
        "afterChannelEnd",
        "nothing",
        "unexpected ChannelEnd",
        "multifd channel 2/4",
        () -> g.accept(new ChannelEnd(0)));
  }
}

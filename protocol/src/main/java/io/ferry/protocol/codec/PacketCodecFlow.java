package io.ferry.protocol.codec;

import akka.NotUsed;
import akka.stream.javadsl.BidiFlow;
import akka.stream.javadsl.Flow;
import akka.util.ByteString;
import io.ferry.protocol.ProtocolLimits;
import io.ferry.protocol.packet.ChannelRole;
import io.ferry.protocol.packet.Packet;
import java.util.Locale;
import java.util.Objects;

/**
 * Blueprints of the codec layer of a channel, to be stacked on a TCP connection. The factories
 * only describe the graph; nothing is materialized until the caller runs it, and every
 * materialization gets its own decoder and grammar state.
 *
 * <pre>
 *                      +--------------------------------------------------+
 *   Packet   ~~~~~~~~&gt; | top:    EncoderStage                            | ~~~~~~~~&gt; ByteString
 *   (this side sends)  |         ChannelGrammar(sender = side).accept     |   (to Tcp)
 *                      |         PacketCodec.encode(packet, limits)       |
 *                      |                                                  |
 *   Packet   &lt;~~~~~~~~ | bottom: DecoderStage                            | &lt;~~~~~~~~ ByteString
 *   (peer sent)        |         ChannelDecoder(sender = side.peer())     |   (from Tcp)
 *                      |         append → poll* → finish                  |
 *                      +--------------------------------------------------+
 *
 *   source:       engine ⇄ mainChannel(SOURCE, limits)      .join(Tcp.outgoingConnection)
 *   destination:  engine ⇄ mainChannel(DESTINATION, limits) .join(incoming connection flow)
 * </pre>
 *
 * <p>What each direction carries:
 *
 * <pre>
 *   SOURCE      sends     ChannelHello, then MainRecords … EndOfStream        (main)
 *                         ChannelHello, then DeviceStatePacket* … ChannelEnd  (multifd)
 *               receives  HelloReply, then nothing
 *   DESTINATION sends     HelloReply, then nothing
 *               receives  the source's line above, fully checked: hello role = channel kind,
 *                         multifd sequence 0,1,2,… without gap or repeat, ChannelEnd.packetCount
 *                         = packets received, no byte after EndOfStream / ChannelEnd
 * </pre>
 *
 * <p>A violation in either direction fails that stage with a {@link
 * io.ferry.protocol.ProtocolException}. The decoder completes only when its input completes, and
 * fails if the input ends mid-frame ("truncated") or before the sender's last packet; it never
 * cancels the connection by itself, so trailing bytes are always seen. Stages are named {@code
 * "<main|multifd>-<encode|decode>-<source|destination>"}.
 */
public final class PacketCodecFlow {

  private PacketCodecFlow() {}

  /** Which end of the migration this codec runs on. */
  public enum Side {
    /** The side that sends state and opens the connections. */
    SOURCE,
    /** The side that receives state and accepts the connections. */
    DESTINATION;

    /** The other side. */
    public Side peer() {
      return this == SOURCE ? DESTINATION : SOURCE;
    }
  }

  /** The codec of a main channel on {@code side}; see the class comment. */
  public static BidiFlow<Packet, ByteString, ByteString, Packet, NotUsed> mainChannel(
      Side side, ProtocolLimits limits) {
    return channel(ChannelRole.MAIN, side, limits);
  }

  /** The codec of a multifd channel on {@code side}; see the class comment. */
  public static BidiFlow<Packet, ByteString, ByteString, Packet, NotUsed> multifdChannel(
      Side side, ProtocolLimits limits) {
    return channel(ChannelRole.MULTIFD, side, limits);
  }

  /** The codec of a channel of kind {@code kind} on {@code side}. */
  public static BidiFlow<Packet, ByteString, ByteString, Packet, NotUsed> channel(
      ChannelRole kind, Side side, ProtocolLimits limits) {
    return BidiFlow.fromFlows(encoder(kind, side, limits), decoder(kind, side, limits))
        .named(stageName(kind, "codec", side));
  }

  /**
   * The bottom half alone: decodes what {@code side} receives on a channel of kind {@code kind}.
   */
  public static Flow<ByteString, Packet, NotUsed> decoder(
      ChannelRole kind, Side side, ProtocolLimits limits) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(side, "side");
    Objects.requireNonNull(limits, "limits");
    String name = stageName(kind, "decode", side);
    return Flow.fromGraph(new DecoderStage(name, () -> ChannelDecoder.create(kind, side, limits)))
        .named(name);
  }

  /**
   * The top half alone: checks that {@code side} sends packets in its channel's order, and encodes
   * them within {@code limits}.
   */
  public static Flow<Packet, ByteString, NotUsed> encoder(
      ChannelRole kind, Side side, ProtocolLimits limits) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(side, "side");
    Objects.requireNonNull(limits, "limits");
    String name = stageName(kind, "encode", side);
    return Flow.fromGraph(
            new EncoderStage(name, limits, () -> ChannelGrammar.sentBy(side, kind)))
        .named(name);
  }

  /**
   * Encodes any packets with no order check and only the wire's own limits ({@link
   * ProtocolLimits#MAXIMUM}): for tools and for tests that must send what a correct peer never
   * would.
   */
  public static Flow<Packet, ByteString, NotUsed> encoder() {
    return Flow.fromGraph(new EncoderStage("packet-encode", ProtocolLimits.MAXIMUM, () -> null))
        .named("packet-encode");
  }

  private static String stageName(ChannelRole kind, String what, Side side) {
    return kind.name().toLowerCase(Locale.ROOT)
        + "-"
        + what
        + "-"
        + side.name().toLowerCase(Locale.ROOT);
  }
}

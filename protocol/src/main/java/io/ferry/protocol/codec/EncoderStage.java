package io.ferry.protocol.codec;

import akka.stream.Attributes;
import akka.stream.FlowShape;
import akka.stream.Inlet;
import akka.stream.Outlet;
import akka.stream.stage.AbstractInHandler;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.GraphStage;
import akka.stream.stage.GraphStageLogic;
import akka.util.ByteString;
import io.ferry.protocol.ProtocolException;
import io.ferry.protocol.ProtocolLimits;
import io.ferry.protocol.packet.Packet;
import java.util.function.Supplier;

/**
 * Encodes packets one for one, first checking each against a {@link ChannelGrammar} (fresh per
 * materialization) when one is given. A {@link ProtocolException} fails the stage directly, never
 * through the supervision strategy: dropping one packet and resuming would corrupt the channel.
 */
final class EncoderStage extends GraphStage<FlowShape<Packet, ByteString>> {

  private final String name;
  private final ProtocolLimits limits;
  private final Supplier<ChannelGrammar> grammars;
  private final Inlet<Packet> in;
  private final Outlet<ByteString> out;
  private final FlowShape<Packet, ByteString> shape;

  /**
   * @param grammars supplies the grammar to check against, or returns {@code null} for none
   */
  EncoderStage(String name, ProtocolLimits limits, Supplier<ChannelGrammar> grammars) {
    this.name = name;
    this.limits = limits;
    this.grammars = grammars;
    this.in = Inlet.create(name + ".in");
    this.out = Outlet.create(name + ".out");
    this.shape = FlowShape.of(in, out);
  }

  @Override
  public FlowShape<Packet, ByteString> shape() {
    return shape;
  }

  @Override
  public Attributes initialAttributes() {
    return Attributes.name(name);
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new GraphStageLogic(shape) {
      private final ChannelGrammar grammar = grammars.get();

      {
        setHandler(
            in,
            new AbstractInHandler() {
              @Override
              public void onPush() {
                Packet packet = grab(in);
                ByteString bytes;
                try {
                  if (grammar != null) {
                    grammar.accept(packet);
                  }
                  bytes = PacketCodec.encode(packet, limits);
                } catch (ProtocolException e) {
                  failStage(
                      grammar == null ? e : e.withContext("sending on " + grammar.channel()));
                  return;
                }
                push(out, bytes);
              }
            });
        setHandler(
            out,
            new AbstractOutHandler() {
              @Override
              public void onPull() {
                pull(in);
              }
            });
      }
    };
  }

  @Override
  public String toString() {
    return name;
  }
}

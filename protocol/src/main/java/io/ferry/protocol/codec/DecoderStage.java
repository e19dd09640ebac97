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
import io.ferry.protocol.packet.Packet;
import java.util.function.Supplier;

/**
 * The stage around a {@link ChannelDecoder}: one decoder per materialization, pulled lazily so
 * that upstream is asked for bytes only when the buffered ones hold no whole packet (that is what
 * bounds the buffer to one frame plus one chunk). A {@link ProtocolException} fails the stage
 * directly rather than through the supervision strategy: a corrupt stream can never be resumed.
 *
 * <pre>
 *   ByteString ~~&gt; [ append | poll → push, or pull when null ] ~~&gt; Packet
 *   upstream finish ~~&gt; emit what is whole, then finish(): truncated / missing end → fail
 * </pre>
 */
final class DecoderStage extends GraphStage<FlowShape<ByteString, Packet>> {

  private final String name;
  private final Supplier<ChannelDecoder> decoders;
  private final Inlet<ByteString> in;
  private final Outlet<Packet> out;
  private final FlowShape<ByteString, Packet> shape;

  DecoderStage(String name, Supplier<ChannelDecoder> decoders) {
    this.name = name;
    this.decoders = decoders;
    this.in = Inlet.create(name + ".in");
    this.out = Outlet.create(name + ".out");
    this.shape = FlowShape.of(in, out);
  }

  @Override
  public FlowShape<ByteString, Packet> shape() {
    return shape;
  }

  @Override
  public Attributes initialAttributes() {
    return Attributes.name(name);
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new GraphStageLogic(shape) {
      private final ChannelDecoder decoder = decoders.get();

      {
        setHandler(
            in,
            new AbstractInHandler() {
              @Override
              public void onPush() {
                decoder.append(grab(in));
                deliver();
              }

              @Override
              public void onUpstreamFinish() {
                if (isAvailable(out)) {
                  deliver();
                }
              }
            });
        setHandler(
            out,
            new AbstractOutHandler() {
              @Override
              public void onPull() {
                deliver();
              }
            });
      }

      /** Called only while {@code out} is available. */
      private void deliver() {
        Packet packet;
        try {
          packet = decoder.poll();
          if (packet == null && isClosed(in)) {
            decoder.finish();
          }
        } catch (ProtocolException e) {
          failStage(e);
          return;
        }
        if (packet != null) {
          push(out, packet);
        } else if (isClosed(in)) {
          completeStage();
        } else if (!hasBeenPulled(in)) {
          pull(in);
        }
      }
    };
  }

  @Override
  public String toString() {
    return name;
  }
}

package io.ferry.engine.transport;

import akka.Done;
import akka.NotUsed;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.japi.Pair;
import akka.stream.CompletionStrategy;
import akka.stream.KillSwitches;
import akka.stream.UniqueKillSwitch;
import akka.stream.javadsl.BidiFlow;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.stream.javadsl.Tcp;
import akka.stream.typed.javadsl.ActorSource;
import akka.util.ByteString;
import io.ferry.protocol.packet.HelloReply;
import io.ferry.protocol.packet.Packet;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collections;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The source end of one data channel (main or multifd): a blueprint materialized by
 * {@link ChannelSender}.
 *
 * <pre>
 *  ChannelSender --Emit--> [ActorSource, ack = Ready(i)] --> [KillSwitch] --> +-----------+
 *                                                                              | codec     | --> Tcp
 *  ChannelSender <--Replied/Ended/Failed-- [Sink: HelloReply] <--------------- | (SOURCE)  | <-- Tcp
 *                                                                              +-----------+
 * </pre>
 *
 * The owner may emit one packet, then must wait for {@link ChannelEvent.Ready} before the next
 * (Akka's actorRefWithBackpressure contract): that is the back-pressure from the socket. The first
 * packet is the channel hello. The input completes when the destination closes its side, which it
 * does only after it has read our clean end of stream; {@link ChannelEvent.Ended} therefore means
 * "everything sent was read".
 */
public final class OutgoingChannel {
  private OutgoingChannel() {}

  /** Longest quiet period on a channel that has a keep-alive packet. */
  public static final Duration KEEP_ALIVE_MAX = Duration.ofSeconds(1);

  /** What the owner sends into the channel. */
  public sealed interface Message {}

  public record Emit(Packet packet) implements Message {}

  /** Completes the output after the last emitted packet (a TCP half-close). */
  public enum Finish implements Message {
    INSTANCE
  }

  /** What the channel reports to its owner. */
  public sealed interface ChannelEvent {
    int channelIndex();
  }

  /** The last emitted packet was taken by the stream; the owner may emit the next. */
  public record Ready(int channelIndex) implements ChannelEvent {}

  public record Replied(int channelIndex, HelloReply reply) implements ChannelEvent {}

  public record Ended(int channelIndex) implements ChannelEvent {}

  public record Failed(int channelIndex, String reason) implements ChannelEvent {}

  /** A materialized channel. */
  public record Handle(ActorRef<Message> input, UniqueKillSwitch killSwitch) {}

  public static Handle open(
      ActorSystem<?> system,
      InetSocketAddress remote,
      int channelIndex,
      BidiFlow<Packet, ByteString, ByteString, Packet, NotUsed> codec,
      Duration connectTimeout,
      Duration idleTimeout,
      Packet keepAlive,
      ActorRef<ChannelEvent> events) {
    Source<Message, ActorRef<Message>> source =
        ActorSource.actorRefWithBackpressure(
            events,
            new Ready(channelIndex),
            m -> m == Finish.INSTANCE
                ? Optional.of(CompletionStrategy.draining())
                : Optional.empty(),
            m -> Optional.empty());
    Flow<Packet, Packet, NotUsed> wire =
        codec.join(
            Tcp.get(system)
                .outgoingConnection(
                    remote,
                    Optional.empty(),
                    Collections.emptyList(),
                    true,
                    Optional.of(connectTimeout),
                    Optional.of(idleTimeout))
                .mapMaterializedValue(f -> NotUsed.getInstance()));
    Source<Packet, ActorRef<Message>> packets = source.map(m -> ((Emit) m).packet());
    if (keepAlive != null) {
      // The main channel idles while multifd channels carry the state; the idle timeout that
      // detects a silent peer must not fire on a healthy but quiet channel.
      // At least every second: the destination's own idle timeout may be shorter than ours.
      Duration interval = idleTimeout.dividedBy(3).compareTo(KEEP_ALIVE_MAX) < 0
          ? idleTimeout.dividedBy(3) : KEEP_ALIVE_MAX;
      packets = packets.keepAlive(interval, () -> keepAlive)
          // Complete right after EOF so that no keep-alive can follow it.
          .takeWhile(p -> !(p instanceof io.ferry.protocol.packet.EndOfStream), true);
    }
    Pair<Pair<ActorRef<Message>, UniqueKillSwitch>, CompletionStage<Done>> mat =
        packets
            .viaMat(KillSwitches.single(), Keep.both())
            .via(wire)
            .toMat(
                Sink.foreach(
                    p -> {
                      if (p instanceof HelloReply reply) {
                        events.tell(new Replied(channelIndex, reply));
                      }
                    }),
                Keep.both())
            .named("channel-out-" + channelIndex)
            .run(system);
    mat.second()
        .whenComplete(
            (done, error) -> {
              if (error == null) {
                events.tell(new Ended(channelIndex));
              } else {
                events.tell(new Failed(channelIndex, describe(error)));
              }
            });
    return new Handle(mat.first().first(), mat.first().second());
  }

  /** One line for an error surfaced by a stream: the innermost useful message. */
  public static String describe(Throwable error) {
    Throwable t = error;
    while ((t instanceof java.util.concurrent.CompletionException
            || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    String msg = t.getMessage();
    return msg == null ? t.getClass().getSimpleName() : msg;
  }
}

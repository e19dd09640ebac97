package io.ferry.engine.incoming;

import akka.Done;
import akka.NotUsed;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.japi.Pair;
import akka.stream.BoundedSourceQueue;
import akka.stream.KillSwitches;
import akka.stream.UniqueKillSwitch;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.stream.javadsl.Tcp;
import akka.stream.typed.javadsl.ActorSink;
import akka.util.ByteString;
import io.ferry.protocol.ProtocolLimits;
import io.ferry.protocol.WireFormat;
import io.ferry.protocol.codec.PacketCodec;
import io.ferry.protocol.codec.PacketCodecFlow;
import io.ferry.protocol.packet.ChannelEnd;
import io.ferry.protocol.packet.ChannelRole;
import io.ferry.protocol.packet.DeviceStatePacket;
import io.ferry.protocol.packet.HelloReply;
import io.ferry.protocol.packet.HelloStatus;
import io.ferry.protocol.packet.MainRecord;
import io.ferry.protocol.packet.Packet;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The destination node's data port: accepts every TCP connection, reads its channel hello, admits
 * it into the migration it names (or answers why not) and runs the channel's decoding stream.
 * Created once per node by the node actor; thread-safe.
 *
 * <pre>
 *  Tcp --> [hello splitter] --prefixAndTail(1)--> hello: classify, admit, reply
 *                                                 tail:  hello ++ tail --> decoder(role) -->
 *      main:    ActorSink(backpressure) --> IncomingMigration (each record acknowledged after load)
 *      multifd: route by (device id, instance id) --> ReassemblyActor (tell; memory bounded there)
 *  Tcp <-- [queue: HelloReply] (completes when the input ends: the channel closes)
 * </pre>
 *
 * Classification reads the raw hello fields itself so that every refusal gets a precise
 * {@link HelloReply}; the protocol decoder then validates the same hello again as the first frame.
 */
public final class DataListener {
  private static final int HELLO_FIXED = 38;

  private final ActorSystem<?> system;
  private final ProtocolLimits limits;
  private final Duration idleTimeout;
  private final ConcurrentHashMap<UUID, ChannelAcceptor> acceptors = new ConcurrentHashMap<>();
  private volatile Tcp.ServerBinding binding;

  public DataListener(ActorSystem<?> system, ProtocolLimits limits, Duration idleTimeout) {
    this.system = system;
    this.limits = limits;
    this.idleTimeout = idleTimeout;
  }

  /** Binds the data port; completes with the bound address. */
  public CompletionStage<Tcp.ServerBinding> bind(String host, int port) {
    return Tcp.get(system)
        .bind(host, port, 128, Collections.emptyList(), true, Optional.of(idleTimeout))
        .to(Sink.foreach(this::accept))
        .run(system)
        .thenApply(
            b -> {
              binding = b;
              return b;
            });
  }

  public CompletionStage<Done> unbind() {
    Tcp.ServerBinding b = binding;
    return b == null
        ? java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance())
        : b.unbind().thenApply(x -> Done.getInstance());
  }

  void register(ChannelAcceptor acceptor) {
    acceptors.put(acceptor.migrationId(), acceptor);
  }

  void unregister(UUID migrationId) {
    acceptors.remove(migrationId);
  }

  private void accept(Tcp.IncomingConnection connection) {
    Pair<BoundedSourceQueue<ByteString>, Source<ByteString, NotUsed>> out =
        Source.<ByteString>queue(4).preMaterialize(system);
    BoundedSourceQueue<ByteString> replies = out.first();
    Sink<ByteString, NotUsed> in =
        Flow.<ByteString>create()
            .statefulMapConcat(HelloSplitter::new)
            .prefixAndTail(1)
            .to(
                Sink.foreach(
                    pair -> {
                      if (pair.first().isEmpty()) {
                        replies.complete();
                        return;
                      }
                      Piece first = pair.first().get(0);
                      Source<ByteString, NotUsed> rest = pair.second().map(Piece::bytes);
                      dispatch(first, rest, replies);
                    }))
            .named("channel-in-" + connection.remoteAddress());
    connection.handleWith(Flow.fromSinkAndSourceCoupled(in, out.second()), system);
  }

  private void dispatch(
      Piece hello, Source<ByteString, NotUsed> rest, BoundedSourceQueue<ByteString> replies) {
    if (hello instanceof Refused r) {
      reject(replies, rest, r.status(), r.reason());
      return;
    }
    ByteString h = hello.bytes();
    var it = h.iterator();
    it.getInt(ByteOrder.BIG_ENDIAN);
    it.getShort(ByteOrder.BIG_ENDIAN);
    int roleCode = it.getByte() & 0xFF;
    it.getByte();
    UUID id = new UUID(it.getLong(ByteOrder.BIG_ENDIAN), it.getLong(ByteOrder.BIG_ENDIAN));
    int index = it.getShort(ByteOrder.BIG_ENDIAN) & 0xFFFF;
    int count = it.getShort(ByteOrder.BIG_ENDIAN) & 0xFFFF;
    ChannelRole role = roleCode == 0 ? ChannelRole.MAIN : ChannelRole.MULTIFD;
    ChannelAcceptor acceptor = acceptors.get(id);
    if (acceptor == null) {
      reject(replies, rest, HelloStatus.UNKNOWN_MIGRATION,
          "unknown migration id " + id + " (no incoming migration with that id on this node)");
      return;
    }
    ChannelAcceptor.Admission admission = acceptor.claim(role, index, count);
    if (admission.status() != HelloStatus.ACCEPTED) {
      reject(replies, rest, admission.status(), admission.reason());
      return;
    }
    Source<Packet, UniqueKillSwitch> packets =
        Source.single(h)
            .concat(rest)
            .viaMat(KillSwitches.single(), Keep.right())
            .via(PacketCodecFlow.decoder(role, PacketCodecFlow.Side.DESTINATION, limits))
            .drop(1);
    ActorRef<IncomingMigration.Command> incoming = acceptor.incoming();
    UniqueKillSwitch kill;
    if (role == ChannelRole.MAIN) {
      kill =
          packets
              .map(p -> (MainRecord) p)
              .toMat(
                  ActorSink.actorRefWithBackpressure(
                      incoming,
                      IncomingMigration.MainRecordArrived::new,
                      IncomingMigration.MainChannelOpened::new,
                      IncomingMigration.MainAck.INSTANCE,
                      IncomingMigration.MainChannelCompleted.INSTANCE,
                      IncomingMigration.MainChannelFailed::new),
                  Keep.left())
              .named("main-in")
              .run(system);
    } else {
      Pair<UniqueKillSwitch, CompletionStage<Done>> mat =
          packets
              .toMat(
                  Sink.foreach(
                      p -> {
                        if (p instanceof DeviceStatePacket d) {
                          var route = acceptor.route(d.deviceId(), d.instanceId(),
                              d.payload().size());
                          if (route != null) {
                            route.tell(new io.ferry.engine.reassembly.ReassemblyActor.ChunkReceived(
                                index, d.payload()));
                          }
                        } else if (p instanceof ChannelEnd end) {
                          incoming.tell(
                              new IncomingMigration.MultifdChannelEnded(index, end.packetCount()));
                        }
                      }),
                  Keep.both())
              .named("multifd-in-" + index)
              .run(system);
      mat.second()
          .whenComplete(
              (done, error) ->
                  incoming.tell(
                      error == null
                          ? new IncomingMigration.MultifdChannelClosed(index)
                          : new IncomingMigration.MultifdChannelFailed(
                              index, io.ferry.engine.transport.OutgoingChannel.describe(error))));
      kill = mat.first();
    }
    acceptor.register(kill);
    replies.offer(PacketCodec.encode(new HelloReply(HelloStatus.ACCEPTED, "")));
  }

  private void reject(
      BoundedSourceQueue<ByteString> replies,
      Source<ByteString, NotUsed> rest,
      HelloStatus status,
      String reason) {
    system.log().warn("data channel refused: {}: {}", status, reason);
    replies.offer(PacketCodec.encode(new HelloReply(status, truncate(reason))));
    replies.complete();
    // Drain, do not cancel: cancelling the input would close the connection through the
    // coupling before the reply is written. The reply's completion closes it instead.
    rest.runWith(Sink.ignore(), system);
  }

  private static String truncate(String s) {
    return s.length() > 900 ? s.substring(0, 900) : s;
  }

  /** A piece of the incoming byte stream: the hello first, then everything else as it comes. */
  private interface Piece {
    ByteString bytes();
  }

  private record HelloBytes(ByteString bytes) implements Piece {}

  private record Rest(ByteString bytes) implements Piece {}

  private record Refused(HelloStatus status, String reason) implements Piece {
    public ByteString bytes() {
      return ByteString.emptyByteString();
    }
  }

  /** Splits off exactly the hello's bytes, checking the fields that decide the reply code. */
  private final class HelloSplitter implements akka.japi.function.Function<ByteString, Iterable<Piece>> {
    private static final long serialVersionUID = 1L;
    private ByteString pending = ByteString.emptyByteString();
    private boolean done;

    @Override
    public Iterable<Piece> apply(ByteString chunk) {
      if (done) {
        return List.of(new Rest(chunk));
      }
      pending = pending.concat(chunk);
      List<Piece> out = new ArrayList<>(2);
      if (pending.size() >= 4 && pending.iterator().getInt(ByteOrder.BIG_ENDIAN) != WireFormat.MAGIC) {
        done = true;
        out.add(new Refused(HelloStatus.BAD_MAGIC, String.format(
            "channel hello magic: expected 0x%08X, got 0x%08X", WireFormat.MAGIC,
            pending.iterator().getInt(ByteOrder.BIG_ENDIAN))));
        return out;
      }
      if (pending.size() < HELLO_FIXED) {
        return out;
      }
      var it = pending.iterator();
      it.getInt(ByteOrder.BIG_ENDIAN);
      int version = it.getShort(ByteOrder.BIG_ENDIAN) & 0xFFFF;
      int role = it.getByte() & 0xFF;
      done = true;
      if (version != WireFormat.VERSION) {
        out.add(new Refused(HelloStatus.UNSUPPORTED_VERSION,
            "channel hello version: expected " + WireFormat.VERSION + ", got " + version));
        return out;
      }
      if (role > 1) {
        out.add(new Refused(HelloStatus.BAD_ROLE,
            "channel hello role: expected 0 (main) or 1 (multifd), got " + role));
        return out;
      }
      int tokenLength = pending.iterator().drop(36).getShort(ByteOrder.BIG_ENDIAN) & 0xFFFF;
      if (tokenLength > limits.maxAuthToken()) {
        out.add(new Refused(HelloStatus.AUTH_FAILED, "channel hello auth token length: expected <= "
            + limits.maxAuthToken() + ", got " + tokenLength));
        return out;
      }
      int total = HELLO_FIXED + tokenLength;
      if (pending.size() < total) {
        done = false;
        return out;
      }
      out.add(new HelloBytes(pending.take(total)));
      if (pending.size() > total) {
        out.add(new Rest(pending.drop(total)));
      }
      pending = ByteString.emptyByteString();
      return out;
    }
  }
}

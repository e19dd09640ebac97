package io.ferry.engine.transport;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.ferry.engine.device.StateSink;
import io.ferry.protocol.ProtocolLimits;
import io.ferry.protocol.codec.PacketCodecFlow;
import io.ferry.protocol.packet.ChannelEnd;
import io.ferry.protocol.packet.ChannelHello;
import io.ferry.protocol.packet.ChannelRole;
import io.ferry.protocol.packet.DeviceStatePacket;
import io.ferry.protocol.packet.HelloStatus;
import io.ferry.protocol.packet.MainRecord;
import io.ferry.protocol.packet.Packet;
import io.ferry.protocol.packet.SectionEnd;
import akka.util.ByteString;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The source side of a group of data channels: the main channel (one channel, role MAIN) or the
 * multifd channels (N channels, role MULTIFD). Spawned by the migration coordinator after the
 * destination accepted the migration; stopped by it.
 *
 * <p>Owns the channels' streams ({@link OutgoingChannel}) and one FIFO of payloads. Multifd: each
 * {@link StateSink.Put} becomes a device-state packet on whichever channel is idle (round robin
 * among idle channels), numbered by that channel's sequence, so a producer waits exactly when all
 * channels are busy (QEMU's {@code multifd_send()}). Main: {@link Write} records and device payloads
 * (as SECTION_END records of the device's section) keep their order on the single channel.
 *
 * <p>Lifecycle: hello on every channel; {@link Event.Accepted} once every channel is accepted;
 * {@link Finish}: after the queue drains, a multifd channel sends CHANNEL_END with its packet count
 * and half-closes; {@link Event.Closed} when the destination has closed every channel, i.e. read
 * everything. Any rejection, error or early close is {@link Event.Failed} (once); {@link Abort}
 * cuts every channel. All handlers run on the actor; the streams run on the default dispatcher.
 */
public final class ChannelSender extends AbstractBehavior<ChannelSender.Command> {

  public interface Command {}

  /** A main-channel record, in order with everything else written. */
  public record Write(MainRecord record) implements Command {}

  /** Drain the queue, end every channel cleanly, report {@link Event.Closed}. */
  public enum Finish implements Command {
    INSTANCE
  }

  public record Abort(String reason) implements Command {}

  public record GetStats(ActorRef<Stats> replyTo) implements Command {}

  /** Replies {@link Drained} once everything queued so far has been handed to a channel. */
  public record WhenDrained(ActorRef<Drained> replyTo) implements Command {}

  public record Drained(ChannelRole role, long totalBytes) {}

  private record WrappedChannelEvent(OutgoingChannel.ChannelEvent event) implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  public sealed interface Event {}

  public record Accepted(ChannelRole role) implements Event {}

  public record Closed(ChannelRole role, Stats stats) implements Event {}

  public record Failed(ChannelRole role, String reason) implements Event {}

  /** Live counters, sent at most every {@link #PROGRESS_INTERVAL} while they change. */
  public record Progress(Stats stats) implements Event {}

  static final java.time.Duration PROGRESS_INTERVAL = java.time.Duration.ofMillis(100);

  /**
   * Per-channel counters (packets, wire bytes: headers and payload as encoded) and payload bytes
   * per device as handed to the channels.
   */
  public record Stats(
      ChannelRole role, List<Long> packets, List<Long> bytes, Map<String, Long> deviceBytes) {
    public long totalBytes() {
      return bytes.stream().mapToLong(Long::longValue).sum();
    }
  }

  /** Everything needed to open the group. */
  public record Spec(
      ChannelRole role,
      UUID migrationId,
      int channelCount,
      InetSocketAddress destination,
      ProtocolLimits limits,
      long capabilities,
      Duration connectTimeout,
      Duration idleTimeout,
      Map<String, Integer> sectionIds) {}

  public static Behavior<Command> create(Spec spec, ActorRef<Event> owner) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, PROGRESS_INTERVAL);
      return new ChannelSender(ctx, spec, owner);
    }));
  }

  private final Spec spec;
  private final ActorRef<Event> owner;
  private final OutgoingChannel.Handle[] channels;
  private final boolean[] ready;
  private final boolean[] accepted;
  private final boolean[] ended;
  private final boolean[] closed;
  private final long[] sequence;
  private final long[] bytes;
  private final ArrayDeque<Command> queue = new ArrayDeque<>();
  private final Map<String, Long> deviceBytes = new java.util.LinkedHashMap<>();
  private long reportedBytes = -1;
  private int nextChannel;
  private int acceptedCount;
  private int closedCount;
  private boolean finishing;
  private boolean failed;

  private ChannelSender(ActorContext<Command> ctx, Spec spec, ActorRef<Event> owner) {
    super(ctx);
    this.spec = spec;
    this.owner = owner;
    int n = spec.channelCount();
    channels = new OutgoingChannel.Handle[n];
    ready = new boolean[n];
    accepted = new boolean[n];
    ended = new boolean[n];
    closed = new boolean[n];
    sequence = new long[n];
    bytes = new long[n];
    ActorRef<OutgoingChannel.ChannelEvent> events =
        ctx.messageAdapter(OutgoingChannel.ChannelEvent.class, WrappedChannelEvent::new);
    var codec =
        spec.role() == ChannelRole.MAIN
            ? PacketCodecFlow.mainChannel(PacketCodecFlow.Side.SOURCE, spec.limits())
            : PacketCodecFlow.multifdChannel(PacketCodecFlow.Side.SOURCE, spec.limits());
    for (int i = 0; i < n; i++) {
      channels[i] =
          OutgoingChannel.open(ctx.getSystem(), spec.destination(), i, codec,
              spec.connectTimeout(), spec.idleTimeout(),
              spec.role() == ChannelRole.MAIN ? io.ferry.protocol.packet.Command.ping(0) : null,
              events);
      ChannelHello hello = new ChannelHello(io.ferry.protocol.WireFormat.VERSION,
          spec.migrationId(), spec.role(), i, n, spec.capabilities(),
          ByteString.emptyByteString());
      bytes[i] += wireSize(hello);
      channels[i].input().tell(new OutgoingChannel.Emit(hello));
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(StateSink.Put.class, this::onEnqueue)
        .onMessage(Write.class, this::onEnqueue)
        .onMessageEquals(Finish.INSTANCE, this::onFinish)
        .onMessage(Abort.class, this::onAbort)
        .onMessage(GetStats.class, this::onGetStats)
        .onMessage(WhenDrained.class, this::onWhenDrained)
        .onMessage(WrappedChannelEvent.class, this::onChannelEvent)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .build();
  }

  private Behavior<Command> onEnqueue(Command item) {
    if (failed) {
      return this;
    }
    if (finishing) {
      return fail(roleName() + " channels: payload queued after they were told to finish: "
          + item);
    }
    queue.add(item);
    dispatch();
    return this;
  }

  private Behavior<Command> onFinish() {
    finishing = true;
    dispatch();
    return this;
  }

  private Behavior<Command> onAbort(Abort abort) {
    failed = true;
    for (OutgoingChannel.Handle h : channels) {
      h.killSwitch().abort(new ChannelAbortedException(abort.reason()));
    }
    queue.clear();
    return Behaviors.stopped();
  }

  private Behavior<Command> onTick() {
    long total = 0;
    for (long b : bytes) {
      total += b;
    }
    if (total != reportedBytes && !failed) {
      reportedBytes = total;
      owner.tell(new Progress(stats()));
    }
    return this;
  }

  private final java.util.List<ActorRef<Drained>> drainWaiters = new java.util.ArrayList<>();

  private Behavior<Command> onWhenDrained(WhenDrained w) {
    drainWaiters.add(w.replyTo());
    notifyDrained();
    return this;
  }

  private void notifyDrained() {
    if (queue.isEmpty() && !drainWaiters.isEmpty()) {
      long total = 0;
      for (long b : bytes) {
        total += b;
      }
      for (ActorRef<Drained> w : drainWaiters) {
        w.tell(new Drained(spec.role(), total));
      }
      drainWaiters.clear();
    }
  }

  private Behavior<Command> onGetStats(GetStats get) {
    get.replyTo().tell(stats());
    return this;
  }

  private Behavior<Command> onChannelEvent(WrappedChannelEvent wrapped) {
    OutgoingChannel.ChannelEvent event = wrapped.event();
    int i = event.channelIndex();
    if (event instanceof OutgoingChannel.Ready) {
      ready[i] = true;
      dispatch();
    } else if (event instanceof OutgoingChannel.Replied replied) {
      if (replied.reply().status() != HelloStatus.ACCEPTED) {
        return fail(roleName() + " channel " + i + " rejected by the destination: "
            + replied.reply().status() + ": " + replied.reply().reason());
      }
      if (!accepted[i]) {
        accepted[i] = true;
        acceptedCount++;
        if (acceptedCount == channels.length && !failed) {
          owner.tell(new Accepted(spec.role()));
        }
      }
    } else if (event instanceof OutgoingChannel.Ended) {
      if (!ended[i]) {
        return fail(roleName() + " channel " + i + " closed by the destination before its end");
      }
      if (!closed[i]) {
        closed[i] = true;
        closedCount++;
        if (closedCount == channels.length && !failed) {
          owner.tell(new Closed(spec.role(), stats()));
        }
      }
    } else if (event instanceof OutgoingChannel.Failed f) {
      return fail(roleName() + " channel " + i + " failed: " + f.reason());
    }
    return this;
  }

  private void dispatch() {
    while (!queue.isEmpty()) {
      int i = pickReadyChannel();
      if (i < 0) {
        return;
      }
      Command item = queue.poll();
      emit(i, toPacket(i, item));
      if (item instanceof StateSink.Put put) {
        deviceBytes.merge(put.deviceId(), (long) put.payload().size(), Long::sum);
        put.replyTo().tell(new StateSink.Accepted(put.requestId(), put.payload().size()));
      }
    }
    notifyDrained();
    if (finishing) {
      for (int i = 0; i < channels.length; i++) {
        if (ready[i] && !ended[i]) {
          if (spec.role() == ChannelRole.MULTIFD) {
            emit(i, new ChannelEnd(sequence[i]));
          }
          ended[i] = true;
          channels[i].input().tell(OutgoingChannel.Finish.INSTANCE);
        }
      }
    }
  }

  private int pickReadyChannel() {
    for (int k = 0; k < channels.length; k++) {
      int i = (nextChannel + k) % channels.length;
      if (ready[i] && !ended[i]) {
        nextChannel = (i + 1) % channels.length;
        return i;
      }
    }
    return -1;
  }

  private Packet toPacket(int channel, Command item) {
    if (item instanceof Write w) {
      return w.record();
    }
    StateSink.Put put = (StateSink.Put) item;
    if (spec.role() == ChannelRole.MAIN) {
      Integer section = spec.sectionIds().get(put.deviceId());
      if (section == null) {
        throw new IllegalStateException("no section for device " + put.deviceId());
      }
      return put.section() == io.ferry.engine.device.DeviceMigration.SectionKind.PART
          ? new io.ferry.protocol.packet.SectionPart(section, put.payload())
          : new SectionEnd(section, put.payload());
    }
    DeviceStatePacket p =
        new DeviceStatePacket(put.deviceId(), put.instanceId(), sequence[channel], put.payload());
    sequence[channel]++;
    return p;
  }

  private void emit(int channel, Packet packet) {
    ready[channel] = false;
    bytes[channel] += wireSize(packet);
    channels[channel].input().tell(new OutgoingChannel.Emit(packet));
  }

  /**
   * Bytes the packet occupies on the wire (docs/protocol.md), computed from the layout rather than
   * by encoding twice: encoding a device-state packet computes its CRC32C.
   */
  static long wireSize(Packet p) {
    if (p instanceof DeviceStatePacket d) {
      return 25L + utf8(d.deviceId()) + d.payload().size();
    }
    if (p instanceof SectionEnd e) {
      return 9L + e.payload().size();
    }
    if (p instanceof io.ferry.protocol.packet.SectionPart e) {
      return 9L + e.payload().size();
    }
    if (p instanceof io.ferry.protocol.packet.SectionStart s) {
      return 18L + utf8(s.deviceId()) + s.payload().size();
    }
    if (p instanceof io.ferry.protocol.packet.SectionFull s) {
      return 18L + utf8(s.deviceId()) + s.payload().size();
    }
    if (p instanceof io.ferry.protocol.packet.Command c) {
      return 9L + c.data().size();
    }
    if (p instanceof io.ferry.protocol.packet.EndOfStream) {
      return 5L;
    }
    if (p instanceof ChannelEnd) {
      return 12L;
    }
    if (p instanceof ChannelHello h) {
      return 38L + h.authToken().size();
    }
    return 0;
  }

  private static int utf8(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }

  private String roleName() {
    return spec.role() == ChannelRole.MAIN ? "main" : "multifd";
  }

  private Stats stats() {
    List<Long> p = new ArrayList<>();
    List<Long> b = new ArrayList<>();
    for (int i = 0; i < channels.length; i++) {
      p.add(sequence[i]);
      b.add(bytes[i]);
    }
    return new Stats(spec.role(), Collections.unmodifiableList(p), Collections.unmodifiableList(b),
        Map.copyOf(deviceBytes));
  }

  private Behavior<Command> fail(String reason) {
    if (!failed) {
      failed = true;
      owner.tell(new Failed(spec.role(), reason));
      for (OutgoingChannel.Handle h : channels) {
        h.killSwitch().abort(new ChannelAbortedException(reason));
      }
      queue.clear();
    }
    return this;
  }

  /** Why a channel was cut on purpose. */
  public static final class ChannelAbortedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ChannelAbortedException(String reason) {
      super("channel aborted: " + reason);
    }
  }
}

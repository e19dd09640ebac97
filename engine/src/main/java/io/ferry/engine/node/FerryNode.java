package io.ferry.engine.node;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.StashBuffer;
import com.typesafe.config.Config;
import io.ferry.engine.config.MigrationParameters;
import io.ferry.engine.coordinator.MigrationCoordinator;
import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.coordinator.MigrationRequest;
import io.ferry.engine.device.DeviceDescriptor;
import io.ferry.engine.device.DeviceMigration.DeviceCommand;
import io.ferry.engine.incoming.DataListener;
import io.ferry.engine.incoming.IncomingMigration;
import io.ferry.engine.transport.Control;
import io.ferry.engine.transport.ControlMessage;
import io.ferry.protocol.ProtocolLimits;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A Ferry node: the actor that hosts a set of devices and takes part in migrations as source or
 * destination. Spawned once per ActorSystem under the name {@code ferry.node.actor-name} (peers
 * resolve it by that path over Artery). Owns the device registry (device id -> device actor), the
 * data-port listener, and one child per running migration: a {@link MigrationCoordinator} for each
 * outgoing one, an {@link IncomingMigration} for each incoming one.
 *
 * <p>Lifecycle: binds the data port first and stashes everything until it is bound; then serves
 * until the system stops. A migration child that fails or crashes ends only that migration: the
 * node stays up and can run the next one.
 */
public final class FerryNode {
  private FerryNode() {}

  public interface Command {}

  public record RegisterDevice(
      DeviceDescriptor descriptor, ActorRef<DeviceCommand> device, ActorRef<Registered> replyTo)
      implements Command {}

  public record Registered(String deviceId, String error) {}

  /**
   * Starts an outgoing migration. {@code onEnd} (may be null) receives the final info. Accepted
   * from other processes too (the {@code ferry migrate} command), like every message below that
   * implements {@link ControlMessage}.
   */
  public record StartMigration(
      MigrationRequest request, ActorRef<Started> replyTo, ActorRef<MigrationInfo> onEnd)
      implements Command, ControlMessage {}

  /** {@code coordinator} is null when the request was refused, with {@code error} saying why. */
  public record Started(
      UUID migrationId, ActorRef<MigrationCoordinator.Command> coordinator, String error)
      implements ControlMessage {}

  /** Cancels a migration, outgoing or incoming, running on this node. */
  public record CancelMigration(UUID migrationId, String reason)
      implements Command, ControlMessage {}

  public record GetNodeInfo(ActorRef<NodeInfo> replyTo) implements Command, ControlMessage {}

  public record NodeInfo(
      String address, String dataHost, int dataPort, List<DeviceDescriptor> devices,
      List<UUID> outgoing, List<UUID> incoming) implements ControlMessage {}

  /**
   * The current info of an outgoing migration, or the final info of one of the last
   * {@link #HISTORY} that ended here; {@code info} is null for an unknown id.
   */
  public record GetMigration(UUID migrationId, ActorRef<MigrationLookup> replyTo)
      implements Command, ControlMessage {}

  public record MigrationLookup(UUID migrationId, MigrationInfo info) implements ControlMessage {}

  /**
   * Subscribes to the events of every migration this node runs as source, from now on; the
   * subscription ends when the subscriber stops. Take a {@link GetMigration} snapshot after
   * subscribing to catch up with a migration already running.
   */
  public record SubscribeEvents(ActorRef<io.ferry.engine.coordinator.MigrationEvent> subscriber)
      implements Command, ControlMessage {}

  /** QEMU's migrate-set-parameters downtime-limit for a running outgoing migration. */
  public record SetDowntimeLimit(UUID migrationId, java.time.Duration limit)
      implements Command, ControlMessage {}

  private record Publish(io.ferry.engine.coordinator.MigrationEvent event) implements Command {}

  private record SubscriberGone(
      ActorRef<io.ferry.engine.coordinator.MigrationEvent> subscriber) implements Command {}

  /** Ended outgoing migrations whose final info the node keeps for queries. */
  public static final int HISTORY = 64;

  private record MigrationFinished(MigrationInfo info, ActorRef<MigrationInfo> forwardTo)
      implements Command {}

  private record LookupDone(
      ActorRef<MigrationLookup> replyTo, UUID migrationId, MigrationInfo info)
      implements Command {}

  private record DataBound(InetSocketAddress address) implements Command {}

  private record DataBindFailed(Throwable cause) implements Command {}

  private record MigrationEnded(UUID migrationId, boolean incoming) implements Command {}

  private record LocalDevice(DeviceDescriptor descriptor, ActorRef<DeviceCommand> actor) {}

  /** Creates the node from a config containing the {@code ferry} section. */
  public static Behavior<Command> create(Config config) {
    return fromSection(config.getConfig("ferry"));
  }

  /**
   * Creates the node from its own config section, wherever the embedding application keeps it
   * (e.g. {@code myapp.migration-node}); keys it does not set take the engine's defaults.
   */
  public static Behavior<Command> fromSection(Config section) {
    Config ferry = section.withFallback(
        com.typesafe.config.ConfigFactory.defaultReference().getConfig("ferry"));
    MigrationParameters defaults = MigrationParameters.fromConfig(ferry.getConfig("migration"));
    String host = ferry.getString("node.data-host");
    int port = ferry.getInt("node.data-port");
    String actorName = ferry.getString("node.actor-name");
    // What sources are told to connect to; differs from the bind address behind NAT or a proxy.
    String advertisedHost = ferry.hasPath("node.advertised-data-host")
        ? ferry.getString("node.advertised-data-host") : "";
    int advertisedPort = ferry.hasPath("node.advertised-data-port")
        ? ferry.getInt("node.advertised-data-port") : 0;
    return Behaviors.setup(
        ctx ->
            Behaviors.withStash(
                1000,
                stash -> {
                  DataListener listener =
                      new DataListener(ctx.getSystem(), new ProtocolLimits(
                          MigrationParameters.MAX_CHUNK_SIZE + 4096,
                          ProtocolLimits.DEFAULT.maxAuthToken()),
                          defaults.timeouts().channelIdle());
                  ctx.pipeToSelf(
                      listener.bind(host, port),
                      (binding, error) ->
                          error == null
                              ? new DataBound(binding.localAddress())
                              : new DataBindFailed(error));
                  return new Node(ctx, stash, listener, defaults, actorName, advertisedHost,
                      advertisedPort).binding();
                }));
  }

  private static final class Node {
    private final ActorContext<Command> ctx;
    private final StashBuffer<Command> stash;
    private final DataListener listener;
    private final MigrationParameters defaults;
    private final String actorName;
    private final Map<String, LocalDevice> devices = new LinkedHashMap<>();
    private final Map<UUID, ActorRef<MigrationCoordinator.Command>> outgoing = new HashMap<>();
    private final Map<UUID, ActorRef<IncomingMigration.Command>> incoming = new HashMap<>();
    private final LinkedHashMap<UUID, MigrationInfo> ended = new LinkedHashMap<>();
    private final List<ActorRef<io.ferry.engine.coordinator.MigrationEvent>> subscribers =
        new ArrayList<>();
    private ActorRef<io.ferry.engine.coordinator.MigrationEvent> publisher;
    private final String advertisedHost;
    private final int advertisedPort;
    private InetSocketAddress dataAddress;

    Node(ActorContext<Command> ctx, StashBuffer<Command> stash, DataListener listener,
        MigrationParameters defaults, String actorName, String advertisedHost,
        int advertisedPort) {
      this.ctx = ctx;
      this.advertisedHost = advertisedHost;
      this.advertisedPort = advertisedPort;
      this.stash = stash;
      this.listener = listener;
      this.defaults = defaults;
      this.actorName = actorName;
    }

    Behavior<Command> binding() {
      return Behaviors.receive(Command.class)
          .onMessage(DataBound.class, b -> {
            dataAddress = new InetSocketAddress(
                advertisedHost.isEmpty() ? b.address().getHostString() : advertisedHost,
                advertisedPort == 0 ? b.address().getPort() : advertisedPort);
            ctx.getLog().info("ferry node {}: data port {}", ctx.getSystem().address(),
                dataAddress);
            return stash.unstashAll(serving());
          })
          .onMessage(DataBindFailed.class, f -> {
            throw new IllegalStateException("cannot bind the data port: " + f.cause().getMessage(),
                f.cause());
          })
          .onAnyMessage(m -> {
            stash.stash(m);
            return Behaviors.same();
          })
          .build();
    }

    Behavior<Command> serving() {
      return Behaviors.receive(Command.class)
          .onMessage(RegisterDevice.class, this::onRegister)
          .onMessage(StartMigration.class, this::onStart)
          .onMessage(Control.PrepareIncoming.class, this::onPrepareIncoming)
          .onMessage(CancelMigration.class, this::onCancel)
          .onMessage(GetNodeInfo.class, this::onGetNodeInfo)
          .onMessage(MigrationEnded.class, this::onMigrationEnded)
          .onMessage(GetMigration.class, this::onGetMigration)
          .onMessage(SubscribeEvents.class, sub -> {
            subscribers.add(sub.subscriber());
            ctx.watchWith(sub.subscriber(), new SubscriberGone(sub.subscriber()));
            return Behaviors.same();
          })
          .onMessage(SubscriberGone.class, g -> {
            subscribers.remove(g.subscriber());
            return Behaviors.same();
          })
          .onMessage(Publish.class, p -> {
            subscribers.forEach(sub -> sub.tell(p.event()));
            return Behaviors.same();
          })
          .onMessage(SetDowntimeLimit.class, d -> {
            ActorRef<MigrationCoordinator.Command> c = outgoing.get(d.migrationId());
            if (c != null) {
              c.tell(new MigrationCoordinator.SetDowntimeLimit(d.limit()));
            }
            return Behaviors.same();
          })
          .onMessage(MigrationFinished.class, this::onMigrationFinished)
          .onMessage(LookupDone.class, d -> {
            // A coordinator that ended while being asked has its final info in the history.
            d.replyTo().tell(new MigrationLookup(d.migrationId(),
                d.info() != null ? d.info() : ended.get(d.migrationId())));
            return Behaviors.same();
          })
          .build();
    }

    private Behavior<Command> onRegister(RegisterDevice r) {
      String id = r.descriptor().deviceId();
      if (devices.containsKey(id)) {
        r.replyTo().tell(new Registered(id, "device " + id + " is already registered"));
        return Behaviors.same();
      }
      devices.put(id, new LocalDevice(r.descriptor(), r.device()));
      r.replyTo().tell(new Registered(id, null));
      return Behaviors.same();
    }

    private Behavior<Command> onStart(StartMigration s) {
      UUID id = UUID.randomUUID();
      List<MigrationCoordinator.LocalDevice> locals = new ArrayList<>();
      for (String deviceId : s.request().deviceIds()) {
        LocalDevice d = devices.get(deviceId);
        if (d == null) {
          s.replyTo().tell(new Started(id, null, "unknown device '" + deviceId
              + "': expected one of " + devices.keySet()));
          return Behaviors.same();
        }
        locals.add(new MigrationCoordinator.LocalDevice(d.descriptor(), d.actor()));
      }
      ActorRef<MigrationInfo> onEnd = ctx.messageAdapter(MigrationInfo.class,
          info -> new MigrationFinished(info, s.onEnd()));
      if (publisher == null) {
        publisher = ctx.messageAdapter(io.ferry.engine.coordinator.MigrationEvent.class,
            Publish::new);
      }
      ActorRef<MigrationCoordinator.Command> ref =
          ctx.spawn(MigrationCoordinator.create(id, s.request(), locals, actorName, onEnd,
              publisher), "migration-" + id);
      ctx.watchWith(ref, new MigrationEnded(id, false));
      outgoing.put(id, ref);
      s.replyTo().tell(new Started(id, ref, null));
      return Behaviors.same();
    }

    private Behavior<Command> onPrepareIncoming(Control.PrepareIncoming p) {
      String refusal = checkIncoming(p);
      if (refusal != null) {
        ctx.getLog().warn("incoming migration {} refused: {}", p.migrationId(), refusal);
        p.source().tell(new Control.IncomingRejected(p.migrationId(), refusal));
        return Behaviors.same();
      }
      Map<String, ActorRef<DeviceCommand>> actors = new HashMap<>();
      for (Control.DeviceSetup s : p.devices()) {
        actors.put(s.deviceId(), devices.get(s.deviceId()).actor());
      }
      // The queued-bytes cap (and so the credit window) is the destination's own: its memory.
      MigrationParameters params = p.params().withMaxQueuedBytes(
          Math.max(defaults.maxQueuedBytes(), 2 * (p.params().chunkSize() + 4096L)));
      ActorRef<IncomingMigration.Command> ref =
          ctx.spawn(IncomingMigration.create(p.migrationId(), params, p.devices(), actors,
              p.source(), listener, dataAddress.getHostString(), dataAddress.getPort()),
              "incoming-" + p.migrationId());
      ctx.watchWith(ref, new MigrationEnded(p.migrationId(), true));
      incoming.put(p.migrationId(), ref);
      return Behaviors.same();
    }

    /** Setup-time agreement checks (QEMU R8): every mismatch is found here, not as corrupt data. */
    private String checkIncoming(Control.PrepareIncoming p) {
      if (incoming.containsKey(p.migrationId())) {
        return "migration " + p.migrationId() + " is already incoming";
      }
      if (p.devices().isEmpty()) {
        return "no devices";
      }
      MigrationParameters local = defaults.withMultifd(defaults.multifd() && p.params().multifd())
          .withChannels(p.params().multifdChannels());
      for (Control.DeviceSetup s : p.devices()) {
        LocalDevice d = devices.get(s.deviceId());
        if (d == null) {
          return "unknown device '" + s.deviceId() + "': expected one of " + devices.keySet();
        }
        if (d.descriptor().instanceId() != s.instanceId()) {
          return s.deviceId() + ": instance id: expected " + d.descriptor().instanceId()
              + ", got " + s.instanceId();
        }
        if (!d.descriptor().kind().equals(s.kind())) {
          return s.deviceId() + ": device kind: expected " + d.descriptor().kind() + ", got "
              + s.kind();
        }
        boolean mine;
        try {
          mine = d.descriptor().multifdTransfer().resolve(local, s.deviceId());
        } catch (IllegalStateException e) {
          return e.getMessage();
        }
        if (mine != s.multifd()) {
          return s.deviceId() + ": multifd transfer mismatch: source "
              + (s.multifd() ? "multifd" : "main channel (legacy)") + ", destination "
              + (mine ? "multifd" : "main channel (legacy)") + " (destination multifd-transfer="
              + d.descriptor().multifdTransfer().name().toLowerCase() + ", multifd="
              + (local.multifd() ? "on" : "off") + ")";
        }
      }
      return null;
    }

    private Behavior<Command> onCancel(CancelMigration c) {
      ActorRef<MigrationCoordinator.Command> out = outgoing.get(c.migrationId());
      if (out != null) {
        out.tell(new MigrationCoordinator.Cancel(c.reason()));
      }
      ActorRef<IncomingMigration.Command> in = incoming.get(c.migrationId());
      if (in != null) {
        in.tell(new IncomingMigration.Cancel(c.reason()));
      }
      return Behaviors.same();
    }

    private Behavior<Command> onGetNodeInfo(GetNodeInfo g) {
      List<DeviceDescriptor> descriptors = new ArrayList<>();
      devices.values().forEach(d -> descriptors.add(d.descriptor()));
      g.replyTo().tell(new NodeInfo(ctx.getSystem().address().toString(),
          dataAddress.getHostString(), dataAddress.getPort(), descriptors,
          List.copyOf(outgoing.keySet()), List.copyOf(incoming.keySet())));
      return Behaviors.same();
    }

    private Behavior<Command> onMigrationFinished(MigrationFinished f) {
      ended.put(f.info().migrationId(), f.info());
      while (ended.size() > HISTORY) {
        ended.remove(ended.keySet().iterator().next());
      }
      if (f.forwardTo() != null) {
        f.forwardTo().tell(f.info());
      }
      return Behaviors.same();
    }

    private Behavior<Command> onGetMigration(GetMigration g) {
      MigrationInfo done = ended.get(g.migrationId());
      ActorRef<MigrationCoordinator.Command> running = outgoing.get(g.migrationId());
      // A coordinator that has reported its end may still be stopping: answer from the history.
      if (running != null && done == null) {
        ctx.pipeToSelf(
            akka.actor.typed.javadsl.AskPattern.ask(running, MigrationCoordinator.GetInfo::new,
                defaults.timeouts().control(), ctx.getSystem().scheduler()),
            (info, error) -> new LookupDone(g.replyTo(), g.migrationId(), info));
        return Behaviors.same();
      }
      g.replyTo().tell(new MigrationLookup(g.migrationId(), ended.get(g.migrationId())));
      return Behaviors.same();
    }

    private Behavior<Command> onMigrationEnded(MigrationEnded e) {
      if (e.incoming()) {
        incoming.remove(e.migrationId());
      } else {
        outgoing.remove(e.migrationId());
      }
      return Behaviors.same();
    }
  }
}

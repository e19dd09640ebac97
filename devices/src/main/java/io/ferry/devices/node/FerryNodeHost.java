package io.ferry.devices.node;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.SpawnProtocol;
import akka.actor.typed.javadsl.AskPattern;
import com.typesafe.config.Config;
import io.ferry.devices.model.DeviceModel;
import io.ferry.devices.model.DeviceModels;
import io.ferry.devices.model.Role;
import io.ferry.devices.vfio.VfioDevice;
import io.ferry.engine.config.FerryConfig;
import io.ferry.engine.config.MultifdTransfer;
import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.coordinator.MigrationRequest;
import io.ferry.engine.device.DeviceDescriptor;
import io.ferry.engine.device.DeviceMigration;
import io.ferry.engine.node.FerryNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A Ferry node in its own ActorSystem with the devices its config declares: what {@code ferry
 * node}, the demo and the tests start. The system's guardian is a {@link SpawnProtocol}; the node
 * actor is spawned under {@code ferry.node.actor-name} so peers find it at {@code /user/<name>}.
 *
 * <p>Devices come from {@code ferry.devices}, a list of objects {@code {id, instance,
 * multifd-transfer, role, model {...}}}; {@code role} defaults to {@code ferry.node.devices-role}
 * (source or destination). The device models are built here and handed to one {@link VfioDevice}
 * actor each, then registered with the node.
 */
public final class FerryNodeHost implements AutoCloseable {
  private static final Duration ASK = Duration.ofSeconds(30);
  private static final Object STOP = "stop";

  private final ActorSystem<SpawnProtocol.Command> system;
  private final ActorRef<FerryNode.Command> node;
  private final Map<String, DeviceModel> models;
  private final Map<String, ActorRef<DeviceMigration.DeviceCommand>> devices;

  private FerryNodeHost(ActorSystem<SpawnProtocol.Command> system, ActorRef<FerryNode.Command> node,
      Map<String, DeviceModel> models, Map<String, ActorRef<DeviceMigration.DeviceCommand>> devices) {
    this.system = system;
    this.node = node;
    this.models = models;
    this.devices = devices;
  }

  /**
   * Starts the system, binds the data port and registers every configured device.
   *
   * @param settings the node's own settings, layered by {@link FerryConfig#load} over the node
   *     defaults and every reference.conf (so not the result of {@code ConfigFactory.load()})
   */
  public static FerryNodeHost start(String systemName, Config settings) {
    Config config = FerryConfig.load(settings);
    ActorSystem<SpawnProtocol.Command> system =
        ActorSystem.create(SpawnProtocol.create(), systemName, config);
    try {
      Config ferry = config.getConfig("ferry");
      ActorRef<FerryNode.Command> node = spawn(system, FerryNode.create(config),
          ferry.getString("node.actor-name"));
      Map<String, DeviceModel> models = new LinkedHashMap<>();
      Map<String, ActorRef<DeviceMigration.DeviceCommand>> refs = new LinkedHashMap<>();
      String defaultRole = ferry.hasPath("node.devices-role")
          ? ferry.getString("node.devices-role") : "source";
      for (Config d : ferry.getConfigList("devices")) {
        String id = d.getString("id");
        int instance = d.hasPath("instance") ? d.getInt("instance") : 0;
        MultifdTransfer mode = d.hasPath("multifd-transfer")
            ? MultifdTransfer.parse(d.getString("multifd-transfer")) : MultifdTransfer.AUTO;
        Role role = Role.valueOf((d.hasPath("role") ? d.getString("role") : defaultRole)
            .toUpperCase(Locale.ROOT));
        DeviceModel model = DeviceModels.create(id, d.getConfig("model"), role);
        DeviceDescriptor descriptor = new DeviceDescriptor(id, instance, model.kind(), mode);
        ActorRef<DeviceMigration.DeviceCommand> ref = spawn(system,
            VfioDevice.create(descriptor, model), "device-" + UUID.nameUUIDFromBytes(id.getBytes(
                java.nio.charset.StandardCharsets.UTF_8)));
        FerryNode.Registered r = await(AskPattern.ask(node,
            replyTo -> new FerryNode.RegisterDevice(descriptor, ref, replyTo), ASK,
            system.scheduler()));
        if (r.error() != null) {
          throw new IllegalArgumentException(r.error());
        }
        models.put(id, model);
        refs.put(id, ref);
      }
      FerryNodeHost host = new FerryNodeHost(system, node, models, refs);
      host.info();
      return host;
    } catch (RuntimeException e) {
      system.terminate();
      throw e;
    }
  }

  private static <T> ActorRef<T> spawn(ActorSystem<SpawnProtocol.Command> system,
      akka.actor.typed.Behavior<T> behavior, String name) {
    return await(AskPattern.ask(system,
        (ActorRef<ActorRef<T>> replyTo) -> new SpawnProtocol.Spawn<>(behavior, name, Props.empty(),
            replyTo), ASK, system.scheduler()));
  }

  static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(ASK.toMillis() + 5000, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e.toString(), e);
    }
  }

  public ActorSystem<SpawnProtocol.Command> system() {
    return system;
  }

  public ActorRef<FerryNode.Command> node() {
    return node;
  }

  /** The Artery address peers use as a migration destination. */
  public String address() {
    return system.address().toString();
  }

  public Map<String, DeviceModel> models() {
    return models;
  }

  public FerryNode.NodeInfo info() {
    return await(AskPattern.ask(node, FerryNode.GetNodeInfo::new, ASK, system.scheduler()));
  }

  public DeviceMigration.DeviceInfo describe(String deviceId) {
    ActorRef<DeviceMigration.DeviceCommand> ref = devices.get(deviceId);
    return await(AskPattern.ask(ref,
        (ActorRef<DeviceMigration.DeviceInfo> replyTo) -> new DeviceMigration.Describe(0, replyTo),
        ASK, system.scheduler()));
  }

  /** A running migration: its id and a future completed with its final info. */
  public record Running(UUID migrationId, CompletableFuture<MigrationInfo> result) {}

  /** Starts a migration from this node; the future completes when it has ended, however. */
  public Running startMigration(MigrationRequest request) {
    CompletableFuture<MigrationInfo> result = new CompletableFuture<>();
    // Receives the final info, or STOP when the node refused the request.
    ActorRef<Object> receiver = spawn(system,
        akka.actor.typed.javadsl.Behaviors.receiveMessage(msg -> {
          if (msg instanceof MigrationInfo info) {
            result.complete(info);
          }
          return akka.actor.typed.javadsl.Behaviors.stopped();
        }), "migration-result-" + UUID.randomUUID());
    ActorRef<MigrationInfo> onEnd = receiver.narrow();
    FerryNode.Started started = await(AskPattern.ask(node,
        (ActorRef<FerryNode.Started> replyTo) -> new FerryNode.StartMigration(request, replyTo,
            onEnd), ASK, system.scheduler()));
    if (started.error() != null) {
      receiver.tell(STOP);
      throw new IllegalArgumentException(started.error());
    }
    return new Running(started.migrationId(), result);
  }

  /** Runs a migration to its end and returns its final info. */
  public MigrationInfo migrate(MigrationRequest request, Duration timeout) {
    Running r = startMigration(request);
    try {
      return r.result().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("migration " + r.migrationId() + " did not end within "
          + timeout + ": " + e, e);
    }
  }

  /**
   * Records every migration event of this node from now on, in arrival order (a thread-safe
   * queue, for tests and tools; the CLI subscribes its own actor).
   */
  public java.util.Queue<io.ferry.engine.coordinator.MigrationEvent> recordEvents() {
    java.util.Queue<io.ferry.engine.coordinator.MigrationEvent> events =
        new java.util.concurrent.ConcurrentLinkedQueue<>();
    ActorRef<io.ferry.engine.coordinator.MigrationEvent> recorder = spawn(system,
        akka.actor.typed.javadsl.Behaviors.<io.ferry.engine.coordinator.MigrationEvent>
            receiveMessage(e -> {
              events.add(e);
              return akka.actor.typed.javadsl.Behaviors.same();
            }), "event-recorder-" + UUID.randomUUID());
    node.tell(new FerryNode.SubscribeEvents(recorder));
    info(); // the node has taken the subscription once it answers a later request
    return events;
  }

  /** Changes the downtime limit of a running migration (QEMU's migrate-set-parameters). */
  public void setDowntimeLimit(UUID migrationId, Duration limit) {
    node.tell(new FerryNode.SetDowntimeLimit(migrationId, limit));
  }

  /** The current (or final) info of a migration started here, or null if unknown. */
  public MigrationInfo migrationInfo(UUID migrationId) {
    FerryNode.MigrationLookup lookup = await(AskPattern.ask(node,
        (ActorRef<FerryNode.MigrationLookup> replyTo) -> new FerryNode.GetMigration(migrationId,
            replyTo), ASK, system.scheduler()));
    return lookup.info();
  }

  public void cancel(UUID migrationId, String reason) {
    node.tell(new FerryNode.CancelMigration(migrationId, reason));
  }

  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("node " + address() + " did not terminate: " + e, e);
    }
  }
}

package io.ferry.devices.vfio;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.ferry.devices.model.DeviceModel;
import io.ferry.devices.model.MigrationState;
import io.ferry.engine.device.DeviceDescriptor;
import io.ferry.engine.device.DeviceMigration;
import io.ferry.engine.device.DeviceMigration.DeviceCommand;
import java.util.UUID;
import java.util.concurrent.Executor;

/**
 * A VFIO device on a node: owns one device model (the equivalent of a vfio-pci device and its
 * kernel driver) and takes part in at most one migration at a time. Spawned by whoever builds the
 * node (the application, a test, an embedding system) and registered with the node actor.
 *
 * <p>For a migration it spawns a {@link VfioSaveActor} (source) or {@link VfioLoadActor}
 * (destination) child and hands its ref to the engine; the child owns the model until it reports
 * {@code Finished}. If a child stops without finishing (a crash), this actor puts the model back
 * into a defined state itself: RUNNING for a source (resetting if the arc fails), a reset for a
 * destination. Children are not restarted: a crash ends that migration, not the node.
 */
public final class VfioDevice extends AbstractBehavior<DeviceCommand> {

  /** Name of the dispatcher every blocking model call runs on. */
  public static final String IO_DISPATCHER = "ferry.device-io-dispatcher";

  private record ChildFinished(String state) implements DeviceCommand {}

  private record ChildStopped(UUID migrationId) implements DeviceCommand {}

  private record Recovered(UUID migrationId, String state) implements DeviceCommand {}

  public static Behavior<DeviceCommand> create(DeviceDescriptor descriptor, DeviceModel model) {
    return create(descriptor, model, IO_DISPATCHER);
  }

  /**
   * @param ioDispatcher config path of the dispatcher for blocking model calls, for an embedding
   *     application that keeps its own (any dispatcher with enough threads for its devices)
   */
  public static Behavior<DeviceCommand> create(
      DeviceDescriptor descriptor, DeviceModel model, String ioDispatcher) {
    return Behaviors.setup(ctx -> new VfioDevice(ctx, descriptor, model, ioDispatcher));
  }

  private final DeviceDescriptor descriptor;
  private final DeviceModel model;
  private final Executor io;
  private final ActorRef<VfioSaveActor.Finished> saveFinished;
  private final ActorRef<VfioLoadActor.Finished> loadFinished;
  private UUID busyWith;
  private boolean childFinished;
  private boolean childIsSaver;

  private VfioDevice(ActorContext<DeviceCommand> ctx, DeviceDescriptor descriptor,
      DeviceModel model, String ioDispatcher) {
    super(ctx);
    if (!descriptor.deviceId().equals(model.deviceId())) {
      throw new IllegalArgumentException("device id: descriptor " + descriptor.deviceId()
          + " but model " + model.deviceId());
    }
    this.descriptor = descriptor;
    this.model = model;
    this.io = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(ioDispatcher));
    this.saveFinished = ctx.messageAdapter(VfioSaveActor.Finished.class,
        f -> new ChildFinished(f.finalState()));
    this.loadFinished = ctx.messageAdapter(VfioLoadActor.Finished.class,
        f -> new ChildFinished(f.finalState()));
  }

  @Override
  public Receive<DeviceCommand> createReceive() {
    return newReceiveBuilder()
        .onMessage(DeviceMigration.OpenSave.class, this::onOpenSave)
        .onMessage(DeviceMigration.OpenLoad.class, this::onOpenLoad)
        .onMessage(DeviceMigration.Describe.class, this::onDescribe)
        .onMessage(ChildFinished.class, f -> {
          childFinished = true;
          return this;
        })
        .onMessage(ChildStopped.class, this::onChildStopped)
        .onMessage(Recovered.class, r -> {
          getContext().getLog().warn("{}: recovered after migration {}: {}",
              descriptor.deviceId(), r.migrationId(), r.state());
          busyWith = null;
          return this;
        })
        .onSignal(akka.actor.typed.PostStop.class, s -> {
          model.close();
          return this;
        })
        .build();
  }

  private Behavior<DeviceCommand> onOpenSave(DeviceMigration.OpenSave m) {
    if (busyWith != null) {
      m.replyTo().tell(new DeviceMigration.OpenRefused(descriptor.deviceId(),
          "busy with migration " + busyWith));
      return this;
    }
    busyWith = m.migrationId();
    childFinished = false;
    childIsSaver = true;
    ActorRef<DeviceMigration.SaveCommand> saver = getContext().spawn(
        VfioSaveActor.create(model, io, saveFinished, descriptor.instanceId()),
        "save-" + m.migrationId());
    getContext().watchWith(saver, new ChildStopped(m.migrationId()));
    m.replyTo().tell(new DeviceMigration.SaveOpened(descriptor.deviceId(), saver));
    return this;
  }

  private Behavior<DeviceCommand> onOpenLoad(DeviceMigration.OpenLoad m) {
    if (busyWith != null) {
      m.replyTo().tell(new DeviceMigration.OpenRefused(descriptor.deviceId(),
          "busy with migration " + busyWith));
      return this;
    }
    boolean multifd;
    try {
      multifd = descriptor.multifdTransfer().resolve(m.params(), descriptor.deviceId());
    } catch (IllegalStateException e) {
      m.replyTo().tell(new DeviceMigration.OpenRefused(descriptor.deviceId(), e.getMessage()));
      return this;
    }
    busyWith = m.migrationId();
    childFinished = false;
    childIsSaver = false;
    ActorRef<DeviceMigration.LoadCommand> loader = getContext().spawn(
        VfioLoadActor.create(model, io, loadFinished, multifd), "load-" + m.migrationId());
    getContext().watchWith(loader, new ChildStopped(m.migrationId()));
    m.replyTo().tell(new DeviceMigration.LoadOpened(descriptor.deviceId(), loader));
    return this;
  }

  private Behavior<DeviceCommand> onDescribe(DeviceMigration.Describe m) {
    // While a child owns the model, only its state is read here: the digest waits.
    m.replyTo().tell(new DeviceMigration.DeviceInfo(descriptor, model.state().name(),
        busyWith == null ? VfioSaveActor.toEngine(model.digest()) : null,
        busyWith == null ? null : busyWith.toString()));
    return this;
  }

  private Behavior<DeviceCommand> onChildStopped(ChildStopped s) {
    if (childFinished) {
      busyWith = null;
      return this;
    }
    // The device stays busy until it is back in a defined state: no migration may open it now.
    getContext().getLog().warn("{}: migration {} child stopped without finishing; recovering "
        + "the device", descriptor.deviceId(), s.migrationId());
    boolean source = childIsSaver;
    getContext().pipeToSelf(
        java.util.concurrent.CompletableFuture.supplyAsync(() -> recover(source), io),
        (state, error) -> new Recovered(s.migrationId(),
            error == null ? state : "recovery failed: " + error.getMessage()));
    return this;
  }

  /** A source goes back to RUNNING (reset if the arc fails); a destination is reset. */
  private String recover(boolean source) {
    try {
      if (source && model.state() != MigrationState.RUNNING) {
        model.setState(MigrationState.RUNNING);
      } else if (!source) {
        model.reset();
      }
    } catch (Exception e) {
      model.reset();
    }
    return model.state().name();
  }
}

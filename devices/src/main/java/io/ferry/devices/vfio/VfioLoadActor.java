package io.ferry.devices.vfio;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.util.ByteString;
import io.ferry.devices.model.DataStream;
import io.ferry.devices.model.DeviceException;
import io.ferry.devices.model.DeviceModel;
import io.ferry.devices.model.Errno;
import io.ferry.devices.model.MigrationFeatures;
import io.ferry.devices.model.MigrationState;
import io.ferry.devices.model.ResumingStream;
import io.ferry.engine.device.DeviceMigration;
import io.ferry.engine.device.DeviceMigration.LoadCommand;
import io.ferry.engine.device.DeviceMigration.LoadReply;
import io.ferry.engine.device.DeviceMigration.SectionKind;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * The load side of one VFIO device for one migration (QEMU's {@code vfio_load_*} handlers and the
 * multifd load thread). Spawned by {@link VfioDevice} on OpenLoad; stops after StartDevice or
 * AbortLoad.
 *
 * <p>Owns the device's resuming stream. Commands are executed one at a time, in arrival order, on
 * the device-io dispatcher: main-channel sections and multifd chunks (already in index order from
 * the reassembly actor) are written in exactly the order the engine sent them. Writes may be
 * partial and are repeated until the buffer is consumed. The config is loaded only after every
 * data byte; a config arriving on the main channel of a multifd device is refused with QEMU's
 * error. AbortLoad jumps the queue: it closes the stream (cutting a blocked write) and resets the
 * device, the only way out of RESUMING, so no half-loaded state survives a failed migration.
 */
final class VfioLoadActor extends AbstractBehavior<LoadCommand> {

  record Finished(String finalState) {}

  private record Done(LoadCommand command, Object value) implements LoadCommand {}

  private record Failed(LoadCommand command, Throwable cause) implements LoadCommand {}

  static Behavior<LoadCommand> create(
      DeviceModel model, Executor io, ActorRef<Finished> parent, boolean expectMultifd) {
    return Behaviors.setup(ctx -> new VfioLoadActor(ctx, model, io, parent, expectMultifd));
  }

  private final DeviceModel model;
  private final DeviceIo<LoadCommand> io;
  private final ActorRef<Finished> parent;
  private final String deviceId;
  private final ArrayDeque<LoadCommand> queue = new ArrayDeque<>();
  private final boolean multifd;
  private ResumingStream stream;
  private boolean failed;
  private boolean aborting;

  private VfioLoadActor(
      ActorContext<LoadCommand> ctx,
      DeviceModel model,
      Executor executor,
      ActorRef<Finished> parent,
      boolean multifd) {
    super(ctx);
    this.model = model;
    this.io = new DeviceIo<>(ctx, executor);
    this.parent = parent;
    this.deviceId = model.deviceId();
    this.multifd = multifd;
  }

  @Override
  public Receive<LoadCommand> createReceive() {
    return newReceiveBuilder()
        .onMessage(DeviceMigration.AbortLoad.class, this::onAbort)
        .onMessage(Done.class, this::onDone)
        .onMessage(Failed.class, this::onFailed)
        .onAnyMessage(this::onCommand)
        .build();
  }

  private Behavior<LoadCommand> onCommand(LoadCommand cmd) {
    if (aborting) {
      return this;
    }
    if (failed) {
      reply(cmd, new DeviceMigration.LoadFailed(deviceId, phase(cmd), "device already failed"));
      return this;
    }
    queue.add(cmd);
    next();
    return this;
  }

  private void next() {
    if (io.busy() || queue.isEmpty()) {
      return;
    }
    LoadCommand cmd = queue.poll();
    io.run(() -> execute(cmd), v -> new Done(cmd, v), e -> new Failed(cmd, e));
  }

  /** Runs on the device-io dispatcher. */
  private Object execute(LoadCommand cmd) throws Exception {
    if (cmd instanceof DeviceMigration.LoadSetup s) {
      List<VfioSectionPayload.Item> items = VfioSectionPayload.parse(deviceId, s.payload());
      if (items.size() != 1 || !(items.get(0) instanceof VfioSectionPayload.Setup setup)) {
        throw new DeviceException(deviceId, Errno.EINVAL,
            "setup section: expected DEV_SETUP_STATE .. END_OF_STATE, got " + items);
      }
      if (setup.features() != model.features()) {
        throw new DeviceException(deviceId, Errno.EINVAL, "migration features: expected "
            + model.features() + " (destination), got " + setup.features() + " (source)");
      }
      Optional<DataStream> d = model.setState(MigrationState.RESUMING);
      stream = (ResumingStream) d.orElseThrow(() -> new DeviceException(deviceId, Errno.EBADF,
          "no resuming stream after RESUMING"));
      return new DeviceMigration.SetupLoaded(deviceId,
          (setup.features() & MigrationFeatures.PRE_COPY) != 0);
    }
    if (cmd instanceof DeviceMigration.LoadSection s) {
      boolean initDataSent = false;
      for (VfioSectionPayload.Item item : VfioSectionPayload.parse(deviceId, s.payload())) {
        if (item instanceof VfioSectionPayload.InitDataSent) {
          if (s.kind() != SectionKind.PART) {
            throw new DeviceException(deviceId, Errno.EINVAL,
                "DEV_INIT_DATA_SENT: expected in a PART section, got it in " + s.kind());
          }
          initDataSent = true;
          continue;
        }
        if (item instanceof VfioSectionPayload.Data data) {
          if (s.kind() == SectionKind.END && multifd) {
            throw new DeviceException(deviceId, Errno.EINVAL,
                "got DEV_DATA_STATE in the END section but doing multifd transfer");
          }
          write(data.bytes());
        } else if (item instanceof VfioSectionPayload.Config config) {
          if (multifd) {
            throw new DeviceException(deviceId, Errno.EINVAL,
                "got DEV_CONFIG_STATE in main migration channel but doing multifd transfer");
          }
          if (s.kind() != SectionKind.FULL) {
            throw new DeviceException(deviceId, Errno.EINVAL,
                "DEV_CONFIG_STATE: expected in the FULL section, got it in " + s.kind());
          }
          model.loadConfig(config.bytes().toArray());
        } else if (item instanceof VfioSectionPayload.Setup) {
          throw new DeviceException(deviceId, Errno.EINVAL,
              "DEV_SETUP_STATE: expected only in the START section, got it in " + s.kind());
        }
      }
      if (s.kind() == SectionKind.FULL && !multifd && !hasConfig(s.payload())) {
        throw new DeviceException(deviceId, Errno.EINVAL,
            "FULL section: expected DEV_CONFIG_STATE on the legacy path, got none");
      }
      return new DeviceMigration.SectionLoaded(deviceId, s.kind(), initDataSent);
    }
    if (cmd instanceof DeviceMigration.LoadChunk c) {
      if (c.config()) {
        model.loadConfig(c.data().toArray());
      } else {
        write(c.data());
      }
      return new DeviceMigration.ChunkLoaded(deviceId, c.index(), c.data().size());
    }
    if (cmd instanceof DeviceMigration.CompleteLoad) {
      if (stream != null) {
        stream.close();
      }
      model.setState(MigrationState.STOP);
      return new DeviceMigration.LoadValidated(deviceId, VfioSaveActor.toEngine(model.digest()));
    }
    if (cmd instanceof DeviceMigration.StartDevice) {
      model.setState(MigrationState.RUNNING);
      return new DeviceMigration.DeviceStarted(deviceId);
    }
    throw new IllegalArgumentException(deviceId + ": unexpected load command " + cmd);
  }

  private boolean hasConfig(ByteString payload) throws VfioSectionPayload.VfioStreamException {
    for (VfioSectionPayload.Item i : VfioSectionPayload.parse(deviceId, payload)) {
      if (i instanceof VfioSectionPayload.Config) {
        return true;
      }
    }
    return false;
  }

  private void write(ByteString data) throws DeviceException {
    if (stream == null) {
      throw new DeviceException(deviceId, Errno.EINVAL, "data before the setup section");
    }
    for (ByteBuffer b : data.getByteBuffers()) {
      while (b.hasRemaining()) {
        stream.write(b);
      }
    }
  }

  private Behavior<LoadCommand> onDone(Done done) {
    io.done();
    if (aborting) {
      return abortNow();
    }
    LoadReply reply = (LoadReply) done.value();
    reply(done.command(), reply);
    if (reply instanceof DeviceMigration.DeviceStarted) {
      parent.tell(new Finished(model.state().name()));
      return Behaviors.stopped();
    }
    next();
    return this;
  }

  private Behavior<LoadCommand> onFailed(Failed f) {
    io.done();
    if (aborting) {
      return abortNow();
    }
    failed = true;
    reply(f.command(), new DeviceMigration.LoadFailed(deviceId, phase(f.command()),
        DeviceIo.describe(f.cause())));
    for (LoadCommand cmd : queue) {
      reply(cmd, new DeviceMigration.LoadFailed(deviceId, phase(cmd), "device already failed"));
    }
    queue.clear();
    return this;
  }

  private ActorRef<LoadReply> pendingAbortReply;

  private Behavior<LoadCommand> onAbort(DeviceMigration.AbortLoad abort) {
    if (aborting) {
      return this;
    }
    aborting = true;
    pendingAbortReply = abort.replyTo();
    queue.clear();
    if (io.busy()) {
      if (stream != null) {
        stream.close();
      }
      return this;
    }
    return abortNow();
  }

  private Behavior<LoadCommand> abortNow() {
    io.run(() -> {
      if (stream != null) {
        stream.close();
      }
      // RESUMING can only be left by a reset; it also drops whatever was loaded.
      model.reset();
      return model.state().name();
    }, v -> new Done(null, v), e -> new Failed(null, e));
    return Behaviors.receive(LoadCommand.class)
        .onMessage(Done.class, d -> aborted(String.valueOf(d.value())))
        .onMessage(Failed.class, f -> aborted(model.state().name() + " (reset failed: "
            + DeviceIo.describe(f.cause()) + ")"))
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  private Behavior<LoadCommand> aborted(String state) {
    pendingAbortReply.tell(new DeviceMigration.LoadAborted(deviceId, state));
    parent.tell(new Finished(state));
    return Behaviors.stopped();
  }

  private static void reply(LoadCommand cmd, LoadReply reply) {
    ActorRef<LoadReply> to = replyTo(cmd);
    if (to != null) {
      to.tell(reply);
    }
  }

  private static ActorRef<LoadReply> replyTo(LoadCommand cmd) {
    if (cmd instanceof DeviceMigration.LoadSetup s) {
      return s.replyTo();
    }
    if (cmd instanceof DeviceMigration.LoadSection s) {
      return s.replyTo();
    }
    if (cmd instanceof DeviceMigration.LoadChunk c) {
      return c.replyTo();
    }
    if (cmd instanceof DeviceMigration.CompleteLoad c) {
      return c.replyTo();
    }
    if (cmd instanceof DeviceMigration.StartDevice s) {
      return s.replyTo();
    }
    return null;
  }

  private static String phase(LoadCommand cmd) {
    if (cmd instanceof DeviceMigration.LoadSetup) {
      return "load setup";
    }
    if (cmd instanceof DeviceMigration.LoadSection s) {
      return "load " + s.kind().name().toLowerCase() + " section";
    }
    if (cmd instanceof DeviceMigration.LoadChunk c) {
      return "load chunk " + c.index();
    }
    if (cmd instanceof DeviceMigration.CompleteLoad) {
      return "RESUMING -> STOP";
    }
    if (cmd instanceof DeviceMigration.StartDevice) {
      return "STOP -> RUNNING";
    }
    return "load";
  }
}

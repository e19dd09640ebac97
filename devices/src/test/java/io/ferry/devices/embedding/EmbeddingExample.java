package io.ferry.devices.embedding;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ferry.devices.model.AbstractDeviceModel;
import io.ferry.devices.model.DataStream;
import io.ferry.devices.model.DeviceDigest;
import io.ferry.devices.model.DeviceException;
import io.ferry.devices.model.Errno;
import io.ferry.devices.model.MigrationFeatures;
import io.ferry.devices.model.MigrationState;
import io.ferry.devices.model.framing.Bytes;
import io.ferry.devices.model.framing.FramedFormat;
import io.ferry.devices.model.framing.FramedResumingStream;
import io.ferry.devices.model.framing.FramedSavingStream;
import io.ferry.devices.vfio.VfioDevice;
import io.ferry.engine.config.FerryConfig;
import io.ferry.engine.config.MigrationParameters;
import io.ferry.engine.config.MultifdTransfer;
import io.ferry.engine.coordinator.MigrationEvent;
import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.coordinator.MigrationRequest;
import io.ferry.engine.device.DeviceDescriptor;
import io.ferry.engine.device.DeviceMigration;
import io.ferry.engine.node.FerryNode;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Ferry embedded in an application's own ActorSystem (docs/embedding.md shows this file): the
 * application spawns a Ferry node where it wants it, with its own config section and its own
 * dispatcher for device I/O, registers a device model it implements itself, and starts, watches
 * and cancels migrations from code.
 */
public final class EmbeddingExample {

  /** The application's own device: 4 KiB of registers, migrated in STOP_COPY. */
  public static final class RegisterFile extends AbstractDeviceModel {
    private static final long MAGIC = 0x52454746494c4531L; // "REGFILE1"
    private byte[] registers;
    private byte[] incoming;
    private int filled;
    private FramedResumingStream resuming;

    public RegisterFile(String deviceId, byte[] registers) {
      super(deviceId, MigrationFeatures.of(false, false));
      this.registers = registers == null ? null : registers.clone();
    }

    @Override
    public String kind() {
      return "register-file";
    }

    @Override
    protected Optional<DataStream> step(MigrationState from, MigrationState to)
        throws DeviceException {
      if (from == MigrationState.STOP && to == MigrationState.STOP_COPY) {
        byte[] snapshot = registers.clone();
        byte[] header = FramedFormat.header(MAGIC, snapshot.length, Bytes.sha256().digest(snapshot));
        return Optional.of(register(new FramedSavingStream(deviceId(), lock, header,
            snapshot.length, (dst, offset, max) -> {
              dst.put(snapshot, (int) offset, max);
              return max;
            }, this::state)));
      }
      if (from == MigrationState.STOP && to == MigrationState.RESUMING) {
        filled = 0;
        resuming = register(new FramedResumingStream(deviceId(), lock, MAGIC,
            (h, length) -> incoming = new byte[(int) length],
            src -> {
              int n = src.remaining();
              src.get(incoming, filled, n);
              filled += n;
            }));
        return Optional.of(resuming);
      }
      if (from == MigrationState.RESUMING && to == MigrationState.STOP) {
        resuming.validate(); // fails the arc if the stream was short, torn or corrupt
        registers = incoming;
      }
      return Optional.empty();
    }

    @Override
    public long stopCopyLength() {
      return FramedFormat.HEADER_BYTES + 4096L + FramedFormat.TRAILER_BYTES;
    }

    @Override
    public byte[] saveConfig() {
      return new byte[0];
    }

    @Override
    public void loadConfig(byte[] config) throws DeviceException {
      if (config.length != 0) {
        throw error(Errno.EINVAL, "config: expected 0 bytes, got " + config.length);
      }
    }

    @Override
    public DeviceDigest digest() {
      synchronized (lock) {
        byte[] r = registers == null ? new byte[0] : registers;
        return new DeviceDigest("sha-256", Bytes.sha256Hex(r), r.length, DeviceDigest.NO_CONFIG);
      }
    }
  }

  /** The application's settings: Ferry under its own section, with its own I/O dispatcher. */
  static Config appConfig() {
    return FerryConfig.load(ConfigFactory.parseString("""
        akka.remote.artery.canonical.port = 0
        myapp {
          migration-node {
            node { actor-name = "migration-node", data-port = 0 }
            migration { multifd-channels = 2 }
          }
          device-io { type = Dispatcher, executor = thread-pool-executor,
                      thread-pool-executor.fixed-pool-size = 4 }
        }
        """));
  }

  /** The application's guardian: its own actors, and a Ferry node among them. */
  static Behavior<Object> guardian(byte[] registers, CompletableFuture<ActorRef<FerryNode.Command>>
      node) {
    return Behaviors.setup(ctx -> {
      Config section = ctx.getSystem().settings().config().getConfig("myapp.migration-node");
      ActorRef<FerryNode.Command> ferry = ctx.spawn(FerryNode.fromSection(section), "ferry");
      DeviceDescriptor descriptor =
          new DeviceDescriptor("regs0", 0, "register-file", MultifdTransfer.AUTO);
      ActorRef<DeviceMigration.DeviceCommand> device = ctx.spawn(
          VfioDevice.create(descriptor, new RegisterFile("regs0", registers), "myapp.device-io"),
          "regs0");
      ferry.tell(new FerryNode.RegisterDevice(descriptor, device, ctx.getSystem().ignoreRef()));
      node.complete(ferry);
      return Behaviors.empty();
    });
  }

  /** Two applications, one migration between their embedded nodes, watched through events. */
  public static MigrationInfo run() throws Exception {
    byte[] registers = new byte[4096];
    new java.util.Random(1).nextBytes(registers);
    CompletableFuture<ActorRef<FerryNode.Command>> srcNode = new CompletableFuture<>();
    CompletableFuture<ActorRef<FerryNode.Command>> dstNode = new CompletableFuture<>();
    ActorSystem<Object> src = ActorSystem.create(guardian(registers, srcNode), "app-a", appConfig());
    ActorSystem<Object> dst = ActorSystem.create(guardian(null, dstNode), "app-b", appConfig());
    try {
      ActorRef<FerryNode.Command> node = srcNode.get(10, TimeUnit.SECONDS);
      dstNode.get(10, TimeUnit.SECONDS);
      // Watch: every event of this node's migrations, here printed.
      node.tell(new FerryNode.SubscribeEvents(src.systemActorOf(
          Behaviors.<MigrationEvent>receiveMessage(e -> {
            System.out.println("event: " + e);
            return Behaviors.same();
          }), "events", akka.actor.typed.Props.empty())));
      // Start: the destination is named by its node's full path (it is not under /user directly).
      MigrationParameters params = MigrationParameters.fromConfig(
          src.settings().config().getConfig("myapp.migration-node").withFallback(
              ConfigFactory.defaultReference().getConfig("ferry")).getConfig("migration"));
      String destination = dst.address() + "/user/ferry";
      CompletableFuture<MigrationInfo> result = new CompletableFuture<>();
      ActorRef<MigrationInfo> onEnd = src.systemActorOf(Behaviors.<MigrationInfo>receiveMessage(
          info -> {
            result.complete(info);
            return Behaviors.stopped();
          }), "on-end", akka.actor.typed.Props.empty());
      CompletionStage<FerryNode.Started> started = AskPattern.ask(node,
          replyTo -> new FerryNode.StartMigration(
              new MigrationRequest(destination, List.of("regs0"), params), replyTo, onEnd),
          Duration.ofSeconds(10), src.scheduler());
      FerryNode.Started s = started.toCompletableFuture().get(10, TimeUnit.SECONDS);
      if (s.error() != null) {
        throw new IllegalStateException(s.error());
      }
      // Cancel would be: node.tell(new FerryNode.CancelMigration(s.migrationId(), "reason"));
      return result.get(60, TimeUnit.SECONDS);
    } finally {
      src.terminate();
      dst.terminate();
      src.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      dst.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  public static void main(String[] args) throws Exception {
    MigrationInfo info = run();
    System.out.println(info.status() + ", digests match: " + info.succeeded());
    System.exit(info.succeeded() ? 0 : 1);
  }
}

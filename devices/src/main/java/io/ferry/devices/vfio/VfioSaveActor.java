package io.ferry.devices.vfio;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.util.ByteString;
import io.ferry.devices.model.DataStream;
import io.ferry.devices.model.DeviceDigest;
import io.ferry.devices.model.DeviceException;
import io.ferry.devices.model.DeviceModel;
import io.ferry.devices.model.Errno;
import io.ferry.devices.model.MigrationFeatures;
import io.ferry.devices.model.MigrationState;
import io.ferry.devices.model.PrecopyInfo;
import io.ferry.devices.model.ReadResult;
import io.ferry.devices.model.SavingStream;
import io.ferry.engine.device.DeviceMigration;
import io.ferry.engine.device.DeviceMigration.SaveCommand;
import io.ferry.engine.device.DeviceMigration.SaveReply;
import io.ferry.engine.device.StateDigest;
import io.ferry.engine.device.StateSink;
import io.ferry.engine.reassembly.CreditWindow;
import io.ferry.protocol.WireFormat;
import io.ferry.protocol.codec.DeviceStateChunkCodec;
import io.ferry.protocol.packet.DeviceStateChunk;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * The save side of one VFIO device for one migration (QEMU's {@code vfio_save_*} handlers and the
 * multifd save thread). Spawned by {@link VfioDevice} on OpenSave; stops after FinishSave.
 *
 * <p>Owns the device's saving stream while it exists. Stop-copy streaming reads one chunk at a time
 * on the device-io dispatcher and puts it into the engine's sink; it reads ahead only while fewer
 * than {@code maxOutstanding} chunks are unaccepted, so a slow channel slows the device reads and
 * nothing piles up; and with multifd it reads only while its credit from the destination covers a
 * whole chunk (flow control, docs/features/flow-control.md), so a slow destination device slows
 * this one's reads instead of filling the destination's memory. Multifd: chunk i is
 * {@code DeviceStateChunk(idx=i)}, then the config as the
 * last index with the CONFIG flag (QEMU R3). Legacy: DEV_DATA_STATE blocks, then END_OF_STATE; the
 * config goes into the FULL section. Abort (FinishSave not migrated) is checked before every read,
 * and a read in progress is cut by closing the stream. The device always ends in a defined state:
 * STOP after a successful migration, RUNNING (resetting if the arc fails) otherwise.
 */
final class VfioSaveActor extends AbstractBehavior<SaveCommand> {

  /** Reported to the parent device actor when the migration is over for this device. */
  record Finished(String finalState) {}

  private record Done<T>(T value, Step step) implements SaveCommand {}

  private record Failed(String phase, Throwable cause) implements SaveCommand {}

  private record WrappedAccepted(StateSink.Accepted accepted) implements SaveCommand {}

  private enum Step {
    SETUP,
    ITERATE,
    STOP,
    OPEN_STREAM,
    READ,
    CONFIG,
    FULL,
    FINISH
  }

  /** One read of the stop-copy stream: data, or -1 at end of stream. */
  private record Chunk(byte[] bytes, int length) {}

  static Behavior<SaveCommand> create(
      DeviceModel model, Executor io, ActorRef<Finished> parent, int instanceId) {
    return Behaviors.setup(ctx -> new VfioSaveActor(ctx, model, io, parent, instanceId));
  }

  private final DeviceModel model;
  private final DeviceIo<SaveCommand> io;
  private final ActorRef<Finished> parent;
  private final ActorRef<StateSink.Accepted> accepted;
  private final String deviceId;
  private final int instanceId;
  private ActorRef<SaveReply> replyTo;
  private SavingStream stream;
  private DeviceMigration.SaveComplete complete;
  private DeviceMigration.FinishSave pendingFinish;
  private long index;
  private int outstanding;
  private boolean endOfStream;
  private boolean lastPut;
  private long dataBytes;
  private long configBytes;
  private boolean finishing;
  private volatile boolean initDataSent;
  /** Multifd credit left, in CreditWindow cost units. */
  private long credit;
  /** The config chunk, read but waiting for credit. */
  private byte[] pendingConfig;

  private VfioSaveActor(
      ActorContext<SaveCommand> ctx,
      DeviceModel model,
      Executor executor,
      ActorRef<Finished> parent,
      int instanceId) {
    super(ctx);
    this.model = model;
    this.io = new DeviceIo<>(ctx, executor);
    this.parent = parent;
    this.deviceId = model.deviceId();
    this.instanceId = instanceId;
    this.accepted = ctx.messageAdapter(StateSink.Accepted.class, WrappedAccepted::new);
  }

  @Override
  public Receive<SaveCommand> createReceive() {
    return newReceiveBuilder()
        .onMessage(DeviceMigration.SaveSetup.class, this::onSaveSetup)
        .onMessage(DeviceMigration.SaveIterate.class, this::onSaveIterate)
        .onMessage(DeviceMigration.StopDevice.class, this::onStopDevice)
        .onMessage(DeviceMigration.SaveComplete.class, this::onSaveComplete)
        .onMessage(DeviceMigration.SaveFull.class, this::onSaveFull)
        .onMessage(DeviceMigration.FinishSave.class, this::onFinishSave)
        .onMessage(WrappedAccepted.class, this::onAccepted)
        .onMessage(DeviceMigration.CreditGranted.class, this::onCreditGranted)
        .onMessage(Done.class, this::onDone)
        .onMessage(Failed.class, this::onFailed)
        .build();
  }

  private <T> void call(Step step, DeviceIo.Call<T> work) {
    io.run(work, v -> new Done<>(v, step), e -> new Failed(step.name().toLowerCase(), e));
  }

  private Behavior<SaveCommand> onSaveSetup(DeviceMigration.SaveSetup m) {
    replyTo = m.replyTo();
    call(Step.SETUP, () -> {
      long estimate = stopCopyLength();
      boolean precopy = false;
      long initial = 0;
      // QEMU's vfio_save_setup(): a running device that supports PRE_COPY enters it now.
      if ((model.features() & MigrationFeatures.PRE_COPY) != 0
          && model.state() == MigrationState.RUNNING) {
        stream = (SavingStream) model.setState(MigrationState.PRE_COPY).orElseThrow(
            () -> new DeviceException(deviceId, Errno.EBADF, "no saving stream after PRE_COPY"));
        precopy = true;
        initial = stream.precopyInfo().initialBytes();
      }
      return new DeviceMigration.SetupSaved(deviceId,
          VfioSectionPayload.setup(model.features(), estimate), estimate, precopy, initial);
    });
    return this;
  }

  /** QEMU: a failed size query counts as 100 GiB so that the downtime limit is never violated. */
  private long stopCopyLength() {
    try {
      return model.stopCopyLength();
    } catch (DeviceException e) {
      return 100L << 30;
    }
  }

  /**
   * One precopy pass: reads until {@code maxBytes}, a temporary end of data, or the device left
   * PRE_COPY. Runs as one device call; its chunks are put into the main channel as it goes (the
   * main channel's own queue bounds nothing here, so the pass budget is what bounds memory).
   */
  private Behavior<SaveCommand> onSaveIterate(DeviceMigration.SaveIterate m) {
    replyTo = m.replyTo();
    call(Step.ITERATE, () -> {
      long sent = 0;
      ByteBuffer buf = ByteBuffer.allocate(m.chunkSize());
      while (sent < m.maxBytes() && stream != null) {
        buf.clear();
        if (m.maxBytes() - sent < buf.capacity()) {
          buf.limit((int) (m.maxBytes() - sent));
        }
        ReadResult r = stream.read(buf);
        if (!(r instanceof ReadResult.Data d) || d.bytes() == 0) {
          break; // NoDataYet or the zero-length temporary end: nothing more right now
        }
        byte[] data = java.util.Arrays.copyOf(buf.array(), d.bytes());
        m.sink().tell(new StateSink.Put(deviceId, instanceId, DeviceMigration.SectionKind.PART,
            VfioSectionPayload.dataHeader(d.bytes()).concat(ByteString.fromArrayUnsafe(data)),
            -1, accepted));
        sent += d.bytes();
      }
      PrecopyInfo info = stream.precopyInfo();
      boolean markInit = m.switchoverAck() && !initDataSent && info.initialBytes() == 0;
      if (markInit) {
        initDataSent = true;
        m.sink().tell(new StateSink.Put(deviceId, instanceId, DeviceMigration.SectionKind.PART,
            VfioSectionPayload.initDataSent(), -1, accepted));
      }
      return new DeviceMigration.Iterated(deviceId, sent, info.initialBytes(), info.dirtyBytes(),
          stopCopyLength(), initDataSent);
    });
    return this;
  }

  private Behavior<SaveCommand> onStopDevice(DeviceMigration.StopDevice m) {
    replyTo = m.replyTo();
    call(Step.STOP, () -> {
      MigrationState target =
          model.state() == MigrationState.PRE_COPY || model.state() == MigrationState.PRE_COPY_P2P
              ? MigrationState.STOP_COPY
              : MigrationState.STOP;
      Optional<DataStream> s = model.setState(target);
      s.ifPresent(d -> stream = (SavingStream) d);
      return toEngine(model.digest());
    });
    return this;
  }

  private Behavior<SaveCommand> onSaveComplete(DeviceMigration.SaveComplete m) {
    replyTo = m.replyTo();
    complete = m;
    credit += m.credit();
    call(Step.OPEN_STREAM, () -> {
      if (model.state() != MigrationState.STOP_COPY) {
        Optional<DataStream> s = model.setState(MigrationState.STOP_COPY);
        if (s.isPresent()) {
          stream = (SavingStream) s.get();
        }
      }
      if (stream == null) {
        throw new DeviceException(deviceId, Errno.EBADF,
            "no saving stream after STOP_COPY");
      }
      return Boolean.TRUE;
    });
    return this;
  }

  private Behavior<SaveCommand> onSaveFull(DeviceMigration.SaveFull m) {
    replyTo = m.replyTo();
    if (m.multifd()) {
      replyTo.tell(new DeviceMigration.FullSaved(deviceId, VfioSectionPayload.endOfState()));
      return this;
    }
    call(Step.FULL, model::saveConfig);
    return this;
  }

  private Behavior<SaveCommand> onFinishSave(DeviceMigration.FinishSave m) {
    if (finishing) {
      return this;
    }
    if (io.busy()) {
      pendingFinish = m;
      if (!m.migrated() && stream != null) {
        // Cut a read that may be stalled; it returns with an error and the finish runs then.
        stream.close();
      }
      return this;
    }
    return finish(m);
  }

  private Behavior<SaveCommand> finish(DeviceMigration.FinishSave m) {
    finishing = true;
    replyTo = m.replyTo();
    call(Step.FINISH, () -> {
      if (stream != null) {
        stream.close();
      }
      if (m.migrated()) {
        model.setState(MigrationState.STOP);
      } else if (model.state() != MigrationState.RUNNING) {
        try {
          model.setState(MigrationState.RUNNING);
        } catch (DeviceException e) {
          // QEMU's recover path: a device that cannot go back to RUNNING is reset.
          model.reset();
        }
      }
      return model.state().name();
    });
    return this;
  }

  @SuppressWarnings("unchecked")
  private Behavior<SaveCommand> onDone(Done<?> done) {
    io.done();
    if (pendingFinish != null) {
      DeviceMigration.FinishSave f = pendingFinish;
      pendingFinish = null;
      return finish(f);
    }
    switch (done.step()) {
      case SETUP, ITERATE -> replyTo.tell((SaveReply) done.value());
      case STOP -> replyTo.tell(new DeviceMigration.DeviceStopped(deviceId,
          (StateDigest) done.value()));
      case OPEN_STREAM -> readNext();
      case READ -> onChunk((Chunk) done.value());
      case CONFIG -> {
        pendingConfig = (byte[]) done.value();
        configBytes = pendingConfig.length;
        if (credit >= cost(pendingConfig.length)) {
          putConfig();
        }
      }
      case FULL -> {
        byte[] config = (byte[]) done.value();
        configBytes = config.length;
        replyTo.tell(new DeviceMigration.FullSaved(deviceId, VfioSectionPayload.config(config)));
      }
      case FINISH -> {
        String state = (String) done.value();
        replyTo.tell(new DeviceMigration.SaveFinished(deviceId, state));
        parent.tell(new Finished(state));
        return Behaviors.stopped();
      }
    }
    return this;
  }

  private Behavior<SaveCommand> onFailed(Failed f) {
    io.done();
    if (pendingFinish != null) {
      DeviceMigration.FinishSave m = pendingFinish;
      pendingFinish = null;
      return finish(m);
    }
    String reason = DeviceIo.describe(f.cause());
    if (finishing) {
      // Even the recovery failed: the device is left as the model reports it.
      replyTo.tell(new DeviceMigration.SaveFailed(deviceId, f.phase(), reason));
      parent.tell(new Finished(model.state().name()));
      return Behaviors.stopped();
    }
    replyTo.tell(new DeviceMigration.SaveFailed(deviceId, f.phase(), reason));
    return this;
  }

  /** What a chunk of {@code data} bytes costs against the destination's credit. */
  private static long cost(int data) {
    return CreditWindow.cost(data + WireFormat.CHUNK_HEADER_SIZE);
  }

  private Behavior<SaveCommand> onCreditGranted(DeviceMigration.CreditGranted g) {
    credit += g.bytes();
    if (complete == null || finishing) {
      return this;
    }
    if (pendingConfig != null && credit >= cost(pendingConfig.length)) {
      putConfig();
    }
    readNext();
    return this;
  }

  private void readNext() {
    if (io.busy() || endOfStream || outstanding >= complete.maxOutstanding()) {
      return;
    }
    if (complete.multifd() && credit < cost(complete.chunkSize())) {
      return; // wait for the destination to grant more (flow control)
    }
    int size = complete.chunkSize();
    call(Step.READ, () -> {
      byte[] buf = new byte[size];
      ByteBuffer bb = ByteBuffer.wrap(buf);
      while (true) {
        ReadResult r = stream.read(bb);
        if (r instanceof ReadResult.Data d) {
          if (d.bytes() > 0) {
            return new Chunk(buf, d.bytes());
          }
        } else if (r instanceof ReadResult.EndOfStream) {
          return new Chunk(buf, -1);
        } else {
          throw new DeviceException(deviceId, Errno.EINVAL,
              "reading state buffer " + index + ": temporary end of stream in STOP_COPY");
        }
      }
    });
  }

  private void putConfig() {
    byte[] config = pendingConfig;
    pendingConfig = null;
    credit -= cost(config.length);
    put(DeviceStateChunkCodec.encodeHeader(index, DeviceStateChunk.CONFIG_STATE)
        .concat(ByteString.fromArrayUnsafe(config)));
    lastPut = true;
    maybeSaved();
  }

  private void onChunk(Chunk chunk) {
    if (chunk.length() < 0) {
      endOfStream = true;
      if (complete.multifd()) {
        call(Step.CONFIG, model::saveConfig);
      } else {
        put(VfioSectionPayload.endOfState());
        lastPut = true;
        maybeSaved();
      }
      return;
    }
    ByteString data = ByteString.fromArrayUnsafe(chunk.bytes(), 0, chunk.length());
    dataBytes += chunk.length();
    if (complete.multifd()) {
      credit -= cost(chunk.length());
      put(DeviceStateChunkCodec.encodeHeader(index, 0).concat(data));
    } else {
      put(VfioSectionPayload.dataHeader(chunk.length()).concat(data));
    }
    index++;
    readNext();
  }

  private void put(ByteString payload) {
    outstanding++;
    complete.sink().tell(new StateSink.Put(deviceId, instanceId, DeviceMigration.SectionKind.END,
        payload, index, accepted));
  }

  private Behavior<SaveCommand> onAccepted(WrappedAccepted a) {
    if (finishing || complete == null || a.accepted().requestId() < 0) {
      return this; // precopy puts (requestId -1) are not counted against the stop-copy window
    }
    outstanding--;
    if (!endOfStream) {
      readNext();
    }
    maybeSaved();
    return this;
  }

  private void maybeSaved() {
    if (lastPut && outstanding == 0) {
      lastPut = false;
      replyTo.tell(new DeviceMigration.StateSaved(deviceId, index, dataBytes, configBytes));
    }
  }

  static StateDigest toEngine(DeviceDigest d) {
    return new StateDigest(d.algorithm(), d.stateDigest(), d.stateBytes(), d.configDigest());
  }
}

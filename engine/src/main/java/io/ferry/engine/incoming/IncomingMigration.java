package io.ferry.engine.incoming;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import io.ferry.engine.config.MigrationParameters;
import io.ferry.engine.coordinator.MigrationCoordinator;
import io.ferry.engine.device.DeviceMigration;
import io.ferry.engine.device.DeviceMigration.DeviceCommand;
import io.ferry.engine.device.DeviceMigration.LoadCommand;
import io.ferry.engine.device.DeviceMigration.LoadReply;
import io.ferry.engine.device.DeviceMigration.SectionKind;
import io.ferry.engine.device.StateDigest;
import io.ferry.engine.reassembly.ReassemblyActor;
import io.ferry.engine.transport.Control;
import io.ferry.protocol.packet.EndOfStream;
import io.ferry.protocol.packet.MainRecord;
import io.ferry.protocol.packet.SectionEnd;
import io.ferry.protocol.packet.SectionFull;
import io.ferry.protocol.packet.SectionPart;
import io.ferry.protocol.packet.SectionStart;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The destination side of one migration: QEMU's {@code process_incoming_migration_co()} and
 * {@code qemu_loadvm_state()} as an actor. Spawned by the node actor on a prepare message, after the
 * node checked that every device exists here; stops itself when the migration has ended.
 *
 * <p>Owns: the loaders of its devices (opened from the device actors), one {@link ReassemblyActor}
 * per multifd device, the {@link ChannelAcceptor} its channels are admitted by. Phases:
 *
 * <pre>
 *  OPENING   OpenLoad to every device                       -> IncomingReady to the source
 *  SETUP     main: SECTION_START per device -> LoadSetup (device RESUMING)
 *  ACTIVE    main: PART/END -> LoadSection (legacy data, precopy)     [multifd packets queue]
 *  DEVICE    main: SWITCHOVER_START -> reassembly releases chunks in order -> LoadChunk
 *            main: FULL -> LoadSection; EOF
 *  LOADED    every device loaded + EOF + every multifd channel ended cleanly
 *            -> CompleteLoad (RESUMING -> STOP validation, digest) -> IncomingLoaded to source
 *  COMPLETED Commit -> StartDevice (RUNNING) -> IncomingCommitted
 *  FAILED    first error wins: channels cut, reassembly stopped, AbortLoad (device reset),
 *            IncomingFailed to the source (unless it came from there)
 * </pre>
 *
 * Main-channel records are acknowledged to the stream only after the device has loaded them, so
 * main-channel loading is synchronous and in order (QEMU R5, §3.6). Every wait has a timer. All
 * handlers run on the actor; device work runs on the device-io dispatcher inside the loaders.
 */
public final class IncomingMigration extends AbstractBehavior<IncomingMigration.Command> {

  public interface Command {}

  public record MainChannelOpened(ActorRef<MainAck> ackTo) implements Command {}

  public record MainRecordArrived(ActorRef<MainAck> ackTo, MainRecord record) implements Command {}

  public enum MainAck {
    INSTANCE
  }

  public enum MainChannelCompleted implements Command {
    INSTANCE
  }

  public record MainChannelFailed(Throwable cause) implements Command {}

  public record MultifdChannelEnded(int channelIndex, long packetCount) implements Command {}

  public record MultifdChannelClosed(int channelIndex) implements Command {}

  public record MultifdChannelFailed(int channelIndex, String reason) implements Command {}

  /** Local cancel on the destination (management command). */
  public record Cancel(String reason) implements Command {}

  public record GetStatus(ActorRef<IncomingStatus> replyTo) implements Command {}

  public record IncomingStatus(UUID migrationId, String phase, String error) {}

  private record WrappedOpenReply(DeviceMigration.OpenReply reply) implements Command {}

  private record WrappedLoadReply(LoadReply reply) implements Command {}

  private record WrappedReassembly(ReassemblyActor.Event event) implements Command {}

  private record PhaseTimeout(String phase, Duration after) implements Command {}

  private enum SourceTerminated implements Command {
    INSTANCE
  }

  /** A device's load child stopped before it finished (crash): never restarted. */
  private record LoaderStopped(String deviceId) implements Command {}

  private enum Linger implements Command {
    INSTANCE
  }

  private enum Phase {
    OPENING,
    SETUP,
    ACTIVE,
    DEVICE,
    VALIDATING,
    LOADED,
    STARTING,
    COMPLETED,
    FAILED
  }

  /** A device as seen by this migration. */
  private static final class Device {
    final Control.DeviceSetup setup;
    final ActorRef<DeviceCommand> actor;
    ActorRef<LoadCommand> loader;
    ActorRef<ReassemblyActor.Command> reassembly;
    boolean setupLoaded;
    boolean needsAck;
    boolean approved;
    boolean fullLoaded;
    boolean multifdLoaded;
    long peakQueued;
    StateDigest digest;
    boolean started;
    boolean aborted;
    boolean abortConfirmed;
    boolean loaderDead;

    Device(Control.DeviceSetup setup, ActorRef<DeviceCommand> actor) {
      this.setup = setup;
      this.actor = actor;
    }

    boolean loaded() {
      return fullLoaded && (!setup.multifd() || multifdLoaded);
    }
  }

  public static Behavior<Command> create(
      UUID migrationId,
      MigrationParameters params,
      List<Control.DeviceSetup> setups,
      Map<String, ActorRef<DeviceCommand>> deviceActors,
      ActorRef<MigrationCoordinator.Command> source,
      DataListener listener,
      String dataHost,
      int dataPort) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new IncomingMigration(ctx, timers, migrationId, params, setups, deviceActors,
                        source, listener, dataHost, dataPort)));
  }

  private final TimerScheduler<Command> timers;
  private final UUID migrationId;
  private final MigrationParameters params;
  private final ActorRef<MigrationCoordinator.Command> source;
  private final DataListener listener;
  private final String dataHost;
  private final int dataPort;
  private final Map<String, Device> devices = new LinkedHashMap<>();
  private final Map<Integer, Device> bySection = new HashMap<>();
  private final ActorRef<LoadReply> loadReplies;
  private final ActorRef<ReassemblyActor.Event> reassemblyEvents;
  private final int multifdChannels;
  private final Set<Integer> endedChannels = new HashSet<>();
  private final Set<Integer> closedChannels = new HashSet<>();
  private ChannelAcceptor acceptor;
  private Phase phase = Phase.OPENING;
  private ActorRef<MainAck> pendingAck;
  private Device pendingDevice;
  private boolean mainEof;
  private boolean mainClosed;
  private int opened;
  private String error;
  private int pendingAborts;
  private boolean switchoverAcked;

  private IncomingMigration(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      UUID migrationId,
      MigrationParameters params,
      List<Control.DeviceSetup> setups,
      Map<String, ActorRef<DeviceCommand>> deviceActors,
      ActorRef<MigrationCoordinator.Command> source,
      DataListener listener,
      String dataHost,
      int dataPort) {
    super(ctx);
    this.timers = timers;
    this.migrationId = migrationId;
    this.params = params;
    this.source = source;
    this.listener = listener;
    this.dataHost = dataHost;
    this.dataPort = dataPort;
    this.multifdChannels = params.multifd() ? params.multifdChannels() : 0;
    this.loadReplies = ctx.messageAdapter(LoadReply.class, WrappedLoadReply::new);
    this.reassemblyEvents = ctx.messageAdapter(ReassemblyActor.Event.class, WrappedReassembly::new);
    ctx.watchWith(source, SourceTerminated.INSTANCE);
    ActorRef<DeviceMigration.OpenReply> openReplies =
        ctx.messageAdapter(DeviceMigration.OpenReply.class, WrappedOpenReply::new);
    for (Control.DeviceSetup s : setups) {
      Device d = new Device(s, deviceActors.get(s.deviceId()));
      devices.put(s.deviceId(), d);
      bySection.put(s.sectionId(), d);
      d.actor.tell(new DeviceMigration.OpenLoad(migrationId, params, 0, openReplies));
    }
    arm("opening loaders", params.timeouts().control());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(WrappedOpenReply.class, this::onOpenReply)
        .onMessage(MainChannelOpened.class, this::onMainChannelOpened)
        .onMessage(MainRecordArrived.class, this::onMainRecord)
        .onMessageEquals(MainChannelCompleted.INSTANCE, this::onMainChannelCompleted)
        .onMessage(MainChannelFailed.class, this::onMainChannelFailed)
        .onMessage(MultifdChannelEnded.class, this::onMultifdChannelEnded)
        .onMessage(MultifdChannelClosed.class, this::onMultifdChannelClosed)
        .onMessage(MultifdChannelFailed.class, this::onMultifdChannelFailed)
        .onMessage(WrappedLoadReply.class, this::onLoadReply)
        .onMessage(LoaderStopped.class, this::onLoaderStopped)
        .onMessage(WrappedReassembly.class, this::onReassembly)
        .onMessage(Control.Commit.class, this::onCommit)
        .onMessage(Control.AbortIncoming.class, this::onAbortIncoming)
        .onMessage(Cancel.class, c -> fail("cancelled on the destination: " + c.reason(), true,
            true))
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(PhaseTimeout.class, this::onPhaseTimeout)
        .onMessageEquals(SourceTerminated.INSTANCE, this::onSourceTerminated)
        .build();
  }

  // ------------------------------------------------------------------ opening

  private Behavior<Command> onOpenReply(WrappedOpenReply wrapped) {
    DeviceMigration.OpenReply reply = wrapped.reply();
    if (reply instanceof DeviceMigration.LoadOpened lo) {
      Device d = devices.get(lo.deviceId());
      d.loader = lo.loader();
      getContext().watchWith(lo.loader(), new LoaderStopped(lo.deviceId()));
      if (phase == Phase.FAILED) {
        abortLoader(d);
        return this;
      }
      opened++;
      if (opened == devices.size()) {
        return allOpened();
      }
      return this;
    }
    if (reply instanceof DeviceMigration.OpenRefused refused) {
      return fail(refused.deviceId() + ": cannot load: " + refused.reason(), false, true);
    }
    return this;
  }

  private Behavior<Command> allOpened() {
    Map<ChannelAcceptor.DeviceKey, ActorRef<ReassemblyActor.Command>> routes = new HashMap<>();
    Set<String> legacy = new HashSet<>();
    for (Device d : devices.values()) {
      if (d.setup.multifd()) {
        d.reassembly =
            getContext().spawn(
                ReassemblyActor.create(d.setup.deviceId(), params.maxQueuedBytes(), d.loader,
                    reassemblyEvents),
                "reassembly-" + URLish.encode(d.setup.deviceId()));
        routes.put(new ChannelAcceptor.DeviceKey(d.setup.deviceId(), d.setup.instanceId()),
            d.reassembly);
      } else {
        legacy.add(d.setup.deviceId());
      }
    }
    acceptor = new ChannelAcceptor(migrationId, multifdChannels, routes, legacy,
        getContext().getSelf());
    listener.register(acceptor);
    phase = Phase.SETUP;
    arm("setup (channels connected, setup sections loaded, SWITCHOVER_START)",
        params.timeouts().setup());
    source.tell(new Control.IncomingReady(migrationId, getContext().getSelf(), dataHost, dataPort,
        params.maxQueuedBytes()));
    getContext().getLog().info("incoming migration {}: ready, {} devices, {} multifd channels",
        migrationId, devices.size(), multifdChannels);
    return this;
  }

  // ------------------------------------------------------------------ main channel

  private Behavior<Command> onMainChannelOpened(MainChannelOpened msg) {
    msg.ackTo().tell(MainAck.INSTANCE);
    return this;
  }

  private Behavior<Command> onMainRecord(MainRecordArrived msg) {
    if (phase == Phase.FAILED) {
      return this;
    }
    MainRecord record = msg.record();
    if (mainEof) {
      return fail("main channel: record after end of stream: " + record, false, true);
    }
    if (record instanceof SectionStart s) {
      Device d = section(s.sectionId(), "SECTION_START");
      if (d == null) {
        return this;
      }
      if (!d.setup.deviceId().equals(s.deviceId()) || d.setup.instanceId() != s.instanceId()) {
        return fail("main channel: SECTION_START " + s.sectionId() + ": expected device "
            + d.setup.deviceId() + "/" + d.setup.instanceId() + ", got " + s.deviceId() + "/"
            + s.instanceId(), false, true);
      }
      if (d.setupLoaded) {
        return fail(d.setup.deviceId() + ": second SECTION_START", false, true);
      }
      return loadOnMain(msg.ackTo(), d,
          new DeviceMigration.LoadSetup(s.payload(), 0, loadReplies));
    }
    if (record instanceof SectionPart p) {
      return loadSection(msg.ackTo(), p.sectionId(), SectionKind.PART, p.payload());
    }
    if (record instanceof SectionEnd e) {
      return loadSection(msg.ackTo(), e.sectionId(), SectionKind.END, e.payload());
    }
    if (record instanceof SectionFull f) {
      Device d = section(f.sectionId(), "SECTION_FULL");
      if (d == null) {
        return this;
      }
      if (!d.setup.deviceId().equals(f.deviceId())) {
        return fail("main channel: SECTION_FULL " + f.sectionId() + ": expected device "
            + d.setup.deviceId() + ", got " + f.deviceId(), false, true);
      }
      return loadSection(msg.ackTo(), f.sectionId(), SectionKind.FULL, f.payload());
    }
    if (record instanceof io.ferry.protocol.packet.Command c) {
      if (c.command() == io.ferry.protocol.packet.Command.SWITCHOVER_START) {
        return onSwitchoverStart(msg.ackTo());
      }
      msg.ackTo().tell(MainAck.INSTANCE);
      return this;
    }
    if (record instanceof EndOfStream) {
      mainEof = true;
      for (Device d : devices.values()) {
        if (!d.fullLoaded) {
          return fail(d.setup.deviceId() + ": end of stream without its SECTION_FULL", false,
              true);
        }
      }
      msg.ackTo().tell(MainAck.INSTANCE);
      return maybeAllLoaded();
    }
    return fail("main channel: unexpected record " + record, false, true);
  }

  private Behavior<Command> onSwitchoverStart(ActorRef<MainAck> ackTo) {
    if (phase == Phase.DEVICE) {
      return fail("main channel: SWITCHOVER_START received twice", false, true);
    }
    for (Device d : devices.values()) {
      if (!d.setupLoaded) {
        return fail(d.setup.deviceId() + ": SWITCHOVER_START before its setup section", false,
            true);
      }
    }
    phase = Phase.DEVICE;
    arm("switchover (every device loaded and validated)", params.timeouts().switchover());
    for (Device d : devices.values()) {
      if (d.reassembly != null) {
        d.reassembly.tell(ReassemblyActor.SwitchoverStart.INSTANCE);
      }
    }
    ackTo.tell(MainAck.INSTANCE);
    return this;
  }

  private Device section(int sectionId, String record) {
    Device d = bySection.get(sectionId);
    if (d == null) {
      fail("main channel: " + record + " for unknown section " + sectionId + ": expected one of "
          + bySection.keySet(), false, true);
    }
    return d;
  }

  private Behavior<Command> loadSection(
      ActorRef<MainAck> ackTo, int sectionId, SectionKind kind, akka.util.ByteString payload) {
    Device d = section(sectionId, "SECTION_" + kind);
    if (d == null) {
      return this;
    }
    if (!d.setupLoaded) {
      return fail(d.setup.deviceId() + ": SECTION_" + kind + " before SECTION_START", false, true);
    }
    if (d.fullLoaded) {
      return fail(d.setup.deviceId() + ": SECTION_" + kind + " after SECTION_FULL", false, true);
    }
    return loadOnMain(ackTo, d, new DeviceMigration.LoadSection(kind, payload, 0, loadReplies));
  }

  private Behavior<Command> loadOnMain(ActorRef<MainAck> ackTo, Device d, LoadCommand cmd) {
    if (phase == Phase.SETUP && !(cmd instanceof DeviceMigration.LoadSetup)) {
      phase = Phase.ACTIVE;
    }
    pendingAck = ackTo;
    pendingDevice = d;
    d.loader.tell(cmd);
    return this;
  }

  private Behavior<Command> onMainChannelCompleted() {
    mainClosed = true;
    if (!mainEof && phase != Phase.FAILED) {
      return fail("main channel closed before end of stream", false, true);
    }
    return this;
  }

  private Behavior<Command> onMainChannelFailed(MainChannelFailed msg) {
    if (phase == Phase.FAILED || phase == Phase.COMPLETED) {
      return this;
    }
    return fail("main channel failed: "
        + io.ferry.engine.transport.OutgoingChannel.describe(msg.cause()), false, true);
  }

  // ------------------------------------------------------------------ multifd channels

  private Behavior<Command> onMultifdChannelEnded(MultifdChannelEnded msg) {
    endedChannels.add(msg.channelIndex());
    return this;
  }

  private Behavior<Command> onMultifdChannelClosed(MultifdChannelClosed msg) {
    if (phase == Phase.FAILED) {
      return this;
    }
    if (!endedChannels.contains(msg.channelIndex())) {
      return fail("multifd channel " + msg.channelIndex() + " closed without CHANNEL_END", false,
          true);
    }
    closedChannels.add(msg.channelIndex());
    if (closedChannels.size() == multifdChannels) {
      for (Device d : devices.values()) {
        if (d.reassembly != null) {
          d.reassembly.tell(ReassemblyActor.ChannelsDrained.INSTANCE);
        }
      }
      return maybeAllLoaded();
    }
    return this;
  }

  private Behavior<Command> onMultifdChannelFailed(MultifdChannelFailed msg) {
    if (phase == Phase.FAILED || phase == Phase.COMPLETED) {
      return this;
    }
    return fail("multifd channel " + msg.channelIndex() + " failed: " + msg.reason(), false, true);
  }

  private Behavior<Command> onReassembly(WrappedReassembly wrapped) {
    if (wrapped.event() instanceof ReassemblyActor.DeviceLoaded loaded) {
      Device d = devices.get(loaded.deviceId());
      d.multifdLoaded = true;
      d.peakQueued = loaded.peakQueuedBytes();
      return maybeAllLoaded();
    }
    if (wrapped.event() instanceof ReassemblyActor.CreditGranted granted) {
      if (phase != Phase.FAILED) {
        source.tell(new Control.GrantCredit(migrationId, granted.deviceId(), granted.bytes()));
      }
      return this;
    }
    if (wrapped.event() instanceof ReassemblyActor.ReassemblyFailed failed) {
      if (phase == Phase.COMPLETED) {
        return this;
      }
      return fail(failed.reason(), false, true);
    }
    return this;
  }

  // ------------------------------------------------------------------ device replies

  private Behavior<Command> onLoadReply(WrappedLoadReply wrapped) {
    LoadReply reply = wrapped.reply();
    if (reply instanceof DeviceMigration.LoadAborted aborted) {
      return abortConfirmed(devices.get(aborted.deviceId()));
    }
    if (reply instanceof DeviceMigration.LoadFailed f) {
      if (phase == Phase.FAILED) {
        return abortConfirmed(devices.get(f.deviceId()));
      }
      return fail(f.deviceId() + ": " + f.phase() + ": " + f.reason(), false, true);
    }
    if (phase == Phase.FAILED) {
      return this;
    }
    if (reply instanceof DeviceMigration.SetupLoaded s) {
      Device d = devices.get(s.deviceId());
      d.setupLoaded = true;
      d.needsAck = s.needsSwitchoverAck();
      return ackMain();
    }
    if (reply instanceof DeviceMigration.SectionLoaded s) {
      Device d = devices.get(s.deviceId());
      if (s.kind() == SectionKind.FULL) {
        d.fullLoaded = true;
      }
      if (s.initDataSent() && !d.approved) {
        d.approved = true;
        maybeAckSwitchover();
      }
      return ackMain();
    }
    if (reply instanceof DeviceMigration.LoadValidated v) {
      devices.get(v.deviceId()).digest = v.digestAfterLoad();
      for (Device d : devices.values()) {
        if (d.digest == null) {
          return this;
        }
      }
      phase = Phase.LOADED;
      arm("commit from the source", params.timeouts().control());
      Map<String, StateDigest> digests = new LinkedHashMap<>();
      Map<String, Long> peaks = new LinkedHashMap<>();
      for (Device d : devices.values()) {
        digests.put(d.setup.deviceId(), d.digest);
        peaks.put(d.setup.deviceId(), d.peakQueued);
      }
      source.tell(new Control.IncomingLoaded(migrationId, digests, peaks,
          acceptor.multifdBytes()));
      return this;
    }
    if (reply instanceof DeviceMigration.DeviceStarted st) {
      devices.get(st.deviceId()).started = true;
      for (Device d : devices.values()) {
        if (!d.started) {
          return this;
        }
      }
      phase = Phase.COMPLETED;
      timers.cancelAll();
      source.tell(new Control.IncomingCommitted(migrationId));
      getContext().getLog().info("incoming migration {}: completed", migrationId);
      return finish();
    }
    return this;
  }

  private Behavior<Command> onLoaderStopped(LoaderStopped s) {
    Device d = devices.get(s.deviceId());
    d.loaderDead = true;
    if (phase == Phase.FAILED) {
      return abortConfirmed(d);
    }
    return fail(d.setup.deviceId() + ": " + phase.name().toLowerCase()
        + ": device loader stopped unexpectedly", false, true);
  }

  /** A loader confirmed its reset, or failed or stopped while being aborted: either way it is done. */
  private Behavior<Command> abortConfirmed(Device d) {
    if (d != null && d.aborted && !d.abortConfirmed) {
      d.abortConfirmed = true;
      pendingAborts--;
    }
    return pendingAborts <= 0 && phase == Phase.FAILED ? finish() : this;
  }

  /** QEMU's qemu_loadvm_approve_switchover(): one ack once every precopy device approved. */
  private void maybeAckSwitchover() {
    if (!params.precopy().switchoverAck() || switchoverAcked) {
      return;
    }
    for (Device d : devices.values()) {
      if (d.needsAck && !d.approved) {
        return;
      }
    }
    switchoverAcked = true;
    source.tell(new Control.SwitchoverAck(migrationId));
  }

  private Behavior<Command> ackMain() {
    ActorRef<MainAck> ack = pendingAck;
    pendingAck = null;
    pendingDevice = null;
    if (ack != null) {
      ack.tell(MainAck.INSTANCE);
    }
    return maybeAllLoaded();
  }

  private Behavior<Command> maybeAllLoaded() {
    if (phase != Phase.DEVICE || !mainEof || closedChannels.size() < multifdChannels) {
      return this;
    }
    for (Device d : devices.values()) {
      if (!d.loaded()) {
        return this;
      }
    }
    phase = Phase.VALIDATING;
    for (Device d : devices.values()) {
      d.loader.tell(new DeviceMigration.CompleteLoad(0, loadReplies));
    }
    return this;
  }

  // ------------------------------------------------------------------ commit / abort

  private Behavior<Command> onCommit(Control.Commit commit) {
    if (phase != Phase.LOADED) {
      return fail("commit received in phase " + phase, false, true);
    }
    phase = Phase.STARTING;
    arm("the devices to start", params.timeouts().control());
    for (Device d : devices.values()) {
      // A loader stops by itself after starting its device; that stop is not a failure.
      getContext().unwatch(d.loader);
      d.loader.tell(new DeviceMigration.StartDevice(0, loadReplies));
    }
    return this;
  }

  private Behavior<Command> onAbortIncoming(Control.AbortIncoming abort) {
    return fail("aborted by the source: " + abort.reason(), abort.cancelled(), false);
  }

  private Behavior<Command> onSourceTerminated() {
    if (phase == Phase.COMPLETED || phase == Phase.FAILED) {
      return this;
    }
    return fail("source coordinator terminated or became unreachable", false, false);
  }

  private Behavior<Command> onPhaseTimeout(PhaseTimeout t) {
    if (phase == Phase.FAILED) {
      return finish();
    }
    return fail("timed out after " + t.after().toMillis() + " ms waiting for " + t.phase()
        + " (phase " + phase + ")", false, true);
  }

  private Behavior<Command> onGetStatus(GetStatus get) {
    get.replyTo().tell(new IncomingStatus(migrationId, phase.name(), error));
    return this;
  }

  /**
   * First error wins. Cuts the channels, stops reassembly (dropping its buffers), resets every
   * opened device (the only way out of RESUMING) and tells the source, then stops once the devices
   * confirmed or the control timeout passed.
   */
  private Behavior<Command> fail(String reason, boolean cancelled, boolean tellSource) {
    if (phase == Phase.FAILED || phase == Phase.COMPLETED) {
      return this;
    }
    error = reason;
    getContext().getLog().warn("incoming migration {}: {}: {}", migrationId,
        cancelled ? "cancelled" : "failed", reason);
    phase = Phase.FAILED;
    timers.cancelAll();
    if (acceptor != null) {
      if (tellSource) {
        // Our failure: the source must learn why over Artery before its channels reset, or it
        // reports the reset instead. The source closes them; finish() cuts whatever is left.
        acceptor.quiesce(reason);
      } else {
        acceptor.abortAll(reason);
      }
      listener.unregister(migrationId);
    }
    if (tellSource) {
      source.tell(new Control.IncomingFailed(migrationId, reason, cancelled));
    }
    for (Device d : devices.values()) {
      if (d.reassembly != null) {
        getContext().stop(d.reassembly);
      }
      if (d.loader != null) {
        abortLoader(d);
      }
    }
    if (pendingAborts == 0) {
      return finish();
    }
    arm("devices to reset", params.timeouts().control());
    return this;
  }

  private void abortLoader(Device d) {
    if (!d.aborted) {
      d.aborted = true;
      if (d.loaderDead) {
        d.abortConfirmed = true; // its device actor resets the device itself
        return;
      }
      pendingAborts++;
      d.loader.tell(new DeviceMigration.AbortLoad(error, 0, loadReplies));
    }
  }

  /**
   * The migration is over here. The actor lingers until the source coordinator has stopped (or
   * the control timeout passed): Artery delivers the death-watch notification on its own stream,
   * so stopping at once could let the source see "terminated" before our last message.
   */
  private Behavior<Command> finish() {
    timers.cancelAll();
    listener.unregister(migrationId);
    if (phase == Phase.FAILED) {
      source.tell(new Control.IncomingAborted(migrationId));
    }
    timers.startSingleTimer(Linger.INSTANCE, Linger.INSTANCE, params.timeouts().control());
    return Behaviors.receive(Command.class)
        .onMessageEquals(SourceTerminated.INSTANCE, this::stop)
        .onMessageEquals(Linger.INSTANCE, this::stop)
        .onMessage(GetStatus.class, this::onGetStatus)
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  private Behavior<Command> stop() {
    if (acceptor != null) {
      acceptor.abortAll("migration " + migrationId + " ended");
    }
    return Behaviors.stopped();
  }

  private void arm(String what, Duration after) {
    timers.startSingleTimer(PhaseTimeout.class, new PhaseTimeout(what, after), after);
  }

  /** Actor names allow only a subset of characters; device ids are free text. */
  static final class URLish {
    static String encode(String s) {
      return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }
  }
}

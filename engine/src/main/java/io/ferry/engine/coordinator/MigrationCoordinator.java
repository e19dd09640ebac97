package io.ferry.engine.coordinator;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import io.ferry.engine.config.MigrationParameters;
import io.ferry.engine.device.DeviceDescriptor;
import io.ferry.engine.device.DeviceMigration;
import io.ferry.engine.device.DeviceMigration.DeviceCommand;
import io.ferry.engine.device.DeviceMigration.SaveCommand;
import io.ferry.engine.device.DeviceMigration.SaveReply;
import io.ferry.engine.device.StateDigest;
import io.ferry.engine.incoming.IncomingMigration;
import io.ferry.engine.node.FerryNode;
import io.ferry.engine.transport.ChannelSender;
import io.ferry.engine.transport.Control;
import io.ferry.protocol.ProtocolLimits;
import io.ferry.protocol.packet.Capabilities;
import io.ferry.protocol.packet.ChannelRole;
import io.ferry.protocol.packet.EndOfStream;
import io.ferry.protocol.packet.SectionFull;
import io.ferry.protocol.packet.SectionStart;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The source side of one migration: QEMU's migration thread ({@code migration.c}, the precopy
 * completion path of {@code savevm.c}) as an actor. Spawned by the node actor for a
 * {@link MigrationRequest}; stops itself when the migration has ended and every source device is
 * back in its final state.
 *
 * <p>Owns the save children of its devices, the main-channel and multifd {@link ChannelSender}s,
 * and the migration's stats. Its phases and the status QEMU would report:
 *
 * <pre>
 *  SETUP   OpenSave per device; PrepareIncoming -> IncomingReady; channels connected and accepted;
 *          SaveSetup per device -> SECTION_START on main
 *  DEVICE  StopDevice on all devices in parallel (downtime starts; digest at stop recorded)
 *          SWITCHOVER_START on main, after everything before it
 *          multifd devices: SaveComplete into the multifd sender, all in parallel
 *          legacy devices:  SaveComplete into the main channel, one after another
 *          join; SaveFull per device -> SECTION_FULL; EOF; channels end cleanly
 *          IncomingLoaded: destination digests == digests at stop? -> Commit
 *  COMPLETED  IncomingCommitted (downtime ends); FinishSave(migrated) -> source devices STOP
 *  FAILED / CANCELLED  first error wins; channels cut; AbortIncoming; FinishSave(not migrated)
 *          -> source devices RUNNING with their state unchanged
 * </pre>
 *
 * All handlers run on the actor; device work runs inside the savers on the device-io dispatcher.
 */
public final class MigrationCoordinator extends AbstractBehavior<MigrationCoordinator.Command> {

  public interface Command {}

  public record GetInfo(ActorRef<MigrationInfo> replyTo) implements Command {}

  public record Cancel(String reason) implements Command {}

  /** QEMU's migrate-set-parameters downtime-limit while the migration runs. */
  public record SetDowntimeLimit(java.time.Duration limit) implements Command {}

  private record WrappedDrained(ChannelSender.Drained drained) implements Command {}

  private enum NextPass implements Command {
    INSTANCE
  }

  private record WrappedOpenReply(DeviceMigration.OpenReply reply) implements Command {}

  private record WrappedSaveReply(SaveReply reply) implements Command {}

  private record WrappedChannelEvent(ChannelSender.Event event) implements Command {}

  private record PhaseTimeout(String what, Duration after) implements Command {}

  private enum DestinationTerminated implements Command {
    INSTANCE
  }

  /** A device's save child stopped before it was told to finish (crash, or its node died). */
  private record SaverStopped(String deviceId) implements Command {}

  private enum ChannelErrorGrace implements Command {
    INSTANCE
  }

  /** How long a channel error waits for the destination's own explanation. */
  static final Duration CHANNEL_ERROR_GRACE = Duration.ofMillis(500);

  /** The request failed validation in the constructor: report and stop. */
  private enum ReportFailure implements Command {
    INSTANCE
  }

  /** A device of this node as the node registered it. */
  public record LocalDevice(DeviceDescriptor descriptor, ActorRef<DeviceCommand> actor) {}

  private static final class Device {
    final DeviceDescriptor descriptor;
    final ActorRef<DeviceCommand> actor;
    final boolean multifd;
    final int sectionId;
    ActorRef<SaveCommand> saver;
    boolean setupSaved;
    long stopCopyEstimate;
    boolean precopy;
    long initialBytes;
    long dirtyBytes;
    long precopyBytes;
    boolean iterating;
    StateDigest digestAtStop;
    boolean saved;
    long chunks;
    long dataBytes;
    long configBytes;
    StateDigest destinationDigest;
    long destinationPeak;
    boolean finishRequested;
    boolean finished;
    boolean saverDead;

    Device(DeviceDescriptor descriptor, ActorRef<DeviceCommand> actor, boolean multifd, int section) {
      this.descriptor = descriptor;
      this.actor = actor;
      this.multifd = multifd;
      this.sectionId = section;
    }

    String id() {
      return descriptor.deviceId();
    }
  }

  public static Behavior<Command> create(
      UUID migrationId,
      MigrationRequest request,
      List<LocalDevice> devices,
      String destinationNodeActorName,
      ActorRef<MigrationInfo> onEnd,
      ActorRef<MigrationEvent> events) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new MigrationCoordinator(ctx, timers, migrationId, request, devices,
                        destinationNodeActorName, onEnd, events)));
  }

  private final TimerScheduler<Command> timers;
  private final UUID migrationId;
  private final MigrationRequest request;
  private final MigrationParameters params;
  private final ActorRef<MigrationInfo> onEnd;
  private final ActorRef<MigrationEvent> events;
  private final Map<String, Device> devices = new LinkedHashMap<>();
  private final ActorRef<SaveReply> saveReplies;
  private final ActorRef<ChannelSender.Event> channelEvents;
  private final long startNanos = System.nanoTime();
  private final boolean anyMultifd;
  private MigrationStatus status = MigrationStatus.SETUP;
  private ActorRef<IncomingMigration.Command> incoming;
  private String dataHost;
  private int dataPort;
  private ActorRef<ChannelSender.Command> mainSender;
  private ActorRef<ChannelSender.Command> multifdSender;
  private boolean mainAccepted;
  private boolean multifdAccepted;
  private ChannelSender.Stats mainStats;
  private ChannelSender.Stats multifdStats;
  private int opened;
  private long setupDoneNanos = -1;
  private long downtimeStartNanos = -1;
  private long endNanos = -1;
  private String error;
  private boolean switchoverSent;
  private final Deque<Device> legacyQueue = new ArrayDeque<>();
  private boolean legacyBusy;
  private int pendingFull;
  private long multifdBytesReceived;
  /** After a failure: the destination has not yet confirmed that its devices were reset. */
  private boolean awaitingDestination;
  /** A channel failed; the destination may still explain why (see CHANNEL_ERROR_GRACE). */
  private String channelError;
  private java.time.Duration downtimeLimit;
  private long creditWindow;
  private int pass;
  private long passStartNanos;
  private long passBytes;
  private int iterating;
  private long precopyStartNanos = -1;
  private long bandwidth;
  private long lastPending = -1;
  private long expectedDowntimeMs = -1;
  private boolean switchoverAcked;
  private ActorRef<ChannelSender.Drained> drained;

  private MigrationCoordinator(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      UUID migrationId,
      MigrationRequest request,
      List<LocalDevice> locals,
      String destinationNodeActorName,
      ActorRef<MigrationInfo> onEnd,
      ActorRef<MigrationEvent> events) {
    super(ctx);
    this.timers = timers;
    this.events = events;
    this.migrationId = migrationId;
    this.request = request;
    this.params = request.params();
    this.downtimeLimit = params.downtimeLimit();
    this.onEnd = onEnd;
    this.saveReplies = ctx.messageAdapter(SaveReply.class, WrappedSaveReply::new);
    this.channelEvents = ctx.messageAdapter(ChannelSender.Event.class, WrappedChannelEvent::new);
    this.drained = ctx.messageAdapter(ChannelSender.Drained.class, WrappedDrained::new);
    publish(new MigrationEvent.StatusChanged(migrationId, 0, MigrationStatus.NONE,
        MigrationStatus.SETUP));
    int section = 1;
    boolean multifd = false;
    String setupError = null;
    for (LocalDevice local : locals) {
      boolean useMultifd = false;
      try {
        useMultifd = local.descriptor().multifdTransfer().resolve(params, local.descriptor()
            .deviceId());
      } catch (IllegalStateException e) {
        setupError = setupError == null ? e.getMessage() : setupError;
      }
      multifd |= useMultifd;
      devices.put(local.descriptor().deviceId(),
          new Device(local.descriptor(), local.actor(), useMultifd, section++));
    }
    this.anyMultifd = multifd;
    if (setupError != null) {
      error = setupError;
      setStatus(MigrationStatus.FAILED);
      endNanos = System.nanoTime();
      ctx.getSelf().tell(ReportFailure.INSTANCE);
      return;
    }
    ActorRef<DeviceMigration.OpenReply> openReplies =
        ctx.messageAdapter(DeviceMigration.OpenReply.class, WrappedOpenReply::new);
    for (Device d : devices.values()) {
      d.actor.tell(new DeviceMigration.OpenSave(migrationId, params, 0, openReplies));
    }
    List<Control.DeviceSetup> setups = new ArrayList<>();
    for (Device d : devices.values()) {
      setups.add(new Control.DeviceSetup(d.id(), d.descriptor.instanceId(), d.descriptor.kind(),
          d.multifd, d.sectionId));
    }
    // An address names a node spawned under the guardian; a full path names an embedded one.
    String path = request.destination().contains("/user/")
        ? request.destination()
        : request.destination() + "/user/" + destinationNodeActorName;
    ActorRef<FerryNode.Command> destinationNode =
        ActorRefResolver.get(ctx.getSystem()).resolveActorRef(path);
    destinationNode.tell(new Control.PrepareIncoming(migrationId, params, setups, ctx.getSelf()));
    arm("the destination to accept the migration and the devices to open",
        params.timeouts().control());
    ctx.getLog().info("migration {}: to {}, devices {}, multifd channels {}", migrationId,
        request.destination(), devices.keySet(), params.multifd() ? params.multifdChannels() : 0);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(WrappedOpenReply.class, this::onOpenReply)
        .onMessage(Control.IncomingReady.class, this::onIncomingReady)
        .onMessage(Control.IncomingRejected.class,
            r -> fail("destination refused the migration: " + r.reason(), false, false))
        .onMessage(WrappedChannelEvent.class, this::onChannelEvent)
        .onMessage(WrappedSaveReply.class, this::onSaveReply)
        .onMessage(Control.IncomingLoaded.class, this::onIncomingLoaded)
        .onMessage(Control.IncomingCommitted.class, this::onIncomingCommitted)
        .onMessage(Control.IncomingFailed.class,
            f -> fail("destination: " + f.reason()
                + (channelError == null ? "" : " (source saw: " + channelError + ")"),
                f.cancelled(), false))
        .onMessageEquals(ChannelErrorGrace.INSTANCE, () -> fail(channelError, false, true))
        .onMessage(Control.IncomingAborted.class, a -> {
          awaitingDestination = false;
          return finishIfDone();
        })
        .onMessage(Cancel.class, c -> fail("cancelled: " + c.reason(), true, true))
        .onMessage(GetInfo.class, this::onGetInfo)
        .onMessage(PhaseTimeout.class, this::onPhaseTimeout)
        .onMessageEquals(DestinationTerminated.INSTANCE, this::onDestinationTerminated)
        .onMessageEquals(ReportFailure.INSTANCE, this::report)
        .onMessage(SetDowntimeLimit.class, this::onSetDowntimeLimit)
        .onMessage(SaverStopped.class, this::onSaverStopped)
        .onMessage(WrappedDrained.class, this::onPassDrained)
        .onMessageEquals(NextPass.INSTANCE, this::startPass)
        .onMessage(Control.GrantCredit.class, g -> {
          Device d = devices.get(g.deviceId());
          if (d != null && d.saver != null && !status.isFinal()) {
            d.saver.tell(new DeviceMigration.CreditGranted(g.bytes()));
          }
          return this;
        })
        .onMessage(Control.SwitchoverAck.class, a -> {
          switchoverAcked = true;
          return this;
        })
        .build();
  }

  // ------------------------------------------------------------------ setup

  private Behavior<Command> onOpenReply(WrappedOpenReply wrapped) {
    DeviceMigration.OpenReply reply = wrapped.reply();
    if (reply instanceof DeviceMigration.SaveOpened so) {
      Device d = devices.get(so.deviceId());
      d.saver = so.saver();
      getContext().watchWith(so.saver(), new SaverStopped(so.deviceId()));
      if (status.isFinal() || status == MigrationStatus.CANCELLING) {
        finishSave(d, false);
        return this;
      }
      opened++;
      return maybeConnect();
    }
    if (reply instanceof DeviceMigration.OpenRefused refused) {
      return fail(refused.deviceId() + ": cannot save: " + refused.reason(), false, true);
    }
    return this;
  }

  private Behavior<Command> onIncomingReady(Control.IncomingReady ready) {
    if (status != MigrationStatus.SETUP) {
      ready.incoming().tell(new Control.AbortIncoming(migrationId, "source already ended: "
          + error, false));
      return this;
    }
    incoming = ready.incoming();
    dataHost = ready.dataHost();
    dataPort = ready.dataPort();
    creditWindow = ready.creditWindow();
    getContext().watchWith(incoming, DestinationTerminated.INSTANCE);
    return maybeConnect();
  }

  private Behavior<Command> maybeConnect() {
    if (incoming == null || opened < devices.size()) {
      return this;
    }
    arm("the data channels to be accepted", params.timeouts().setup());
    InetSocketAddress dest = new InetSocketAddress(dataHost, dataPort);
    ProtocolLimits limits = limits(params);
    Map<String, Integer> sections = new LinkedHashMap<>();
    for (Device d : devices.values()) {
      sections.put(d.id(), d.sectionId);
    }
    long caps = Capabilities.CRC32C | Capabilities.CHANNEL_SEQUENCE;
    mainSender = getContext().spawn(ChannelSender.create(new ChannelSender.Spec(ChannelRole.MAIN,
        migrationId, 1, dest, limits, caps, params.timeouts().control(),
        params.timeouts().channelIdle(), sections), channelEvents), "main-channel");
    if (params.multifd()) {
      multifdSender = getContext().spawn(ChannelSender.create(new ChannelSender.Spec(
          ChannelRole.MULTIFD, migrationId, params.multifdChannels(), dest, limits, caps,
          params.timeouts().control(), params.timeouts().channelIdle(), sections), channelEvents),
          "multifd-channels");
    } else {
      multifdAccepted = true;
    }
    return this;
  }

  public static ProtocolLimits limits(MigrationParameters params) {
    return new ProtocolLimits(params.chunkSize() + 4096, ProtocolLimits.DEFAULT.maxAuthToken());
  }

  private Behavior<Command> onChannelEvent(WrappedChannelEvent wrapped) {
    ChannelSender.Event event = wrapped.event();
    if (event instanceof ChannelSender.Accepted a) {
      if (a.role() == ChannelRole.MAIN) {
        mainAccepted = true;
      } else {
        multifdAccepted = true;
      }
      if (mainAccepted && multifdAccepted && status == MigrationStatus.SETUP) {
        for (Device d : devices.values()) {
          d.saver.tell(new DeviceMigration.SaveSetup(0, saveReplies));
        }
      }
      return this;
    }
    if (event instanceof ChannelSender.Progress p) {
      if (p.stats().role() == ChannelRole.MAIN) {
        mainStats = p.stats();
      } else {
        multifdStats = p.stats();
      }
      publish(new MigrationEvent.ChannelProgress(migrationId, sinceStart(),
          p.stats().role().name().toLowerCase(), p.stats().bytes(), p.stats().totalBytes()));
      return this;
    }
    if (event instanceof ChannelSender.Closed c) {
      if (c.role() == ChannelRole.MAIN) {
        mainStats = c.stats();
      } else {
        multifdStats = c.stats();
      }
      return this;
    }
    if (event instanceof ChannelSender.Failed f) {
      if (status.isFinal()) {
        return this;
      }
      if (incoming == null) {
        return fail(f.reason(), false, true);
      }
      // A destination that refuses bad data resets the channel and tells us why over Artery;
      // the reset usually arrives first. Wait briefly for the reason before reporting the reset.
      if (channelError == null) {
        channelError = f.reason();
        timers.startSingleTimer(ChannelErrorGrace.INSTANCE, ChannelErrorGrace.INSTANCE,
            CHANNEL_ERROR_GRACE);
      }
      return this;
    }
    return this;
  }

  // ------------------------------------------------------------------ device replies

  private Behavior<Command> onSaveReply(WrappedSaveReply wrapped) {
    SaveReply reply = wrapped.reply();
    if (reply instanceof DeviceMigration.SaveFinished f) {
      Device d = devices.get(f.deviceId());
      d.finished = true;
      publish(new MigrationEvent.DeviceStateChanged(migrationId, sinceStart(), d.id(),
          f.finalState()));
      return finishIfDone();
    }
    if (reply instanceof DeviceMigration.SaveFailed f) {
      Device d = devices.get(f.deviceId());
      if (d.finishRequested) {
        d.finished = true;
        if (!status.isFinal() || status == MigrationStatus.COMPLETED) {
          getContext().getLog().warn("migration {}: {}: finishing failed: {}", migrationId,
              f.deviceId(), f.reason());
        }
        return finishIfDone();
      }
      return fail(f.deviceId() + ": " + f.phase() + ": " + f.reason(), false, true);
    }
    if (status.isFinal() || status == MigrationStatus.CANCELLING) {
      return this;
    }
    if (reply instanceof DeviceMigration.SetupSaved s) {
      Device d = devices.get(s.deviceId());
      d.setupSaved = true;
      d.stopCopyEstimate = s.stopCopyEstimate();
      d.precopy = s.precopy();
      d.initialBytes = s.initialBytes();
      publish(new MigrationEvent.DeviceStateChanged(migrationId, sinceStart(), d.id(),
          s.precopy() ? "PRE_COPY" : "RUNNING"));
      setupPayloads.put(d.id(), s.payload());
      for (Device other : devices.values()) {
        if (!other.setupSaved) {
          return this;
        }
      }
      // Setup sections in section order, whatever order the devices answered in.
      return writeSetupSections();
    }
    if (reply instanceof DeviceMigration.Iterated it) {
      return onIterated(it);
    }
    if (reply instanceof DeviceMigration.DeviceStopped s) {
      devices.get(s.deviceId()).digestAtStop = s.digestAtStop();
      publish(new MigrationEvent.DeviceStateChanged(migrationId, sinceStart(), s.deviceId(),
          devices.get(s.deviceId()).precopy ? "STOP_COPY" : "STOP"));
      for (Device d : devices.values()) {
        if (d.digestAtStop == null) {
          return this;
        }
      }
      return startStateTransfer();
    }
    if (reply instanceof DeviceMigration.StateSaved s) {
      Device d = devices.get(s.deviceId());
      d.saved = true;
      d.chunks = s.chunks();
      d.dataBytes = s.dataBytes();
      d.configBytes = s.configBytes();
      if (!d.multifd) {
        legacyBusy = false;
        nextLegacy();
      }
      return maybeSaveFull();
    }
    if (reply instanceof DeviceMigration.FullSaved f) {
      Device d = devices.get(f.deviceId());
      fullPayloads.put(d.id(), f.payload());
      pendingFull--;
      if (pendingFull == 0) {
        for (Device dev : devices.values()) {
          mainSender.tell(new ChannelSender.Write(new SectionFull(dev.sectionId, dev.id(),
              dev.descriptor.instanceId(), 1, fullPayloads.get(dev.id()))));
        }
        mainSender.tell(new ChannelSender.Write(EndOfStream.INSTANCE));
        mainSender.tell(ChannelSender.Finish.INSTANCE);
        if (multifdSender != null) {
          multifdSender.tell(ChannelSender.Finish.INSTANCE);
        }
      }
      return this;
    }
    return this;
  }

  private final Map<String, akka.util.ByteString> setupPayloads = new LinkedHashMap<>();
  private final Map<String, akka.util.ByteString> fullPayloads = new LinkedHashMap<>();

  private Behavior<Command> writeSetupSections() {
    for (Device d : devices.values()) {
      mainSender.tell(new ChannelSender.Write(new SectionStart(d.sectionId, d.id(),
          d.descriptor.instanceId(), 1, setupPayloads.getOrDefault(d.id(),
              akka.util.ByteString.emptyByteString()))));
    }
    setupDoneNanos = System.nanoTime();
    boolean anyPrecopy = devices.values().stream().anyMatch(d -> d.precopy);
    if (!anyPrecopy) {
      // Nothing to iterate: straight to the switchover, as QEMU with no iterable pending.
      return startSwitchover();
    }
    setStatus(MigrationStatus.ACTIVE);
    precopyStartNanos = System.nanoTime();
    return startPass();
  }

  // ------------------------------------------------------------------ precopy (iterate)

  /** The pass after which a decision is taken; bandwidth measured over a pass of at least this. */
  static final Duration PASS_TARGET = Duration.ofMillis(200);

  /**
   * One pass: every precopy device sends up to its budget on the main channel; the pass ends when
   * the main channel has drained, so the pass time is the wire time. With max-bandwidth the
   * budget is the cap's share of a {@link #PASS_TARGET} and passes are paced to the cap.
   */
  private Behavior<Command> startPass() {
    if (status != MigrationStatus.ACTIVE) {
      return this;
    }
    pass++;
    passStartNanos = System.nanoTime();
    passBytes = 0;
    long precopyDevices = devices.values().stream().filter(d -> d.precopy).count();
    long budget = params.precopy().passBytes();
    long cap = params.precopy().maxBandwidth();
    if (cap > 0) {
      budget = Math.min(budget, Math.max(params.chunkSize(),
          cap * PASS_TARGET.toMillis() / 1000 / precopyDevices));
    }
    arm("precopy pass " + pass, params.timeouts().switchover());
    for (Device d : devices.values()) {
      if (d.precopy) {
        d.iterating = true;
        iterating++;
        d.saver.tell(new DeviceMigration.SaveIterate(budget, params.chunkSize(),
            params.precopy().switchoverAck(), mainSender.narrow(), 0, saveReplies));
      }
    }
    return this;
  }

  private Behavior<Command> onIterated(DeviceMigration.Iterated it) {
    Device d = devices.get(it.deviceId());
    if (!d.iterating) {
      return fail(d.id() + ": precopy: unexpected iterate reply", false, true);
    }
    d.iterating = false;
    iterating--;
    d.precopyBytes += it.bytesSent();
    d.initialBytes = it.initialBytes();
    d.dirtyBytes = it.dirtyBytes();
    d.stopCopyEstimate = it.stopCopyLength();
    passBytes += it.bytesSent();
    if (iterating == 0) {
      mainSender.tell(new ChannelSender.WhenDrained(drained));
    }
    return this;
  }

  /**
   * The pass is on the wire: measure, then switch over if the exact pending fits the downtime
   * limit at the measured bandwidth (and, with switchover-ack, the destination approved), fail if
   * the convergence limits are reached, else pace and start the next pass. QEMU's
   * migration_iteration_run().
   */
  private Behavior<Command> onPassDrained(WrappedDrained w) {
    if (status != MigrationStatus.ACTIVE) {
      return this;
    }
    long now = System.nanoTime();
    long elapsed = Math.max(1, now - passStartNanos);
    long cap = params.precopy().maxBandwidth();
    long paced = cap > 0 ? passBytes * 1_000_000_000L / cap : 0;
    if (passBytes >= params.chunkSize()) {
      // The rate the wire sustained, or the cap's rate when pacing stretches the pass.
      bandwidth = passBytes * 1_000_000_000L / Math.max(elapsed, paced);
    }
    long pending = 0;
    for (Device d : devices.values()) {
      pending += d.stopCopyEstimate;
    }
    lastPending = pending;
    long threshold = bandwidth * downtimeLimit.toMillis() / 1000;
    expectedDowntimeMs = bandwidth > 0 ? pending * 1000 / bandwidth : -1;
    publish(new MigrationEvent.PrecopyPass(migrationId, sinceStart(), pass, passBytes, pending,
        bandwidth, threshold, expectedDowntimeMs));
    boolean acked = !params.precopy().switchoverAck() || switchoverAcked;
    if (bandwidth > 0 && pending <= threshold && acked) {
      return startSwitchover();
    }
    long precopyMs = (now - precopyStartNanos) / 1_000_000;
    int maxPasses = params.precopy().maxPasses();
    if ((maxPasses > 0 && pass >= maxPasses)
        || precopyMs >= params.precopy().maxTime().toMillis()) {
      return fail("did not converge after " + pass + " precopy passes in " + precopyMs
          + " ms: pending " + pending + " bytes, threshold " + threshold + " bytes (bandwidth "
          + bandwidth + " B/s x downtime-limit " + downtimeLimit.toMillis() + " ms"
          + (acked ? "" : ", switchover-ack not received") + "); raise downtime-limit or reduce "
          + "the dirty rate", false, true);
    }
    long waitNanos = Math.max(paced - elapsed, passBytes == 0 ? 20_000_000L : 0);
    if (waitNanos > 0) {
      timers.startSingleTimer(NextPass.INSTANCE, NextPass.INSTANCE, Duration.ofNanos(waitNanos));
      return this;
    }
    return startPass();
  }

  private Behavior<Command> onSetDowntimeLimit(SetDowntimeLimit s) {
    if (s.limit().isNegative()) {
      return this;
    }
    getContext().getLog().info("migration {}: downtime-limit {} -> {} ms", migrationId,
        downtimeLimit.toMillis(), s.limit().toMillis());
    downtimeLimit = s.limit();
    return this;
  }

  /** The VM stop: every device stops (in parallel), the downtime clock starts. */
  private Behavior<Command> startSwitchover() {
    timers.cancel(NextPass.INSTANCE);
    setStatus(MigrationStatus.DEVICE);
    downtimeStartNanos = System.nanoTime();
    arm("the switchover to complete", params.timeouts().switchover());
    for (Device d : devices.values()) {
      d.saver.tell(new DeviceMigration.StopDevice(0, saveReplies));
    }
    return this;
  }

  private void setStatus(MigrationStatus to) {
    MigrationStatus from = status;
    status = to;
    publish(new MigrationEvent.StatusChanged(migrationId, sinceStart(), from, to));
  }

  private void publish(MigrationEvent event) {
    if (events != null) {
      events.tell(event);
    }
  }

  private long sinceStart() {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private Behavior<Command> startStateTransfer() {
    mainSender.tell(new ChannelSender.Write(io.ferry.protocol.packet.Command.switchoverStart()));
    switchoverSent = true;
    for (Device d : devices.values()) {
      if (d.multifd) {
        d.saver.tell(new DeviceMigration.SaveComplete(true, params.chunkSize(),
            params.maxOutstandingChunks(), creditWindow, multifdSender.narrow(), 0, saveReplies));
      } else {
        legacyQueue.add(d);
      }
    }
    nextLegacy();
    return maybeSaveFull();
  }

  /** Legacy devices share the one ordered main channel, so they go one after another. */
  private void nextLegacy() {
    if (legacyBusy || legacyQueue.isEmpty()) {
      return;
    }
    Device d = legacyQueue.poll();
    legacyBusy = true;
    d.saver.tell(new DeviceMigration.SaveComplete(false, params.chunkSize(),
        params.maxOutstandingChunks(), 0, mainSender.narrow(), 0, saveReplies));
  }

  private Behavior<Command> maybeSaveFull() {
    for (Device d : devices.values()) {
      if (!d.saved) {
        return this;
      }
    }
    if (pendingFull > 0 || !fullPayloads.isEmpty()) {
      return this;
    }
    pendingFull = devices.size();
    for (Device d : devices.values()) {
      d.saver.tell(new DeviceMigration.SaveFull(d.multifd, 0, saveReplies));
    }
    return this;
  }

  // ------------------------------------------------------------------ completion

  private Behavior<Command> onIncomingLoaded(Control.IncomingLoaded loaded) {
    if (status != MigrationStatus.DEVICE) {
      return this;
    }
    multifdBytesReceived = loaded.multifdBytesReceived();
    for (Device d : devices.values()) {
      StateDigest dest = loaded.digests().get(d.id());
      d.destinationDigest = dest;
      Long peak = loaded.peakQueuedBytes().get(d.id());
      d.destinationPeak = peak == null ? 0 : peak;
      if (dest == null) {
        return fail(d.id() + ": destination reported no digest", false, true);
      }
      String mismatch = d.digestAtStop.mismatch(dest);
      if (mismatch != null) {
        return fail(d.id() + ": destination state differs from the source: " + mismatch, false,
            true);
      }
    }
    arm("the destination to start its devices", params.timeouts().control());
    incoming.tell(new Control.Commit(migrationId));
    return this;
  }

  private Behavior<Command> onIncomingCommitted(Control.IncomingCommitted committed) {
    if (status != MigrationStatus.DEVICE) {
      return this;
    }
    endNanos = System.nanoTime();
    setStatus(MigrationStatus.COMPLETED);
    timers.cancelAll();
    getContext().unwatch(incoming);
    getContext().getLog().info("migration {}: completed, downtime {} ms, total {} ms",
        migrationId, ms(endNanos - downtimeStartNanos), ms(endNanos - startNanos));
    // After completion so that it does not count against the downtime (vfio_save_cleanup()).
    for (Device d : devices.values()) {
      finishSave(d, true);
    }
    arm("the source devices to finish", params.timeouts().control());
    return finishIfDone();
  }

  private Behavior<Command> onDestinationTerminated() {
    if (status.isFinal()) {
      awaitingDestination = false;
      return finishIfDone();
    }
    Behavior<Command> next =
        fail("destination incoming migration terminated or became unreachable", false, false);
    awaitingDestination = false;
    return next == this ? finishIfDone() : next;
  }

  private Behavior<Command> onPhaseTimeout(PhaseTimeout t) {
    if (status.isFinal()) {
      getContext().getLog().warn("migration {}: devices did not finish within {} ms", migrationId,
          t.after().toMillis());
      return report();
    }
    return fail("timed out after " + t.after().toMillis() + " ms waiting for " + t.what(), false,
        true);
  }

  private Behavior<Command> onGetInfo(GetInfo get) {
    get.replyTo().tell(info());
    return this;
  }

  /**
   * First error wins. Cuts the channels, tells the destination (unless it reported the error), and
   * returns every opened source device to RUNNING with its state intact.
   */
  private Behavior<Command> fail(String reason, boolean cancelled, boolean tellDestination) {
    if (status.isFinal()) {
      return this;
    }
    error = reason;
    setStatus(cancelled ? MigrationStatus.CANCELLED : MigrationStatus.FAILED);
    endNanos = System.nanoTime();
    timers.cancelAll();
    getContext().getLog().warn("migration {}: {}: {}", migrationId, status, reason);
    if (mainSender != null) {
      mainSender.tell(new ChannelSender.Abort(reason));
    }
    if (multifdSender != null) {
      multifdSender.tell(new ChannelSender.Abort(reason));
    }
    if (incoming != null) {
      // The report waits for the destination's reset (bounded by the control timeout), so that a
      // FAILED migration means both sides are clean, not just the source.
      awaitingDestination = true;
      if (tellDestination) {
        incoming.tell(new Control.AbortIncoming(migrationId, reason, cancelled));
      }
    }
    for (Device d : devices.values()) {
      if (d.saver != null) {
        finishSave(d, false);
      }
    }
    arm("the source devices to resume", params.timeouts().control());
    return finishIfDone();
  }

  /**
   * Supervision: a save child is never restarted. Its device actor puts the device back into a
   * defined state; here the migration fails (first error wins) and does not wait for the child.
   */
  private Behavior<Command> onSaverStopped(SaverStopped s) {
    Device d = devices.get(s.deviceId());
    d.saverDead = true;
    if (d.finishRequested) {
      d.finished = true;
      return finishIfDone();
    }
    return fail(d.id() + ": " + status.name().toLowerCase()
        + ": device saver stopped unexpectedly", false, true);
  }

  private void finishSave(Device d, boolean migrated) {
    if (d.saverDead) {
      d.finishRequested = true;
      d.finished = true;
      return;
    }
    if (!d.finishRequested) {
      d.finishRequested = true;
      // The saver stops by itself once finished; its device actor recovers it if it crashes.
      getContext().unwatch(d.saver);
      d.saver.tell(new DeviceMigration.FinishSave(migrated, 0, saveReplies));
    }
  }

  private Behavior<Command> finishIfDone() {
    if (!status.isFinal() || awaitingDestination) {
      return this;
    }
    for (Device d : devices.values()) {
      if (d.saver != null && !d.finished) {
        return this;
      }
    }
    return report();
  }

  private Behavior<Command> report() {
    timers.cancelAll();
    MigrationInfo info = info();
    publish(new MigrationEvent.Ended(migrationId, sinceStart(), info));
    if (onEnd != null) {
      onEnd.tell(info);
    }
    return Behaviors.stopped();
  }

  private void arm(String what, Duration after) {
    timers.startSingleTimer(PhaseTimeout.class, new PhaseTimeout(what, after), after);
  }

  private MigrationInfo info() {
    long now = endNanos > 0 ? endNanos : System.nanoTime();
    long setup = setupDoneNanos > 0 ? ms(setupDoneNanos - startNanos) : -1;
    long downtime =
        status == MigrationStatus.COMPLETED && downtimeStartNanos > 0
            ? ms(endNanos - downtimeStartNanos)
            : -1;
    long main = mainStats == null ? 0 : mainStats.totalBytes();
    List<Long> multifd = multifdStats == null ? List.of() : multifdStats.bytes();
    long total = main + multifd.stream().mapToLong(Long::longValue).sum();
    long transferNanos = now - (setupDoneNanos > 0 ? setupDoneNanos : startNanos);
    double mibps = transferNanos > 0 ? (total / 1048576.0) / (transferNanos / 1e9) : 0;
    List<MigrationInfo.DeviceReport> reports = new ArrayList<>();
    for (Device d : devices.values()) {
      long sent = 0;
      for (ChannelSender.Stats st : new ChannelSender.Stats[] {mainStats, multifdStats}) {
        if (st != null) {
          sent += st.deviceBytes().getOrDefault(d.id(), 0L);
        }
      }
      reports.add(new MigrationInfo.DeviceReport(d.id(), d.descriptor.kind(), d.multifd,
          d.precopy, d.precopyBytes, d.stopCopyEstimate, sent, d.chunks, d.dataBytes, d.configBytes, d.digestAtStop,
          d.destinationDigest, d.destinationPeak));
    }
    return new MigrationInfo(migrationId, status, setup, ms(now - startNanos), downtime, total,
        main, multifd, mibps, reports, error,
        new MigrationInfo.PrecopyStats(pass,
            devices.values().stream().mapToLong(d -> d.precopyBytes).sum(),
            pass > 0 ? bandwidth : -1, lastPending, expectedDowntimeMs, downtimeLimit.toMillis(),
            switchoverAcked));
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }
}

package io.ferry.engine.device;

import akka.actor.typed.ActorRef;
import akka.util.ByteString;
import io.ferry.engine.config.MigrationParameters;
import java.util.Objects;
import java.util.UUID;

/**
 * The device contract: the hooks the engine drives, as messages. QEMU's {@code register.h}
 * (SaveVMHandlers) in actor form.
 *
 * <p>A device is an actor accepting {@link DeviceCommand}. For a migration it spawns a short-lived
 * save child (source) or load child (destination) and replies with its ref; the engine then talks
 * to that child only. A device takes part in at most one migration at a time.
 *
 * <pre>
 *  hook (QEMU)                        message                  reply                 runs on
 *  save_setup                         SaveSetup                SetupSaved            device-io
 *  save_live_iterate + pending        SaveIterate              Iterated              device-io
 *  vm stop (vfio_vmstate_change)      StopDevice               DeviceStopped         device-io
 *  save_complete_precopy_thread       SaveComplete(multifd)    StateSaved            device-io
 *  save_live_complete_precopy         SaveComplete(legacy)     StateSaved            device-io
 *  save_state (non-iterable, FULL)    SaveFull                 FullSaved             device-io
 *  save_cleanup / migration notifier  FinishSave               SaveFinished          device-io
 *  load_setup                         LoadSetup                SetupLoaded           device-io
 *  load_state (main channel section)  LoadSection              SectionLoaded         device-io
 *  load_state_buffer + load thread    LoadChunk (in order)     ChunkLoaded           device-io
 *  RESUMING -> STOP (vm start)        CompleteLoad             LoadValidated         device-io
 *  vm start                           StartDevice              DeviceStarted         device-io
 *  load_cleanup (failure)             AbortLoad                LoadAborted           device-io
 * </pre>
 *
 * Every failing hook replies {@link SaveFailed} or {@link LoadFailed} with a message naming the
 * device, the phase and the cause; hooks never throw at the engine.
 */
public final class DeviceMigration {
  private DeviceMigration() {}

  /** Commands of the device actor itself. */
  public interface DeviceCommand {}

  /** Opens the source side of a migration; replies {@link SaveOpened} or {@link OpenRefused}. */
  public record OpenSave(
      UUID migrationId, MigrationParameters params, long requestId, ActorRef<OpenReply> replyTo)
      implements DeviceCommand {
    public OpenSave {
      Objects.requireNonNull(migrationId, "migrationId");
      Objects.requireNonNull(params, "params");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Opens the destination side; replies {@link LoadOpened} or {@link OpenRefused}. */
  public record OpenLoad(
      UUID migrationId, MigrationParameters params, long requestId, ActorRef<OpenReply> replyTo)
      implements DeviceCommand {
    public OpenLoad {
      Objects.requireNonNull(migrationId, "migrationId");
      Objects.requireNonNull(params, "params");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Asks for the device's current state and digest. */
  public record Describe(long requestId, ActorRef<DeviceInfo> replyTo) implements DeviceCommand {}

  public record DeviceInfo(
      DeviceDescriptor descriptor, String state, StateDigest digest, String busyWith) {}

  public sealed interface OpenReply {}

  public record SaveOpened(String deviceId, ActorRef<SaveCommand> saver) implements OpenReply {}

  public record LoadOpened(String deviceId, ActorRef<LoadCommand> loader) implements OpenReply {}

  public record OpenRefused(String deviceId, String reason) implements OpenReply {}

  // ---------------------------------------------------------------- source side

  public interface SaveCommand {}

  public sealed interface SaveReply {}

  public record SaveSetup(long requestId, ActorRef<SaveReply> replyTo) implements SaveCommand {}

  /**
   * @param payload the device's setup section payload (QEMU: DEV_SETUP_STATE .. END_OF_STATE)
   * @param stopCopyEstimate the device's stop-copy length estimate in bytes
   * @param precopy whether the device entered PRE_COPY and takes part in the iterate phase
   * @param initialBytes precopy info: initial bytes still to send (0 without precopy)
   */
  public record SetupSaved(
      String deviceId, ByteString payload, long stopCopyEstimate, boolean precopy,
      long initialBytes)
      implements SaveReply {}

  /**
   * One precopy pass of a device (QEMU's {@code save_live_iterate} plus the pending queries):
   * read at most {@code maxBytes} of precopy data into {@code sink} as iterate (PART) payloads,
   * stopping early at a temporary end of data; with {@code switchoverAck}, once the initial bytes
   * are all sent, put the INIT_DATA_SENT marker once.
   */
  public record SaveIterate(
      long maxBytes,
      int chunkSize,
      boolean switchoverAck,
      ActorRef<StateSink.Put> sink,
      long requestId,
      ActorRef<SaveReply> replyTo)
      implements SaveCommand {}

  /**
   * What a pass sent, and the pending figures after it: the precopy info (the estimate QEMU's
   * {@code state_pending_estimate} uses) and the stop-copy length (the exact pending).
   */
  public record Iterated(
      String deviceId,
      long bytesSent,
      long initialBytes,
      long dirtyBytes,
      long stopCopyLength,
      boolean initDataSent)
      implements SaveReply {}

  /** The VM stop: PRE_COPY -> STOP_COPY, anything running -> STOP. Starts the downtime. */
  public record StopDevice(long requestId, ActorRef<SaveReply> replyTo) implements SaveCommand {}

  public record DeviceStopped(String deviceId, StateDigest digestAtStop) implements SaveReply {}

  /**
   * Streams the device's stop-copy state and config into {@code sink}. With {@code multifd} each
   * {@link StateSink.Put} payload is an encoded device-state chunk (index 0..n-1, then the config
   * chunk), sent only within {@code credit} plus later {@link CreditGranted}; without, each is a
   * main-channel section payload (QEMU's legacy path) and {@code credit} is ignored.
   */
  public record SaveComplete(
      boolean multifd,
      int chunkSize,
      int maxOutstanding,
      long credit,
      ActorRef<StateSink.Put> sink,
      long requestId,
      ActorRef<SaveReply> replyTo)
      implements SaveCommand {
    public SaveComplete {
      Objects.requireNonNull(sink, "sink");
      if (chunkSize <= 0) {
        throw new IllegalArgumentException("chunkSize: expected > 0, got " + chunkSize);
      }
      if (maxOutstanding <= 0) {
        throw new IllegalArgumentException("maxOutstanding: expected > 0, got " + maxOutstanding);
      }
    }
  }

  public record StateSaved(String deviceId, long chunks, long dataBytes, long configBytes)
      implements SaveReply {}

  /**
   * More multifd credit from the destination, in {@link io.ferry.engine.reassembly.CreditWindow}
   * cost units: a multifd device puts a chunk only while its credit covers the chunk's cost
   * (docs/features/flow-control.md).
   */
  public record CreditGranted(long bytes) implements SaveCommand {}

  /** The non-iterable (FULL) section payload: the config on the legacy path, a marker otherwise. */
  public record SaveFull(boolean multifd, long requestId, ActorRef<SaveReply> replyTo)
      implements SaveCommand {}

  public record FullSaved(String deviceId, ByteString payload) implements SaveReply {}

  /**
   * Ends the save side. {@code migrated = true}: the destination runs the device now, the source
   * copy goes to STOP. {@code false}: the source device goes back to RUNNING with its state intact.
   */
  public record FinishSave(boolean migrated, long requestId, ActorRef<SaveReply> replyTo)
      implements SaveCommand {}

  public record SaveFinished(String deviceId, String finalState) implements SaveReply {}

  public record SaveFailed(String deviceId, String phase, String reason) implements SaveReply {}

  // ---------------------------------------------------------------- destination side

  public interface LoadCommand {}

  public sealed interface LoadReply {}

  public record LoadSetup(ByteString payload, long requestId, ActorRef<LoadReply> replyTo)
      implements LoadCommand {}

  /** {@code needsSwitchoverAck}: a precopy device, approving the switchover after its initial data. */
  public record SetupLoaded(String deviceId, boolean needsSwitchoverAck) implements LoadReply {}

  public enum SectionKind {
    START,
    PART,
    END,
    FULL
  }

  /** A main-channel section payload, loaded synchronously in stream order. */
  public record LoadSection(
      SectionKind kind, ByteString payload, long requestId, ActorRef<LoadReply> replyTo)
      implements LoadCommand {}

  /** {@code initDataSent}: the section carried the device's INIT_DATA_SENT marker. */
  public record SectionLoaded(String deviceId, SectionKind kind, boolean initDataSent)
      implements LoadReply {}

  /** One multifd chunk, released by the ReassemblyActor strictly in index order. */
  public record LoadChunk(long index, boolean config, ByteString data, ActorRef<LoadReply> replyTo)
      implements LoadCommand {
    public LoadChunk {
      Objects.requireNonNull(data, "data");
      if (index < 0) {
        throw new IllegalArgumentException("index: expected >= 0, got " + index);
      }
    }
  }

  public record ChunkLoaded(String deviceId, long index, int bytes) implements LoadReply {}

  /** RESUMING -> STOP: the device validates what it was given. */
  public record CompleteLoad(long requestId, ActorRef<LoadReply> replyTo) implements LoadCommand {}

  public record LoadValidated(String deviceId, StateDigest digestAfterLoad) implements LoadReply {}

  public record StartDevice(long requestId, ActorRef<LoadReply> replyTo) implements LoadCommand {}

  public record DeviceStarted(String deviceId) implements LoadReply {}

  /** Discards whatever was loaded (a reset, the only way out of RESUMING) and stops the loader. */
  public record AbortLoad(String reason, long requestId, ActorRef<LoadReply> replyTo)
      implements LoadCommand {}

  public record LoadAborted(String deviceId, String state) implements LoadReply {}

  public record LoadFailed(String deviceId, String phase, String reason) implements LoadReply {}
}

package io.ferry.engine.reassembly;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.util.ByteString;
import io.ferry.engine.device.DeviceMigration;
import io.ferry.engine.device.DeviceMigration.ChunkLoaded;
import io.ferry.engine.device.DeviceMigration.LoadChunk;
import io.ferry.engine.device.DeviceMigration.LoadFailed;
import io.ferry.engine.device.DeviceMigration.LoadReply;
import io.ferry.protocol.ProtocolException;
import io.ferry.protocol.WireFormat;
import io.ferry.protocol.codec.DeviceStateChunkCodec;
import io.ferry.protocol.packet.DeviceStateChunk;

/**
 * Reassembles one device's multifd stream on the destination. Spawned by the incoming migration per
 * device doing multifd transfer; stopped by it when the migration ends.
 *
 * <p>Owns the device's {@link ReassemblyBuffer}. Packets arrive from any multifd channel
 * ({@link ChunkReceived}, told by the channel streams without waiting), are validated and queued by
 * index. Nothing is released to the device's loader before {@link SwitchoverStart}: the main
 * channel may still be loading precopy data into the same device (QEMU R5). From then on chunks go
 * to the loader strictly in index order, at most {@link #MAX_IN_FLIGHT} at a time, the config chunk
 * last; when the loader confirms the config chunk the device is loaded.
 *
 * <p>Any refused chunk, loader failure, or a stream that ended with chunks missing
 * ({@link ChannelsDrained}) is reported once as {@link ReassemblyFailed}; after that the actor
 * drops its buffer and ignores further packets until it is stopped. A chunk arriving after the
 * device was loaded is refused too (duplicate or beyond the config index), so a late failure is
 * still reported. All handlers run on the actor.
 */
public final class ReassemblyActor extends AbstractBehavior<ReassemblyActor.Command> {

  /** Chunks handed to the loader and not yet confirmed: enough to keep the device busy. */
  static final int MAX_IN_FLIGHT = 2;

  public interface Command {}

  /** One multifd device-state packet payload for this device (an encoded device-state chunk). */
  public record ChunkReceived(int channelIndex, ByteString payload) implements Command {}

  /** The main channel delivered SWITCHOVER_START: chunks may now be loaded. */
  public enum SwitchoverStart implements Command {
    INSTANCE
  }

  /** Every multifd channel has ended cleanly: whatever is missing now will never arrive. */
  public enum ChannelsDrained implements Command {
    INSTANCE
  }

  private record WrappedLoadReply(LoadReply reply) implements Command {}

  /** Events for the owner (the incoming migration). */
  public sealed interface Event {}

  public record DeviceLoaded(String deviceId, long chunks, long dataBytes, long peakQueuedBytes)
      implements Event {}

  public record ReassemblyFailed(String deviceId, String reason) implements Event {}

  /** Loaded bytes to grant back to the source, in {@link CreditWindow} cost units. */
  public record CreditGranted(String deviceId, long bytes) implements Event {}

  public static Behavior<Command> create(
      String deviceId,
      long maxQueuedBytes,
      ActorRef<DeviceMigration.LoadCommand> loader,
      ActorRef<Event> owner) {
    return Behaviors.setup(
        ctx -> new ReassemblyActor(ctx, deviceId, maxQueuedBytes, loader, owner));
  }

  private final String deviceId;
  private final ReassemblyBuffer buffer;
  private final CreditWindow credit;
  private final ActorRef<DeviceMigration.LoadCommand> loader;
  private final ActorRef<Event> owner;
  private final ActorRef<LoadReply> loadReplies;
  private boolean switchoverStarted;
  private boolean loaded;
  private boolean failed;
  private boolean starved;
  private int inFlight;

  private ReassemblyActor(
      ActorContext<Command> ctx,
      String deviceId,
      long maxQueuedBytes,
      ActorRef<DeviceMigration.LoadCommand> loader,
      ActorRef<Event> owner) {
    super(ctx);
    this.deviceId = deviceId;
    this.buffer = new ReassemblyBuffer(deviceId, maxQueuedBytes);
    this.credit = new CreditWindow(deviceId, maxQueuedBytes);
    this.loader = loader;
    this.owner = owner;
    this.loadReplies = ctx.messageAdapter(LoadReply.class, WrappedLoadReply::new);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ChunkReceived.class, this::onChunkReceived)
        .onMessageEquals(SwitchoverStart.INSTANCE, this::onSwitchoverStart)
        .onMessageEquals(ChannelsDrained.INSTANCE, this::onChannelsDrained)
        .onMessage(WrappedLoadReply.class, this::onLoadReply)
        .build();
  }

  private Behavior<Command> onChunkReceived(ChunkReceived msg) {
    if (failed) {
      return this;
    }
    DeviceStateChunk chunk;
    try {
      credit.received(msg.payload().size());
      chunk = DeviceStateChunkCodec.decode(msg.payload(), deviceId);
    } catch (ReassemblyException e) {
      return fail(e.getMessage());
    } catch (ProtocolException e) {
      return fail(e.getMessage());
    }
    try {
      buffer.offer(chunk.index(), chunk.isConfig(), chunk.data());
    } catch (ReassemblyException e) {
      return fail(e.getMessage());
    }
    if (switchoverStarted) {
      pump();
    }
    return this;
  }

  private Behavior<Command> onSwitchoverStart() {
    if (switchoverStarted) {
      return fail("SWITCHOVER_START received twice");
    }
    switchoverStarted = true;
    getContext().getLog().debug("{}: switchover start, {} chunks queued", deviceId,
        buffer.queuedChunks());
    pump();
    return this;
  }

  private Behavior<Command> onChannelsDrained() {
    if (failed || loaded) {
      return this;
    }
    String missing = buffer.missing();
    if (missing != null) {
      return fail(missing + "; every multifd channel has ended");
    }
    return this;
  }

  private Behavior<Command> onLoadReply(WrappedLoadReply wrapped) {
    if (failed || loaded) {
      return this;
    }
    if (wrapped.reply() instanceof ChunkLoaded loadedChunk) {
      inFlight--;
      grant(credit.loaded(loadedChunk.bytes() + WireFormat.CHUNK_HEADER_SIZE));
      if (buffer.complete() && inFlight == 0) {
        loaded = true;
        owner.tell(new DeviceLoaded(deviceId, buffer.releasedChunks(), buffer.releasedDataBytes(),
            buffer.peakQueuedBytes()));
        return this;
      }
      pump();
      return this;
    }
    if (wrapped.reply() instanceof LoadFailed failed) {
      return fail(failed.reason());
    }
    return fail("unexpected loader reply " + wrapped.reply());
  }

  private void grant(long bytes) {
    if (bytes > 0) {
      owner.tell(new CreditGranted(deviceId, bytes));
    }
  }

  private void pump() {
    if (inFlight == 0 && buffer.queuedChunks() == 0) {
      grant(credit.flush()); // idle: a waiting source must not wait on bytes already loaded
    }
    while (inFlight < MAX_IN_FLIGHT) {
      ReassemblyBuffer.Chunk next = buffer.pollNext();
      if (next == null) {
        if (!buffer.complete() && inFlight == 0 && !starved) {
          starved = true;
          getContext().getLog().debug("{}: load starved waiting for chunk {} ({} queued)",
              deviceId, buffer.nextIndex(), buffer.queuedChunks());
        }
        return;
      }
      starved = false;
      inFlight++;
      loader.tell(new LoadChunk(next.index(), next.config(), next.data(), loadReplies));
    }
  }

  private Behavior<Command> fail(String reason) {
    if (!failed) {
      failed = true;
      long freed = buffer.clear();
      getContext().getLog().debug("{}: reassembly failed, {} bytes dropped: {}", deviceId, freed,
          reason);
      owner.tell(new ReassemblyFailed(deviceId, reason));
    }
    return this;
  }
}

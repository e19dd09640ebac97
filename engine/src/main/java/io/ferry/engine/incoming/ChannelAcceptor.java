package io.ferry.engine.incoming;

import akka.actor.typed.ActorRef;
import akka.stream.KillSwitch;
import io.ferry.engine.reassembly.ReassemblyActor;
import io.ferry.protocol.packet.ChannelRole;
import io.ferry.protocol.packet.HelloStatus;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The per-migration admission and routing table of the destination's data channels, shared between
 * the {@link IncomingMigration} that creates it and the {@link DataListener} streams that use it.
 * Thread-safe: channel streams call it from their own threads.
 *
 * <p>Admission mirrors QEMU's {@code multifd_recv_initial_packet()} with the off-by-one fixed: one
 * main channel, multifd channel indexes {@code 0..count-1}, the count must be the one the source
 * announced in its prepare message, duplicates are refused. Routing maps (device id, instance id)
 * to the device's reassembly actor; a device without a route is either unknown or not doing
 * multifd, and the channel that carried it fails.
 */
public final class ChannelAcceptor {
  /** Route key. */
  public record DeviceKey(String deviceId, int instanceId) {}

  private final UUID migrationId;
  private final int multifdChannels;
  private final Map<DeviceKey, ActorRef<ReassemblyActor.Command>> routes;
  private final Set<String> legacyDevices;
  private final ActorRef<IncomingMigration.Command> incoming;
  private final Set<Integer> claimedMultifd = new HashSet<>();
  private final List<KillSwitch> killSwitches = new ArrayList<>();
  private final AtomicLong multifdBytes = new AtomicLong();
  private boolean mainClaimed;
  private String abortedReason;

  ChannelAcceptor(
      UUID migrationId,
      int multifdChannels,
      Map<DeviceKey, ActorRef<ReassemblyActor.Command>> routes,
      Set<String> legacyDevices,
      ActorRef<IncomingMigration.Command> incoming) {
    this.migrationId = migrationId;
    this.multifdChannels = multifdChannels;
    this.routes = Map.copyOf(routes);
    this.legacyDevices = Set.copyOf(legacyDevices);
    this.incoming = incoming;
  }

  public UUID migrationId() {
    return migrationId;
  }

  ActorRef<IncomingMigration.Command> incoming() {
    return incoming;
  }

  /** Admits one channel or says why not, with the reason text for the hello reply. */
  synchronized Admission claim(ChannelRole role, int index, int count) {
    if (abortedReason != null) {
      return new Admission(HelloStatus.UNKNOWN_MIGRATION,
          "migration " + migrationId + " is ending: " + abortedReason);
    }
    if (role == ChannelRole.MAIN) {
      if (index != 0 || count != 1) {
        return new Admission(HelloStatus.BAD_CHANNEL_INDEX,
            "main channel: expected index 0 of 1, got " + index + " of " + count);
      }
      if (mainClaimed) {
        return new Admission(HelloStatus.DUPLICATE_CHANNEL, "main channel already set up");
      }
      mainClaimed = true;
      return Admission.OK;
    }
    if (count != multifdChannels) {
      return new Admission(HelloStatus.BAD_CHANNEL_INDEX,
          "multifd channel count: expected " + multifdChannels + ", got " + count);
    }
    if (index >= count) {
      return new Admission(HelloStatus.BAD_CHANNEL_INDEX,
          "multifd channel index: expected < " + count + ", got " + index);
    }
    if (!claimedMultifd.add(index)) {
      return new Admission(HelloStatus.DUPLICATE_CHANNEL,
          "multifd channel " + index + " already set up");
    }
    return Admission.OK;
  }

  record Admission(HelloStatus status, String reason) {
    static final Admission OK = new Admission(HelloStatus.ACCEPTED, "");
  }

  /** Registers a live channel so that {@link #abortAll} can cut it; false if already aborted. */
  synchronized boolean register(KillSwitch killSwitch) {
    if (abortedReason != null) {
      killSwitch.abort(new IllegalStateException("migration ending: " + abortedReason));
      return false;
    }
    killSwitches.add(killSwitch);
    return true;
  }

  /**
   * Stops routing and admitting, but leaves the channels open: used when the destination fails
   * on its own, so that the source learns the reason over the control plane before it sees its
   * channels reset. Packets arriving meanwhile are dropped.
   */
  synchronized void quiesce(String reason) {
    if (abortedReason == null) {
      abortedReason = reason;
    }
  }

  synchronized void abortAll(String reason) {
    if (abortedReason == null) {
      abortedReason = reason;
    }
    for (KillSwitch k : killSwitches) {
      k.abort(new IllegalStateException("channel closed by the destination: " + reason));
    }
    killSwitches.clear();
  }

  /**
   * Routes one device-state packet, or returns null once the migration is ending (the packet is
   * dropped). Throws (failing the channel stream) for an unknown device or one that is not doing
   * multifd, QEMU's "Unknown idstr" and "got device state packet but not doing multifd
   * transfer".
   */
  ActorRef<ReassemblyActor.Command> route(String deviceId, int instanceId, int payloadBytes) {
    if (abortedReason != null) {
      return null;
    }
    ActorRef<ReassemblyActor.Command> ref = routes.get(new DeviceKey(deviceId, instanceId));
    if (ref == null) {
      if (legacyDevices.contains(deviceId)) {
        throw new IllegalStateException(deviceId + ": got device state packet but not doing "
            + "multifd transfer (instance " + instanceId + ")");
      }
      throw new IllegalStateException("unknown device '" + deviceId + "' instance " + instanceId
          + " for a device state packet: expected one of " + routes.keySet());
    }
    multifdBytes.addAndGet(payloadBytes);
    return ref;
  }

  long multifdBytes() {
    return multifdBytes.get();
  }
}

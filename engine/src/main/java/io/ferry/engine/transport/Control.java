package io.ferry.engine.transport;

import akka.actor.typed.ActorRef;
import io.ferry.engine.config.MigrationParameters;
import io.ferry.engine.coordinator.MigrationCoordinator;
import io.ferry.engine.device.StateDigest;
import io.ferry.engine.incoming.IncomingMigration;
import io.ferry.engine.node.FerryNode;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The control plane between a source and a destination node, carried by Artery and serialized with
 * Jackson CBOR ({@link ControlMessage}). QEMU's return path and management commands in one place:
 *
 * <pre>
 *  source coordinator                              destination
 *  ------------------                              -----------
 *  PrepareIncoming --------------------------->    node: opens loaders, spawns IncomingMigration
 *                  <---------------------------    IncomingReady (data host/port, credit window)
 *                                                  | IncomingRejected
 *                  <---------------------------    GrantCredit (multifd flow control, repeated)
 *  [main + multifd channels over TCP, SETUP .. SWITCHOVER_START .. EOF]
 *                  <---------------------------    SwitchoverAck (with switchover-ack: initial data loaded)
 *                  <---------------------------    IncomingLoaded (digest per device, devices STOP)
 *  Commit (digests matched) ------------------>    devices RUNNING
 *                  <---------------------------    IncomingCommitted
 *  AbortIncoming (any failure, cancel) ------->    devices reset, channels closed
 *                  <---------------------------    IncomingFailed (any destination failure)
 *                  <---------------------------    IncomingAborted (after any failure: devices reset)
 * </pre>
 */
public final class Control {
  private Control() {}

  /** One device of a migration as the source sees it after resolving its multifd setting. */
  public record DeviceSetup(
      String deviceId, int instanceId, String kind, boolean multifd, int sectionId)
      implements ControlMessage {
    public DeviceSetup {
      Objects.requireNonNull(deviceId, "deviceId");
      Objects.requireNonNull(kind, "kind");
    }
  }

  /** Source coordinator -> destination node. */
  public record PrepareIncoming(
      UUID migrationId,
      MigrationParameters params,
      List<DeviceSetup> devices,
      ActorRef<MigrationCoordinator.Command> source)
      implements FerryNode.Command, ControlMessage {
    public PrepareIncoming {
      Objects.requireNonNull(migrationId, "migrationId");
      Objects.requireNonNull(params, "params");
      Objects.requireNonNull(devices, "devices");
      Objects.requireNonNull(source, "source");
      devices = List.copyOf(devices);
    }
  }

  // ------------------------------------------------------------ destination -> source

  /**
   * @param creditWindow the multifd credit each multifd device starts with (cost units, see
   *     {@link io.ferry.engine.reassembly.CreditWindow}); the destination's per-device cap
   */
  public record IncomingReady(
      UUID migrationId,
      ActorRef<IncomingMigration.Command> incoming,
      String dataHost,
      int dataPort,
      long creditWindow)
      implements MigrationCoordinator.Command, ControlMessage {}

  /** Multifd credit for one device: bytes its destination loaded and can take again. */
  public record GrantCredit(UUID migrationId, String deviceId, long bytes)
      implements MigrationCoordinator.Command, ControlMessage {}

  public record IncomingRejected(UUID migrationId, String reason)
      implements MigrationCoordinator.Command, ControlMessage {}

  /** Every device passed RESUMING -> STOP validation; the devices wait in STOP for the commit. */
  public record IncomingLoaded(
      UUID migrationId,
      Map<String, StateDigest> digests,
      Map<String, Long> peakQueuedBytes,
      long multifdBytesReceived)
      implements MigrationCoordinator.Command, ControlMessage {}

  /**
   * QEMU's switchover-ack: every precopy device has loaded its initial data (INIT_DATA_SENT
   * processed), so switching over now does not pay for it in downtime.
   */
  public record SwitchoverAck(UUID migrationId)
      implements MigrationCoordinator.Command, ControlMessage {}

  public record IncomingCommitted(UUID migrationId)
      implements MigrationCoordinator.Command, ControlMessage {}

  public record IncomingFailed(UUID migrationId, String reason, boolean cancelled)
      implements MigrationCoordinator.Command, ControlMessage {}

  /** After a failure: every destination device has been reset and every channel closed. */
  public record IncomingAborted(UUID migrationId)
      implements MigrationCoordinator.Command, ControlMessage {}

  // ------------------------------------------------------------ source -> destination

  public record Commit(UUID migrationId) implements IncomingMigration.Command, ControlMessage {}

  public record AbortIncoming(UUID migrationId, String reason, boolean cancelled)
      implements IncomingMigration.Command, ControlMessage {}
}

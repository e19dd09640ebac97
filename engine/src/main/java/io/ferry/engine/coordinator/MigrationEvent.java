package io.ferry.engine.coordinator;

import io.ferry.engine.transport.ControlMessage;
import java.util.List;
import java.util.UUID;

/**
 * What a migration publishes while it runs: QEMU's MIGRATION, MIGRATION_PASS and VFIO_MIGRATION
 * events plus channel progress. Subscribe on the source node with
 * {@link io.ferry.engine.node.FerryNode.SubscribeEvents}; serializable, so a subscriber may live
 * in another process.
 *
 * <p>Order, per migration: {@link StatusChanged} events follow the status machine (SETUP, then
 * ACTIVE if any device precopies, then DEVICE, then COMPLETED; or FAILED / CANCELLED from any
 * of them); {@link PrecopyPass} only while ACTIVE, numbered from 1; {@link DeviceStateChanged}
 * in the order the device went through them; {@link Ended} last.
 */
public sealed interface MigrationEvent extends ControlMessage {
  UUID migrationId();

  /** Milliseconds since the migration started. */
  long atMs();

  record StatusChanged(UUID migrationId, long atMs, MigrationStatus from, MigrationStatus to)
      implements MigrationEvent {}

  /**
   * One precopy pass: what it sent, the exact pending bytes after it, the measured bandwidth, and
   * the switchover threshold (bandwidth × downtime limit) it was compared with.
   */
  record PrecopyPass(
      UUID migrationId,
      long atMs,
      int pass,
      long bytesSent,
      long pendingBytes,
      long bandwidthBytesPerSecond,
      long thresholdBytes,
      long expectedDowntimeMs)
      implements MigrationEvent {}

  record DeviceStateChanged(UUID migrationId, long atMs, String deviceId, String state)
      implements MigrationEvent {}

  record ChannelProgress(
      UUID migrationId, long atMs, String role, List<Long> channelBytes, long totalBytes)
      implements MigrationEvent {
    public ChannelProgress {
      channelBytes = List.copyOf(channelBytes);
    }
  }

  record Ended(UUID migrationId, long atMs, MigrationInfo info) implements MigrationEvent {}
}

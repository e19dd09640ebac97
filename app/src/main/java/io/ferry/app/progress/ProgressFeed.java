package io.ferry.app.progress;

import io.ferry.engine.coordinator.MigrationInfo;

/**
 * Where the snapshots of a running migration come from: {@link EventProgressFeed} (the default)
 * follows the engine's migration events and polls the source node for per-device bytes every
 * 500 ms; {@link PollingProgressFeed} ({@code --progress-source poll}) asks the source node for the
 * whole migration ({@code FerryNode.GetMigration}) every 200 ms.
 */
public interface ProgressFeed {
  /**
   * Hands snapshots of the migration to {@code display} until the migration has ended.
   *
   * @return the migration's final info
   * @throws io.ferry.app.CliException if the node stops answering or forgets the migration
   */
  MigrationInfo follow(ProgressDisplay display) throws InterruptedException;
}

package io.ferry.app.progress;

import io.ferry.engine.coordinator.MigrationInfo;

/**
 * Where the snapshots of a running migration come from. Today {@link PollingProgressFeed} asks the
 * source node ({@code FerryNode.GetMigration}) every 200 ms; when the engine publishes migration
 * events, a feed that subscribes to them replaces it without touching the displays.
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

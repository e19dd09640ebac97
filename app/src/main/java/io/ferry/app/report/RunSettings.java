package io.ferry.app.report;

import io.ferry.engine.config.MigrationParameters;
import java.util.Objects;

/**
 * What a report says about how the migration was asked for, beside what the engine measured: the
 * nodes and the knobs.
 *
 * @param source the source node's address
 * @param destination the destination node's address
 * @param params the migration's parameters as sent
 */
public record RunSettings(String source, String destination, MigrationParameters params) {
  public RunSettings {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(params, "params");
  }

  /**
   * QEMU's max-bandwidth in bytes per second, 0 = unlimited: the engine caps every precopy pass
   * with it, never the switchover.
   */
  public long maxBandwidth() {
    return params.precopy().maxBandwidth();
  }
}

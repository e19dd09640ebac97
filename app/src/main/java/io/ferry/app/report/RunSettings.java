package io.ferry.app.report;

import io.ferry.engine.config.MigrationParameters;
import java.util.Objects;

/**
 * What a report says about how the migration was asked for, beside what the engine measured: the
 * nodes and the knobs. {@code maxBandwidth} is recorded as given (bytes per second, 0 = unlimited);
 * the engine applies it to precopy data only, as QEMU does.
 *
 * @param source the source node's address
 * @param destination the destination node's address
 * @param params the migration's parameters as sent
 * @param maxBandwidth {@code --max-bandwidth}, bytes per second, 0 = unlimited
 */
public record RunSettings(String source, String destination, MigrationParameters params,
    long maxBandwidth) {
  public RunSettings {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(params, "params");
    if (maxBandwidth < 0) {
      throw new IllegalArgumentException("maxBandwidth: expected >= 0, got " + maxBandwidth);
    }
  }
}

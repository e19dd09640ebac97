package io.ferry.app;

import io.ferry.engine.config.MigrationParameters;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The migration knobs that {@code demo} and {@code migrate} take on the command line, over {@code
 * ferry.migration} of the loaded config. Values are checked when parsed (converters in {@link
 * Converters}); a bad one is a usage error.
 */
public final class MigrationOptions {
  @Option(names = "--channels", paramLabel = "N", converter = Converters.Channels.class,
      description = "Multifd channels, 1..255 (default: ferry.migration.multifd-channels).")
  Integer channels;

  @Option(names = "--multifd", paramLabel = "on|off", arity = "1",
      converter = Converters.OnOff.class,
      description = "The multifd capability; off sends all device state over the main channel "
          + "(default: ferry.migration.multifd).")
  Boolean multifd;

  @Option(names = "--chunk-size", paramLabel = "SIZE", converter = Converters.ChunkSize.class,
      description = "Device data per multifd packet, 1KiB..16MiB, e.g. 1MiB, 512KiB "
          + "(default: ferry.migration.chunk-size).")
  Integer chunkSize;

  @Option(names = "--downtime-limit", paramLabel = "DURATION",
      converter = Converters.DowntimeLimit.class,
      description = "QEMU's downtime-limit, e.g. 300ms, 1s "
          + "(default: ferry.migration.downtime-limit).")
  Duration downtimeLimit;

  @Option(names = "--max-bandwidth", paramLabel = "RATE", converter = Converters.Rate.class,
      description = "Cap on precopy data, applied by the engine to every precopy pass, e.g. "
          + "100MiB/s, 0 = unlimited (QEMU's max-bandwidth; never applied to the switchover; "
          + "default: ferry.migration.precopy.max-bandwidth).")
  Long maxBandwidth;

  @Option(names = "--switchover-ack", paramLabel = "on|off", arity = "0..1",
      fallbackValue = "on", converter = Converters.ToggleValue.class,
      description = "QEMU's switchover-ack: no switchover before the destination has loaded "
          + "every precopy device's initial data (alone: on; default: "
          + "ferry.migration.precopy.switchover-ack).")
  Converters.Toggle switchoverAck;

  @Option(names = "--max-passes", paramLabel = "N", converter = Converters.MaxPasses.class,
      description = "Fail a migration that has not converged after N precopy passes, 0 = no "
          + "limit (default: ferry.migration.precopy.max-passes).")
  Integer maxPasses;

  @Option(names = "--max-precopy-time", paramLabel = "DURATION",
      converter = Converters.Timeout.class,
      description = "Fail a migration that has not converged after this long in precopy, e.g. "
          + "30s (default: ferry.migration.precopy.max-time).")
  Duration maxPrecopyTime;

  /** {@code base} with the options given on the command line. */
  MigrationParameters apply(MigrationParameters base) {
    MigrationParameters p = base;
    if (multifd != null) {
      p = p.withMultifd(multifd);
    }
    if (channels != null) {
      p = p.withChannels(channels);
    }
    if (chunkSize != null) {
      p = p.withChunkSize(chunkSize);
    }
    if (downtimeLimit != null) {
      p = p.withDowntimeLimit(downtimeLimit);
    }
    MigrationParameters.Precopy precopy = p.precopy();
    if (maxBandwidth != null) {
      precopy = precopy.withMaxBandwidth(maxBandwidth);
    }
    if (switchoverAck != null) {
      precopy = precopy.withSwitchoverAck(switchoverAck.on());
    }
    if (maxPasses != null || maxPrecopyTime != null) {
      precopy = precopy.withLimits(maxPasses != null ? maxPasses : precopy.maxPasses(),
          maxPrecopyTime != null ? maxPrecopyTime : precopy.maxTime());
    }
    return p.withPrecopy(precopy);
  }
}

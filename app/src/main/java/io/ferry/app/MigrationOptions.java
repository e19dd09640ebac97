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
      description = "Precopy bandwidth cap, e.g. 100MiB/s, 0 = unlimited (QEMU's max-bandwidth; "
          + "never applied to the switchover).")
  Long maxBandwidth;

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
    if (maxBandwidth != null) {
      p = p.withPrecopy(p.precopy().withMaxBandwidth(maxBandwidth));
    }
    return p;
  }

  /** Bytes per second, 0 = unlimited. */
  long maxBandwidth() {
    return maxBandwidth == null ? 0 : maxBandwidth;
  }
}

package io.ferry.engine.config;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Objects;

/**
 * The knobs of one migration, QEMU's capabilities and parameters. Immutable; each side reads its own
 * from {@code ferry.migration} and the source's copy travels to the destination in the prepare
 * message so that the destination can check it agrees.
 *
 * @param multifd QEMU's {@code multifd} capability
 * @param multifdChannels number of multifd channels (1..255)
 * @param sendSwitchoverStart QEMU's {@code send-switchover-start} property
 * @param chunkSize bytes of device data per multifd packet (1 KiB..16 MiB)
 * @param maxQueuedBytes destination cap on queued bytes per device
 * @param maxOutstandingChunks source: packets one device may have queued towards the channels
 * @param downtimeLimit QEMU's {@code downtime-limit}
 */
public record MigrationParameters(
    boolean multifd,
    int multifdChannels,
    boolean sendSwitchoverStart,
    int chunkSize,
    long maxQueuedBytes,
    int maxOutstandingChunks,
    Duration downtimeLimit,
    Timeouts timeouts) {

  public static final int MAX_CHUNK_SIZE = 16 * 1024 * 1024;

  public MigrationParameters {
    Objects.requireNonNull(downtimeLimit, "downtimeLimit");
    Objects.requireNonNull(timeouts, "timeouts");
    if (multifdChannels < 1 || multifdChannels > 255) {
      throw new IllegalArgumentException(
          "multifd-channels: expected 1..255, got " + multifdChannels);
    }
    if (chunkSize < 1024 || chunkSize > MAX_CHUNK_SIZE) {
      throw new IllegalArgumentException(
          "chunk-size: expected 1 KiB..16 MiB, got " + chunkSize + " bytes");
    }
    if (maxQueuedBytes < chunkSize + 4096L) {
      throw new IllegalArgumentException(
          "max-queued-bytes: expected at least one chunk (" + (chunkSize + 4096L) + "), got "
              + maxQueuedBytes);
    }
    if (maxOutstandingChunks < 1) {
      throw new IllegalArgumentException(
          "max-outstanding-chunks: expected >= 1, got " + maxOutstandingChunks);
    }
  }

  /** QEMU's multifd_device_state_supported() && migrate_send_switchover_start(). */
  public boolean multifdDeviceStateSupported() {
    return multifd && sendSwitchoverStart;
  }

  String multifdSupportSummary() {
    return "multifd=" + (multifd ? "on" : "off") + ", send-switchover-start="
        + (sendSwitchoverStart ? "on" : "off");
  }

  public static MigrationParameters fromConfig(Config migration) {
    return new MigrationParameters(
        migration.getBoolean("multifd"),
        migration.getInt("multifd-channels"),
        migration.getBoolean("send-switchover-start"),
        Math.toIntExact(migration.getBytes("chunk-size")),
        migration.getBytes("max-queued-bytes"),
        migration.getInt("max-outstanding-chunks"),
        migration.getDuration("downtime-limit"),
        Timeouts.fromConfig(migration.getConfig("timeouts")));
  }

  public MigrationParameters withChannels(int channels) {
    return new MigrationParameters(multifd, channels, sendSwitchoverStart, chunkSize,
        maxQueuedBytes, maxOutstandingChunks, downtimeLimit, timeouts);
  }

  public MigrationParameters withMultifd(boolean enabled) {
    return new MigrationParameters(enabled, multifdChannels, sendSwitchoverStart, chunkSize,
        maxQueuedBytes, maxOutstandingChunks, downtimeLimit, timeouts);
  }

  public MigrationParameters withChunkSize(int bytes) {
    return new MigrationParameters(multifd, multifdChannels, sendSwitchoverStart, bytes,
        Math.max(maxQueuedBytes, bytes + 4096L), maxOutstandingChunks, downtimeLimit, timeouts);
  }

  public MigrationParameters withMaxQueuedBytes(long bytes) {
    return new MigrationParameters(multifd, multifdChannels, sendSwitchoverStart, chunkSize,
        bytes, maxOutstandingChunks, downtimeLimit, timeouts);
  }

  public MigrationParameters withTimeouts(Timeouts t) {
    return new MigrationParameters(multifd, multifdChannels, sendSwitchoverStart, chunkSize,
        maxQueuedBytes, maxOutstandingChunks, downtimeLimit, t);
  }

  /** Every wait in a migration is bounded by one of these. */
  public record Timeouts(
      Duration control,
      Duration setup,
      Duration switchover,
      Duration channelIdle) {
    public Timeouts {
      Objects.requireNonNull(control, "control");
      Objects.requireNonNull(setup, "setup");
      Objects.requireNonNull(switchover, "switchover");
      Objects.requireNonNull(channelIdle, "channelIdle");
      if (channelIdle.compareTo(Duration.ofSeconds(2)) < 0) {
        throw new IllegalArgumentException(
            "timeouts.channel-idle: expected >= 2 s (keep-alives run every second), got "
                + channelIdle);
      }
    }

    public static Timeouts fromConfig(Config c) {
      return new Timeouts(
          c.getDuration("control"),
          c.getDuration("setup"),
          c.getDuration("switchover"),
          c.getDuration("channel-idle"));
    }
  }
}

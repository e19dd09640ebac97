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
 * @param precopy the iterate phase: switchover-ack, max-bandwidth, convergence limits
 */
public record MigrationParameters(
    boolean multifd,
    int multifdChannels,
    boolean sendSwitchoverStart,
    int chunkSize,
    long maxQueuedBytes,
    int maxOutstandingChunks,
    Duration downtimeLimit,
    Timeouts timeouts,
    Precopy precopy) {

  public static final int MAX_CHUNK_SIZE = 16 * 1024 * 1024;

  public MigrationParameters {
    Objects.requireNonNull(downtimeLimit, "downtimeLimit");
    Objects.requireNonNull(timeouts, "timeouts");
    Objects.requireNonNull(precopy, "precopy");
    if (downtimeLimit.isNegative() || downtimeLimit.compareTo(Duration.ofSeconds(2000)) > 0) {
      throw new IllegalArgumentException(
          "downtime-limit: expected 0..2000 s (QEMU's range), got " + downtimeLimit);
    }
    if (multifdChannels < 1 || multifdChannels > 255) {
      throw new IllegalArgumentException(
          "multifd-channels: expected 1..255, got " + multifdChannels);
    }
    if (chunkSize < 1024 || chunkSize > MAX_CHUNK_SIZE) {
      throw new IllegalArgumentException(
          "chunk-size: expected 1 KiB..16 MiB, got " + chunkSize + " bytes");
    }
    if (maxQueuedBytes < 2 * (chunkSize + 4096L)) {
      throw new IllegalArgumentException(
          "max-queued-bytes: expected at least two chunks (" + 2 * (chunkSize + 4096L) + "), got "
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
        Timeouts.fromConfig(migration.getConfig("timeouts")),
        Precopy.fromConfig(migration.getConfig("precopy")));
  }

  public MigrationParameters withChannels(int channels) {
    return new MigrationParameters(multifd, channels, sendSwitchoverStart, chunkSize,
        maxQueuedBytes, maxOutstandingChunks, downtimeLimit, timeouts, precopy);
  }

  public MigrationParameters withMultifd(boolean enabled) {
    return new MigrationParameters(enabled, multifdChannels, sendSwitchoverStart, chunkSize,
        maxQueuedBytes, maxOutstandingChunks, downtimeLimit, timeouts, precopy);
  }

  public MigrationParameters withChunkSize(int bytes) {
    return new MigrationParameters(multifd, multifdChannels, sendSwitchoverStart, bytes,
        Math.max(maxQueuedBytes, 2 * (bytes + 4096L)), maxOutstandingChunks, downtimeLimit,
        timeouts,
        precopy);
  }

  public MigrationParameters withMaxQueuedBytes(long bytes) {
    return new MigrationParameters(multifd, multifdChannels, sendSwitchoverStart, chunkSize,
        bytes, maxOutstandingChunks, downtimeLimit, timeouts, precopy);
  }

  public MigrationParameters withDowntimeLimit(Duration limit) {
    return new MigrationParameters(multifd, multifdChannels, sendSwitchoverStart, chunkSize,
        maxQueuedBytes, maxOutstandingChunks, limit, timeouts, precopy);
  }

  public MigrationParameters withTimeouts(Timeouts t) {
    return new MigrationParameters(multifd, multifdChannels, sendSwitchoverStart, chunkSize,
        maxQueuedBytes, maxOutstandingChunks, downtimeLimit, t, precopy);
  }

  public MigrationParameters withPrecopy(Precopy p) {
    return new MigrationParameters(multifd, multifdChannels, sendSwitchoverStart, chunkSize,
        maxQueuedBytes, maxOutstandingChunks, downtimeLimit, timeouts, p);
  }

  /**
   * The iterate phase (QEMU's precopy of device state).
   *
   * @param switchoverAck QEMU's {@code switchover-ack}: no switchover before the destination has
   *     loaded every precopy device's initial data
   * @param maxBandwidth QEMU's {@code max-bandwidth} in bytes/s for precopy data (0 = unlimited);
   *     never applied to the switchover
   * @param maxPasses passes after which a migration that has not converged fails (0 = no limit)
   * @param maxTime precopy time after which a migration that has not converged fails
   * @param passBytes at most this many bytes read from one device in one pass
   */
  public record Precopy(
      boolean switchoverAck, long maxBandwidth, int maxPasses, Duration maxTime, long passBytes) {
    public Precopy {
      Objects.requireNonNull(maxTime, "maxTime");
      if (maxBandwidth < 0) {
        throw new IllegalArgumentException("max-bandwidth: expected >= 0, got " + maxBandwidth);
      }
      if (maxPasses < 0) {
        throw new IllegalArgumentException("max-passes: expected >= 0, got " + maxPasses);
      }
      if (maxTime.isZero() || maxTime.isNegative()) {
        throw new IllegalArgumentException("max-time: expected > 0, got " + maxTime);
      }
      if (passBytes < 1024) {
        throw new IllegalArgumentException("pass-bytes: expected >= 1 KiB, got " + passBytes);
      }
    }

    public static Precopy fromConfig(Config c) {
      return new Precopy(
          c.getBoolean("switchover-ack"),
          c.getBytes("max-bandwidth"),
          c.getInt("max-passes"),
          c.getDuration("max-time"),
          c.getBytes("pass-bytes"));
    }

    public Precopy withMaxBandwidth(long bytesPerSecond) {
      return new Precopy(switchoverAck, bytesPerSecond, maxPasses, maxTime, passBytes);
    }

    public Precopy withSwitchoverAck(boolean on) {
      return new Precopy(on, maxBandwidth, maxPasses, maxTime, passBytes);
    }

    public Precopy withLimits(int passes, Duration time) {
      return new Precopy(switchoverAck, maxBandwidth, passes, time, passBytes);
    }
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

package io.ferry.engine.coordinator;

import io.ferry.engine.device.StateDigest;
import io.ferry.engine.transport.ControlMessage;
import java.util.List;
import java.util.UUID;

/**
 * A migration as QEMU's {@code query-migrate} reports it, plus Ferry's per-device digests. Times
 * are milliseconds; -1 where not (yet) known. Downtime runs from the stop of the source devices to
 * the destination's commit confirmation, so it includes destination loading and validation (QEMU
 * with return-path on).
 */
public record MigrationInfo(
    UUID migrationId,
    MigrationStatus status,
    long setupTimeMs,
    long totalTimeMs,
    long downtimeMs,
    long totalBytes,
    long mainChannelBytes,
    List<Long> multifdChannelBytes,
    double throughputMiBps,
    List<DeviceReport> devices,
    String error,
    PrecopyStats precopy)
    implements ControlMessage {

  public MigrationInfo {
    multifdChannelBytes = List.copyOf(multifdChannelBytes);
    devices = List.copyOf(devices);
    precopy = precopy == null ? PrecopyStats.NONE : precopy;
  }

  /** A migration without an iterate phase. */
  public MigrationInfo(
      UUID migrationId,
      MigrationStatus status,
      long setupTimeMs,
      long totalTimeMs,
      long downtimeMs,
      long totalBytes,
      long mainChannelBytes,
      List<Long> multifdChannelBytes,
      double throughputMiBps,
      List<DeviceReport> devices,
      String error) {
    this(migrationId, status, setupTimeMs, totalTimeMs, downtimeMs, totalBytes, mainChannelBytes,
        multifdChannelBytes, throughputMiBps, devices, error, PrecopyStats.NONE);
  }

  /**
   * The iterate phase: passes, precopy bytes, the last measured bandwidth and pending bytes, and
   * the expected downtime (pending / bandwidth, QEMU's expected-downtime) to compare with the
   * actual downtime at the end; -1 where unknown.
   */
  public record PrecopyStats(
      int passes,
      long bytes,
      long bandwidthBytesPerSecond,
      long pendingBytes,
      long expectedDowntimeMs,
      long downtimeLimitMs,
      boolean switchoverAcked)
      implements ControlMessage {
    public static final PrecopyStats NONE = new PrecopyStats(0, 0, -1, -1, -1, -1, false);
  }

  /**
   * Per device: transfer mode, the stop-copy estimate from setup, payload bytes handed to the
   * channels so far (live), what the device saved, and both digests.
   */
  public record DeviceReport(
      String deviceId,
      String kind,
      boolean multifd,
      boolean precopy,
      long precopyBytes,
      long stopCopyEstimate,
      long bytesSent,
      long chunks,
      long dataBytes,
      long configBytes,
      StateDigest sourceDigest,
      StateDigest destinationDigest,
      long destinationPeakQueuedBytes)
      implements ControlMessage {
    /** True only when both digests are known and identical in every field. */
    public boolean digestsMatch() {
      return sourceDigest != null && destinationDigest != null
          && sourceDigest.mismatch(destinationDigest) == null;
    }
  }

  public boolean succeeded() {
    return status == MigrationStatus.COMPLETED
        && devices.stream().allMatch(DeviceReport::digestsMatch);
  }
}

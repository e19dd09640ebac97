package io.ferry.app.progress;

import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.coordinator.MigrationStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * What a {@link ProgressDisplay} is shown of a running migration at one moment. Each group of
 * figures carries the migration time (milliseconds since its start, the engine's clock) at which
 * it was true, because a feed may have them from different sources at different times: {@link
 * EventProgressFeed} takes status, channels and precopy from the engine's events and per-device
 * bytes from a slower poll, {@link PollingProgressFeed} takes everything from one poll.
 *
 * @param migrationId the migration
 * @param status its status
 * @param elapsedMs the newest migration time of any figure here
 * @param mainChannelBytes bytes the main channel carried
 * @param mainAtMs when {@code mainChannelBytes} was true
 * @param multifdChannelBytes bytes per multifd channel (empty without multifd, or before setup)
 * @param multifdAtMs when {@code multifdChannelBytes} was true
 * @param precopy the iterate phase so far
 * @param devices per device, in section order
 * @param devicesAtMs when the device figures were true; -1 if there are none yet
 */
public record ProgressSnapshot(
    UUID migrationId,
    MigrationStatus status,
    long elapsedMs,
    long mainChannelBytes,
    long mainAtMs,
    List<Long> multifdChannelBytes,
    long multifdAtMs,
    Precopy precopy,
    List<Device> devices,
    long devicesAtMs) {

  public ProgressSnapshot {
    Objects.requireNonNull(migrationId, "migrationId");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(precopy, "precopy");
    multifdChannelBytes = List.copyOf(multifdChannelBytes);
    devices = List.copyOf(devices);
  }

  /**
   * The iterate phase: QEMU's {@code MIGRATION_PASS} figures of the last pass. -1 where unknown.
   *
   * @param passes passes so far (0: none yet, or no precopy)
   * @param bytes precopy bytes read from the devices over all passes
   * @param pendingBytes stop-copy bytes pending after the last pass
   * @param bandwidthBytesPerSecond bandwidth measured over the last pass
   * @param expectedDowntimeMs pending / bandwidth after the last pass
   * @param thresholdBytes bandwidth × downtime limit: the pending bytes that allow the switchover
   * @param downtimeLimitMs the downtime limit the last pass was compared with
   */
  public record Precopy(int passes, long bytes, long pendingBytes, long bandwidthBytesPerSecond,
      long expectedDowntimeMs, long thresholdBytes, long downtimeLimitMs) {
    public static final Precopy NONE = new Precopy(0, 0, -1, -1, -1, -1, -1);
  }

  /**
   * One device.
   *
   * @param deviceId its id
   * @param multifd its state goes over the multifd channels (else the main channel)
   * @param precopy it precopies (PRE_COPY at setup)
   * @param state its last VFIO state from the events ({@code PRE_COPY}, {@code RUNNING}, {@code
   *     STOP_COPY}, {@code STOP}, or the final state); null when the feed has no events
   * @param sent payload bytes handed to the channels so far, precopy and stop-copy
   * @param precopyBytes bytes read in precopy passes so far
   * @param stopCopyEstimate the device's stop-copy size: the estimate from setup, then the exact
   *     pending size after each precopy pass
   */
  public record Device(String deviceId, boolean multifd, boolean precopy, String state, long sent,
      long precopyBytes, long stopCopyEstimate) {
    /** What the device will have sent in all: its precopy bytes plus its stop-copy size. */
    public long expectedTotal() {
      return stopCopyEstimate <= 0 ? 0 : precopyBytes + stopCopyEstimate;
    }
  }

  /** Main plus every multifd channel. */
  public long totalBytes() {
    long total = mainChannelBytes;
    for (long b : multifdChannelBytes) {
      total += b;
    }
    return total;
  }

  /** Everything from one {@code MigrationInfo} (a poll, or the final info): one time for all. */
  public static ProgressSnapshot of(MigrationInfo info) {
    return of(info, null);
  }

  /**
   * Everything from one {@code MigrationInfo}, with device states from events.
   *
   * @param states device id to state; null when unknown
   */
  static ProgressSnapshot of(MigrationInfo info, java.util.Map<String, String> states) {
    long t = info.totalTimeMs();
    List<Device> devices = new ArrayList<>();
    for (MigrationInfo.DeviceReport d : info.devices()) {
      devices.add(device(d, states == null ? null : states.get(d.deviceId())));
    }
    return new ProgressSnapshot(info.migrationId(), info.status(), t, info.mainChannelBytes(), t,
        info.multifdChannelBytes(), t, precopy(info.precopy()), devices, t);
  }

  static Device device(MigrationInfo.DeviceReport d, String state) {
    return new Device(d.deviceId(), d.multifd(), d.precopy(), state, d.bytesSent(),
        d.precopyBytes(), d.stopCopyEstimate());
  }

  static Precopy precopy(MigrationInfo.PrecopyStats p) {
    long threshold = p.bandwidthBytesPerSecond() >= 0 && p.downtimeLimitMs() >= 0
        ? p.bandwidthBytesPerSecond() * p.downtimeLimitMs() / 1000 : -1;
    return new Precopy(p.passes(), p.bytes(), p.pendingBytes(), p.bandwidthBytesPerSecond(),
        p.expectedDowntimeMs(), threshold, p.downtimeLimitMs());
  }
}

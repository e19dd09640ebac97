package io.ferry.app.progress;

import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.coordinator.MigrationStatus;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Turns successive snapshots of one migration into what the displays draw: per device the bytes
 * sent against the stop-copy estimate, per channel the bytes carried, and rates. Rates are taken
 * over the last second of the migration's own clock ({@code totalTimeMs} of each snapshot), so
 * polling jitter does not show up as rate noise. Not thread-safe: one display owns one tracker.
 */
public final class ProgressTracker {
  /** Window over which rates are measured, in migration milliseconds. */
  static final long WINDOW_MS = 1000;

  /** One device: {@code mode} is {@code multifd} or {@code main}. */
  public record DeviceRow(String deviceId, String mode, long sent, long estimate,
      double bytesPerSecond) {
    /** Sent against the estimate, 0..100; 0 while the estimate is unknown (setup). */
    public int percent() {
      if (estimate <= 0) {
        return 0;
      }
      return (int) Math.min(100, sent * 100 / estimate);
    }
  }

  /** One channel: {@code main} or the multifd channel index. */
  public record ChannelRow(String name, long bytes, double bytesPerSecond) {}

  /** Everything a display shows for one snapshot. */
  public record Frame(UUID migrationId, MigrationStatus status, long elapsedMs, long totalBytes,
      double bytesPerSecond, List<DeviceRow> devices, List<ChannelRow> channels) {}

  private record Sample(long timeMs, long bytes) {}

  private final Map<String, Deque<Sample>> samples = new HashMap<>();

  /** The frame for {@code info}, with rates from this and the earlier snapshots. */
  public Frame next(MigrationInfo info) {
    long t = info.totalTimeMs();
    List<DeviceRow> devices = new ArrayList<>();
    for (MigrationInfo.DeviceReport d : info.devices()) {
      devices.add(new DeviceRow(d.deviceId(), d.multifd() ? "multifd" : "main", d.bytesSent(),
          d.stopCopyEstimate(), rate("device " + d.deviceId(), t, d.bytesSent())));
    }
    List<ChannelRow> channels = new ArrayList<>();
    channels.add(new ChannelRow("main", info.mainChannelBytes(),
        rate("channel main", t, info.mainChannelBytes())));
    List<Long> multifd = info.multifdChannelBytes();
    for (int i = 0; i < multifd.size(); i++) {
      channels.add(new ChannelRow(Integer.toString(i), multifd.get(i),
          rate("channel " + i, t, multifd.get(i))));
    }
    return new Frame(info.migrationId(), info.status(), t, info.totalBytes(),
        rate("total", t, info.totalBytes()), devices, channels);
  }

  private double rate(String key, long timeMs, long bytes) {
    Deque<Sample> window = samples.computeIfAbsent(key, k -> new ArrayDeque<>());
    if (window.isEmpty() || timeMs > window.peekLast().timeMs()) {
      window.addLast(new Sample(timeMs, bytes));
    }
    // Keep one sample at or before the window start so the rate always spans a full window.
    while (window.size() > 2) {
      Sample second = window.stream().skip(1).findFirst().orElseThrow();
      if (timeMs - second.timeMs() < WINDOW_MS) {
        break;
      }
      window.pollFirst();
    }
    Sample first = window.peekFirst();
    Sample last = window.peekLast();
    long dt = last.timeMs() - first.timeMs();
    return dt <= 0 ? 0 : (last.bytes() - first.bytes()) * 1000.0 / dt;
  }
}

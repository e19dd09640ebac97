package io.ferry.app.progress;

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
 * sent against what it will send in all (its precopy bytes plus its stop-copy size), per channel
 * the bytes carried, the precopy figures, and rates. Rates are taken over the last second of the
 * migration's own clock, each figure at the time the snapshot says it was true ({@link
 * ProgressSnapshot#devicesAtMs()}, {@code mainAtMs}, {@code multifdAtMs}), so neither polling
 * jitter nor figures of different ages show up as rate noise; the total rate is the sum of the
 * channel rates. Not thread-safe: one display owns one tracker.
 */
public final class ProgressTracker {
  /** Window over which rates are measured, in migration milliseconds. */
  static final long WINDOW_MS = 1000;

  /**
   * One device.
   *
   * @param mode {@code multifd} or {@code main}
   * @param state the VFIO state from the events, or null
   * @param expected what the device will have sent in all (0 while unknown)
   */
  public record DeviceRow(String deviceId, String mode, String state, boolean precopy, long sent,
      long expected, double bytesPerSecond) {
    /** Sent against the expected total, 0..100; 0 while that is unknown (setup). */
    public int percent() {
      if (expected <= 0) {
        return 0;
      }
      return (int) Math.min(100, sent * 100 / expected);
    }
  }

  /** One channel: {@code main} or the multifd channel index. */
  public record ChannelRow(String name, long bytes, double bytesPerSecond) {}

  /** Everything a display shows for one snapshot. */
  public record Frame(UUID migrationId, MigrationStatus status, long elapsedMs, long totalBytes,
      double bytesPerSecond, ProgressSnapshot.Precopy precopy, List<DeviceRow> devices,
      List<ChannelRow> channels) {
    /**
     * The phase as one short text: {@code SETUP}, {@code ACTIVE pass 3}, {@code DEVICE}, or the
     * final status.
     */
    public String phase() {
      if (status == MigrationStatus.ACTIVE && precopy.passes() > 0) {
        return "ACTIVE pass " + precopy.passes();
      }
      return status.name();
    }
  }

  private record Sample(long timeMs, long bytes) {}

  private final Map<String, Deque<Sample>> samples = new HashMap<>();

  /** The frame for {@code s}, with rates from this and the earlier snapshots. */
  public Frame next(ProgressSnapshot s) {
    List<DeviceRow> devices = new ArrayList<>();
    for (ProgressSnapshot.Device d : s.devices()) {
      devices.add(new DeviceRow(d.deviceId(), d.multifd() ? "multifd" : "main", d.state(),
          d.precopy(), d.sent(), d.expectedTotal(),
          rate("device " + d.deviceId(), s.devicesAtMs(), d.sent())));
    }
    List<ChannelRow> channels = new ArrayList<>();
    double total = rate("channel main", s.mainAtMs(), s.mainChannelBytes());
    channels.add(new ChannelRow("main", s.mainChannelBytes(), total));
    List<Long> multifd = s.multifdChannelBytes();
    for (int i = 0; i < multifd.size(); i++) {
      double r = rate("channel " + i, s.multifdAtMs(), multifd.get(i));
      total += r;
      channels.add(new ChannelRow(Integer.toString(i), multifd.get(i), r));
    }
    return new Frame(s.migrationId(), s.status(), s.elapsedMs(), s.totalBytes(), total,
        s.precopy(), devices, channels);
  }

  private double rate(String key, long timeMs, long bytes) {
    Deque<Sample> window = samples.computeIfAbsent(key, k -> new ArrayDeque<>());
    if (timeMs < 0) {
      return 0;
    }
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

package io.ferry.app.progress;

import io.ferry.engine.coordinator.MigrationEvent;
import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.coordinator.MigrationStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What {@link EventProgressFeed} knows of one migration, merged from its events and from polled
 * snapshots ({@code GetMigration}), and the {@link ProgressSnapshot} it makes of that. Where each
 * figure comes from:
 *
 * <ul>
 *   <li>status: {@code StatusChanged} events; a poll only if it is newer than the last event;
 *   <li>channel bytes: {@code ChannelProgress} events (main and multifd group); a poll only for a
 *       group no event has reported yet. A group sends an event at most every 100 ms while it
 *       moves bytes and none while idle, so a group silent for {@link #IDLE_MS} is taken to be
 *       idle: its bytes are still current at the newest time;
 *   <li>precopy passes, precopy bytes, pending bytes, bandwidth, threshold, expected downtime:
 *       {@code PrecopyPass} events (precopy bytes are the sum of the passes), so the pass count is
 *       that of finished passes; polls only until the first event. The downtime limit comes
 *       from the polls (it can change while the migration runs, {@code ferry set-downtime}),
 *       else threshold / bandwidth;
 *   <li>per-device bytes, precopy bytes and stop-copy size, and the transfer mode: the polls
 *       (the events carry channel totals only), with the poll's own migration time for rates;
 *   <li>device states: {@code DeviceStateChanged} events.
 * </ul>
 *
 * Not thread-safe: owned by the feed's following thread.
 */
final class EventProgressState {
  /** A channel group without an event for this long has not moved. */
  static final long IDLE_MS = 250;

  private final UUID migrationId;
  private MigrationStatus status = MigrationStatus.NONE;
  private long statusAtMs = -1;
  private long elapsedMs;
  private long mainBytes;
  private long mainAtMs = -1;
  private boolean mainFromEvents;
  private List<Long> multifdBytes = List.of();
  private long multifdAtMs = -1;
  private boolean multifdFromEvents;
  private ProgressSnapshot.Precopy precopy = ProgressSnapshot.Precopy.NONE;
  private boolean precopyFromEvents;
  private boolean eventsFlowing;
  private long polledDowntimeLimitMs = -1;
  private List<MigrationInfo.DeviceReport> devices = List.of();
  private long devicesAtMs = -1;
  private final Map<String, String> states = new LinkedHashMap<>();
  private boolean polled;

  EventProgressState(UUID migrationId) {
    this.migrationId = migrationId;
  }

  /** True once a poll has answered: before that, the devices are not known. */
  boolean polled() {
    return polled;
  }

  MigrationStatus status() {
    return status;
  }

  /** Applies an event of this migration (not {@code Ended}, which ends the follow). */
  void apply(MigrationEvent event) {
    if (!event.migrationId().equals(migrationId)) {
      throw new IllegalArgumentException("event of migration " + event.migrationId()
          + " applied to " + migrationId);
    }
    elapsedMs = Math.max(elapsedMs, event.atMs());
    eventsFlowing = true;
    if (event instanceof MigrationEvent.StatusChanged s) {
      if (s.atMs() >= statusAtMs) {
        status = s.to();
        statusAtMs = s.atMs();
      }
    } else if (event instanceof MigrationEvent.PrecopyPass p) {
      if (!precopyFromEvents || p.pass() > precopy.passes()) {
        if (!precopyFromEvents) {
          precopy = ProgressSnapshot.Precopy.NONE;
          precopyFromEvents = true;
        }
        precopy = new ProgressSnapshot.Precopy(p.pass(), precopy.bytes() + p.bytesSent(),
            p.pendingBytes(), p.bandwidthBytesPerSecond(), p.expectedDowntimeMs(),
            p.thresholdBytes(), limitFrom(p.thresholdBytes(), p.bandwidthBytesPerSecond()));
      }
    } else if (event instanceof MigrationEvent.ChannelProgress c) {
      if (c.role().equals("main")) {
        mainBytes = c.totalBytes();
        mainAtMs = c.atMs();
        mainFromEvents = true;
      } else {
        multifdBytes = c.channelBytes();
        multifdAtMs = c.atMs();
        multifdFromEvents = true;
      }
    } else if (event instanceof MigrationEvent.DeviceStateChanged d) {
      states.put(d.deviceId(), d.state());
    }
  }

  /** Applies a polled snapshot of this migration. */
  void apply(MigrationInfo info) {
    polled = true;
    long t = info.totalTimeMs();
    elapsedMs = Math.max(elapsedMs, t);
    if (t > statusAtMs) {
      status = info.status();
      statusAtMs = t;
    }
    if (!mainFromEvents) {
      mainBytes = info.mainChannelBytes();
      mainAtMs = t;
    }
    if (!multifdFromEvents) {
      multifdBytes = info.multifdChannelBytes();
      multifdAtMs = t;
    }
    MigrationInfo.PrecopyStats p = info.precopy();
    if (!eventsFlowing && p.passes() > precopy.passes()) {
      // While a pass runs, a poll counts it (passes started); an event only once it is done:
      // with events, only theirs count.
      precopy = ProgressSnapshot.precopy(p);
    }
    if (p.downtimeLimitMs() >= 0) {
      polledDowntimeLimitMs = p.downtimeLimitMs();
    }
    devices = info.devices();
    devicesAtMs = t;
  }

  /** The display's view of everything applied so far. */
  ProgressSnapshot snapshot() {
    List<ProgressSnapshot.Device> rows = new ArrayList<>();
    for (MigrationInfo.DeviceReport d : devices) {
      rows.add(ProgressSnapshot.device(d, states.get(d.deviceId())));
    }
    ProgressSnapshot.Precopy p = precopy;
    if (polledDowntimeLimitMs >= 0 && p.downtimeLimitMs() != polledDowntimeLimitMs) {
      p = new ProgressSnapshot.Precopy(p.passes(), p.bytes(), p.pendingBytes(),
          p.bandwidthBytesPerSecond(), p.expectedDowntimeMs(), p.thresholdBytes(),
          polledDowntimeLimitMs);
    }
    return new ProgressSnapshot(migrationId, status, elapsedMs, mainBytes, current(mainAtMs),
        multifdBytes, current(multifdAtMs), p, rows, devicesAtMs);
  }

  /** The final snapshot: the final info, with the device states from the events. */
  ProgressSnapshot last(MigrationInfo info) {
    return ProgressSnapshot.of(info, states);
  }

  /** The time a channel figure holds at: its event's, or now if the group has been idle. */
  private long current(long atMs) {
    return atMs < 0 || elapsedMs - atMs > IDLE_MS ? elapsedMs : atMs;
  }

  private long limitFrom(long threshold, long bandwidth) {
    if (polledDowntimeLimitMs >= 0) {
      return polledDowntimeLimitMs;
    }
    return bandwidth > 0 && threshold >= 0 ? Math.round(threshold * 1000.0 / bandwidth) : -1;
  }
}

package io.ferry.app.progress;

import static io.ferry.app.TestingInfos.running;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.app.TestingInfos;
import io.ferry.engine.coordinator.MigrationEvent;
import io.ferry.engine.coordinator.MigrationEvent.ChannelProgress;
import io.ferry.engine.coordinator.MigrationEvent.DeviceStateChanged;
import io.ferry.engine.coordinator.MigrationEvent.Ended;
import io.ferry.engine.coordinator.MigrationEvent.PrecopyPass;
import io.ferry.engine.coordinator.MigrationEvent.StatusChanged;
import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.coordinator.MigrationStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The event feed against hand-made event sequences: no actor system, no node. */
class EventProgressFeedTest {
  private static final long MIB = 1 << 20;
  private static final UUID ID = TestingInfos.ID;
  private static final UUID OTHER = UUID.fromString("3c0c1a2e-0000-4000-8000-0000000000ff");

  /** A display that records what it was shown, read by the test thread. */
  private static final class Recording implements ProgressDisplay {
    final List<ProgressSnapshot> shown = new CopyOnWriteArrayList<>();

    @Override
    public void update(ProgressSnapshot snapshot) {
      shown.add(snapshot);
    }

    @Override
    public void close() {}

    List<MigrationStatus> statuses() {
      List<MigrationStatus> out = new ArrayList<>();
      for (ProgressSnapshot s : shown) {
        if (out.isEmpty() || out.get(out.size() - 1) != s.status()) {
          out.add(s.status());
        }
      }
      return out;
    }

    void awaitSnapshots(int n) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (shown.size() < n) {
        assertTrue(System.nanoTime() < deadline, "no snapshot shown in time");
        Thread.sleep(2);
      }
    }
  }

  private static EventProgressFeed feed(EventProgressFeed.Inbox inbox, AtomicInteger polls,
      CompletableFuture<MigrationInfo> end) {
    PollingProgressFeed.Poll poll = () -> {
      polls.incrementAndGet();
      return CompletableFuture.completedFuture(running(MigrationStatus.SETUP, 10, 0));
    };
    return new EventProgressFeed(inbox, ID, poll, "akka://n@127.0.0.1:1", Duration.ofSeconds(30),
        Duration.ofSeconds(1), end);
  }

  private static CompletableFuture<MigrationInfo> followAsync(EventProgressFeed feed,
      ProgressDisplay display) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return feed.follow(display);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  @Test
  void eventsOfTheMigrationDriveTheDisplayInOrderAndEndedEndsTheFollow() throws Exception {
    AtomicBoolean unsubscribed = new AtomicBoolean();
    EventProgressFeed.Inbox inbox = new EventProgressFeed.Inbox(() -> unsubscribed.set(true));
    // Subscribed before the start: events may arrive before the feed knows the id.
    inbox.offer(new StatusChanged(OTHER, 0, MigrationStatus.NONE, MigrationStatus.SETUP));
    inbox.offer(new StatusChanged(ID, 0, MigrationStatus.NONE, MigrationStatus.SETUP));
    AtomicInteger polls = new AtomicInteger();
    Recording display = new Recording();
    CompletableFuture<MigrationInfo> result = followAsync(feed(inbox, polls, null), display);
    display.awaitSnapshots(1);
    assertEquals(MigrationStatus.SETUP, display.shown.get(0).status());
    assertEquals(2, display.shown.get(0).devices().size(), "devices come from the poll");

    MigrationInfo last = TestingInfos.completedWithPrecopy();
    List<MigrationEvent> events = List.of(
        new StatusChanged(ID, 100, MigrationStatus.SETUP, MigrationStatus.ACTIVE),
        new DeviceStateChanged(ID, 101, "gpu0", "PRE_COPY"),
        new DeviceStateChanged(ID, 101, "nic0", "RUNNING"),
        new ChannelProgress(ID, 150, "main", List.of(100 * MIB), 100 * MIB),
        new PrecopyPass(ID, 200, 1, 512 * MIB, 600 * MIB, 1000 * MIB, 300 * MIB, 600),
        // Another migration of the same node: it fails and ends, this one goes on.
        new StatusChanged(OTHER, 210, MigrationStatus.SETUP, MigrationStatus.FAILED),
        new Ended(OTHER, 220, TestingInfos.failed("other")),
        new PrecopyPass(ID, 400, 2, 512 * MIB, 70 * MIB, 900 * MIB, 270 * MIB, 78),
        new StatusChanged(ID, 450, MigrationStatus.ACTIVE, MigrationStatus.DEVICE),
        new DeviceStateChanged(ID, 460, "gpu0", "STOP_COPY"),
        new ChannelProgress(ID, 600, "multifd", List.of(32 * MIB, 32 * MIB), 64 * MIB),
        new StatusChanged(ID, 700, MigrationStatus.DEVICE, MigrationStatus.COMPLETED),
        new Ended(ID, 710, last));
    for (MigrationEvent e : events) {
      inbox.offer(e);
    }
    assertSame(last, result.get(5, TimeUnit.SECONDS));
    assertEquals(List.of(MigrationStatus.SETUP, MigrationStatus.ACTIVE, MigrationStatus.DEVICE,
        MigrationStatus.COMPLETED), display.statuses());
    for (ProgressSnapshot s : display.shown) {
      assertEquals(ID, s.migrationId());
    }
    ProgressSnapshot atSwitchover = display.shown.stream()
        .filter(s -> s.status() == MigrationStatus.DEVICE).findFirst().orElseThrow();
    assertEquals(2, atSwitchover.precopy().passes());
    assertEquals(1024 * MIB, atSwitchover.precopy().bytes(), "the sum of the passes");
    assertEquals(70 * MIB, atSwitchover.precopy().pendingBytes());
    assertEquals(78, atSwitchover.precopy().expectedDowntimeMs());
    assertEquals(300, atSwitchover.precopy().downtimeLimitMs(), "270 MiB at 900 MiB/s");
    assertEquals(100 * MIB, atSwitchover.mainChannelBytes());
    ProgressSnapshot end = display.shown.get(display.shown.size() - 1);
    assertEquals(MigrationStatus.COMPLETED, end.status());
    assertEquals("STOP_COPY", end.devices().get(0).state(), "states stay on the final snapshot");
    assertEquals("RUNNING", end.devices().get(1).state());
    // The first poll, and one per status change (the interval, 30 s, never passes): fewer if
    // changes came while a poll was in flight.
    assertTrue(polls.get() >= 2 && polls.get() <= 4, polls + " polls");
    assertFalse(unsubscribed.get(), "the caller owns the subscription");
    inbox.close();
    assertTrue(unsubscribed.get());
  }

  @Test
  void theEndNotificationEndsTheFollowWhenNoEndedEventComes() throws Exception {
    EventProgressFeed.Inbox inbox = new EventProgressFeed.Inbox(() -> {});
    CompletableFuture<MigrationInfo> end = new CompletableFuture<>();
    Recording display = new Recording();
    CompletableFuture<MigrationInfo> result =
        followAsync(feed(inbox, new AtomicInteger(), end), display);
    display.awaitSnapshots(1);
    MigrationInfo last = TestingInfos.completed(TestingInfos.DIGEST);
    end.complete(last);
    assertSame(last, result.get(5, TimeUnit.SECONDS));
    assertEquals(MigrationStatus.COMPLETED,
        display.shown.get(display.shown.size() - 1).status());
  }

  @Test
  void aChannelGroupWithoutEventsIsIdleAndPollsDoNotOverrideEvents() {
    EventProgressState state = new EventProgressState(ID);
    state.apply(new StatusChanged(ID, 0, MigrationStatus.NONE, MigrationStatus.SETUP));
    state.apply(new ChannelProgress(ID, 1000, "main", List.of(10 * MIB), 10 * MIB));
    state.apply(new ChannelProgress(ID, 1100, "multifd", List.of(MIB, MIB), 2 * MIB));
    ProgressSnapshot s = state.snapshot();
    assertEquals(1000, s.mainAtMs(), "100 ms without an event: still moving");
    state.apply(new ChannelProgress(ID, 1400, "multifd", List.of(2 * MIB, 2 * MIB), 4 * MIB));
    s = state.snapshot();
    assertEquals(1400, s.mainAtMs(), "400 ms without an event: idle, its bytes current");
    assertEquals(10 * MIB, s.mainChannelBytes());
    // A poll (older figures for the channels, a pass in progress) changes neither.
    MigrationInfo polled = running(MigrationStatus.ACTIVE, 1450, 3 * MIB);
    state.apply(polled);
    s = state.snapshot();
    assertEquals(10 * MIB, s.mainChannelBytes());
    assertEquals(List.of(2 * MIB, 2 * MIB), s.multifdChannelBytes());
    assertEquals(MigrationStatus.ACTIVE, s.status(), "the poll is newer than the last status");
    assertEquals(1450, s.devicesAtMs());
    assertEquals(3 * MIB, s.devices().get(0).sent());
  }
}

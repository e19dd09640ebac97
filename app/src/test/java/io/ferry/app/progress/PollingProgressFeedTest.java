package io.ferry.app.progress;

import static io.ferry.app.TestingInfos.completed;
import static io.ferry.app.TestingInfos.running;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.app.CliException;
import io.ferry.app.TestingInfos;
import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.coordinator.MigrationStatus;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class PollingProgressFeedTest {
  private static final Duration TICK = Duration.ofMillis(5);

  /** A display that records what it was shown. */
  private static final class Recording implements ProgressDisplay {
    final List<ProgressSnapshot> shown = new ArrayList<>();

    @Override
    public void update(ProgressSnapshot snapshot) {
      shown.add(snapshot);
    }

    @Override
    public void close() {}
  }

  private static PollingProgressFeed.Poll answers(MigrationInfo... infos) {
    Deque<MigrationInfo> queue = new ArrayDeque<>(List.of(infos));
    return () -> CompletableFuture.completedFuture(queue.size() > 1 ? queue.poll() : queue.peek());
  }

  @Test
  void withoutAnEndNotificationTheFirstFinalSnapshotIsTheResult() throws Exception {
    MigrationInfo done = completed(TestingInfos.DIGEST);
    Recording display = new Recording();
    MigrationInfo result = new PollingProgressFeed(
        answers(running(MigrationStatus.SETUP, 10, 0), running(MigrationStatus.DEVICE, 200, 5),
            done),
        "n", TestingInfos.ID, TICK, Duration.ofSeconds(1), null).follow(display);
    assertSame(done, result);
    assertEquals(3, display.shown.size());
  }

  @Test
  void theEndNotificationIsPreferredOverPolledSnapshots() throws Exception {
    MigrationInfo fromNotification = completed(TestingInfos.DIGEST);
    CompletableFuture<MigrationInfo> end = new CompletableFuture<>();
    PollingProgressFeed.Poll poll = () -> {
      end.complete(fromNotification);
      return CompletableFuture.completedFuture(running(MigrationStatus.DEVICE, 100, 1));
    };
    Recording display = new Recording();
    MigrationInfo result =
        new PollingProgressFeed(poll, "n", TestingInfos.ID, TICK, Duration.ofSeconds(1), end)
            .follow(display);
    assertSame(fromNotification, result);
    ProgressSnapshot last = display.shown.get(display.shown.size() - 1);
    assertEquals(MigrationStatus.COMPLETED, last.status());
    assertEquals(fromNotification.totalTimeMs(), last.elapsedMs());
  }

  @Test
  void aNodeThatDoesNotAnswerEndsTheFollowWithOneClearError() {
    PollingProgressFeed.Poll silent = CompletableFuture::new;
    CliException e = assertThrows(CliException.class,
        () -> new PollingProgressFeed(silent, "akka://n@127.0.0.1:1", TestingInfos.ID, TICK,
            Duration.ofMillis(50), null).follow(ProgressDisplay.NONE));
    assertTrue(e.getMessage().startsWith("no answer from node akka://n@127.0.0.1:1 within 50 ms"),
        e.getMessage());
  }

  @Test
  void anIdUnknownForLongerThanTheGraceIsAnError() {
    PollingProgressFeed.Poll unknown = () -> CompletableFuture.completedFuture(null);
    long start = System.nanoTime();
    CliException e = assertThrows(CliException.class,
        () -> new PollingProgressFeed(unknown, "n", TestingInfos.ID, Duration.ofMillis(100),
            Duration.ofSeconds(1), null).follow(ProgressDisplay.NONE));
    assertTrue(e.getMessage().contains("does not know migration " + TestingInfos.ID),
        e.getMessage());
    assertTrue(System.nanoTime() - start >= PollingProgressFeed.FORGET_GRACE.toNanos());
  }
}

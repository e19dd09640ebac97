package io.ferry.devices.model.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DirtyingWorkloadTest {

  @Test
  void writesFollowTheRateIncludingFractionsAcrossCalls() {
    DirtyingWorkload w = new DirtyingWorkload(1000, 0, 0, 100, 100, 1);
    List<Integer> pages = new ArrayList<>();
    w.start(0);
    assertEquals(0, w.advance(50_000_000L, pages::add), "50 ms = 50 bytes, no full page yet");
    assertEquals(0, w.advance(99_000_000L, pages::add));
    assertEquals(1, w.advance(100_000_000L, pages::add), "100 ms = 100 bytes = 1 page");
    assertEquals(10, w.advance(1_100_000_000L, pages::add));
    assertEquals(11, pages.size());
    assertEquals(11, w.pageWrites());
  }

  @Test
  void nothingIsWrittenWhileStoppedAndTimeStoppedDoesNotCount() {
    DirtyingWorkload w = new DirtyingWorkload(1000, 0, 0, 100, 100, 1);
    assertEquals(0, w.advance(5_000_000_000L, p -> {}), "not started");
    w.start(5_000_000_000L);
    assertEquals(10, w.advance(6_000_000_000L, p -> {}));
    w.stop();
    assertEquals(0, w.advance(60_000_000_000L, p -> {}));
    w.start(60_000_000_000L);
    assertEquals(10, w.advance(61_000_000_000L, p -> {}));
  }

  @Test
  void theHotSetReceivesItsShare() {
    DirtyingWorkload w = new DirtyingWorkload(100_000, 0.1, 0.8, 1000, 1, 9);
    int[] hits = new int[1000];
    w.start(0);
    long total = 0;
    for (int step = 1; step <= 40; step++) {
      total += w.advance(step * 25_000_000L, p -> hits[p]++);
    }
    assertEquals(100_000, total);
    assertEquals(100, w.hotCount());
    int hot = 0;
    for (int p = w.hotStart(); p < w.hotStart() + w.hotCount(); p++) {
      hot += hits[p];
    }
    double share = hot / 100_000.0;
    // 80 % aimed at the hot set plus the 10 % of uniform writes that land in it
    assertTrue(Math.abs(share - 0.82) < 0.01, "hot share " + share);
  }

  @Test
  void aBurstAfterALongPauseIsCapped() {
    DirtyingWorkload w = new DirtyingWorkload(1L << 40, 0, 0, 10, 4096, 1);
    w.start(0);
    assertEquals(1024, w.advance(3_600_000_000_000L, p -> {}));
  }

  @Test
  void parametersAreValidated() {
    assertThrows(IllegalArgumentException.class, () -> new DirtyingWorkload(-1, 0, 0, 1, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new DirtyingWorkload(1, 1.5, 0, 1, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new DirtyingWorkload(1, 0, -0.1, 1, 1, 1));
  }
}

package io.ferry.devices.model.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
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

  /**
   * A pause owing 20 000 writes to 1 000 pages (above the 4 000-write burst threshold) is applied
   * in full as per-page counts: cold pages expect 0.1 × 20 000 / 1 000 = 2 hits, so 1 − e^-2 = 86 %
   * of them are written (clamping the burst at 4 000 writes left 1 − e^-0.4 = 33 %), hot pages 182.
   */
  @Test
  void aLongPauseIsAppliedInFullAsPerPageHitCounts() {
    DirtyingWorkload w = new DirtyingWorkload(20_000, 0.1, 0.9, 1000, 1, 4);
    int[] hits = new int[1000];
    w.start(0);
    long applied = w.advance(1_000_000_000L, p -> hits[p]++);
    assertEquals(Arrays.stream(hits).asLongStream().sum(), applied);
    assertEquals(applied, w.pageWrites());
    assertTrue(Math.abs(applied - 20_000) < 600, "about the owed writes: " + applied);
    int coldWritten = 0;
    long hotHits = 0;
    for (int p = 0; p < 1000; p++) {
      boolean hot = p >= w.hotStart() && p < w.hotStart() + w.hotCount();
      if (hot) {
        assertTrue(hits[p] > 100, "hot page " + p + ": " + hits[p]);
        hotHits += hits[p];
      } else if (hits[p] > 0) {
        coldWritten++;
      }
    }
    double cold = coldWritten / 900.0;
    assertTrue(Math.abs(cold - (1 - Math.exp(-2))) < 0.04, "cold pages written " + cold);
    assertTrue(Math.abs(hotHits / 100.0 - 182) < 10, "hot hits per page " + hotHits / 100.0);
  }

  @Test
  void aHugePauseCostsOneDrawPerPageAndWritesEveryPage() {
    DirtyingWorkload w = new DirtyingWorkload(1L << 40, 0, 0, 10, 4096, 1);
    long[] hits = new long[10];
    w.start(0);
    long applied =
        w.advance(
            3_600_000_000_000L, // one hour at 1 TiB/s: about 10^11 writes per page
            new DirtyingWorkload.PageSink() {
              @Override
              public void dirty(int page) {
                hits[page]++;
              }

              @Override
              public void dirty(int page, int times) {
                hits[page] += times;
              }
            });
    for (long h : hits) {
      assertEquals(Integer.MAX_VALUE, h, "a page's count saturates at the int range");
    }
    assertEquals(10L * Integer.MAX_VALUE, applied);
  }

  @Test
  void writesBelowTheBurstThresholdAreDrawnOneByOne() {
    DirtyingWorkload w = new DirtyingWorkload(4096 * 4096, 0, 0, 1024, 4096, 1);
    List<Integer> pages = new ArrayList<>();
    w.start(0);
    assertEquals(4096, w.advance(1_000_000_000L, pages::add), "4 x pages: still single writes");
    assertEquals(4096, pages.size());
  }

  @Test
  void parametersAreValidated() {
    assertThrows(IllegalArgumentException.class, () -> new DirtyingWorkload(-1, 0, 0, 1, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new DirtyingWorkload(1, 1.5, 0, 1, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new DirtyingWorkload(1, 0, -0.1, 1, 1, 1));
  }
}

package io.ferry.engine.reassembly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class CreditWindowTest {
  private static final long C = CreditWindow.cost(1000);

  @Test
  void aSourceMaySendExactlyTheWindowAndNotOneChunkMore() throws Exception {
    CreditWindow w = new CreditWindow("dev", 4 * C);
    for (int i = 0; i < 4; i++) {
      w.received(1000);
    }
    var e = assertThrows(ReassemblyException.class, () -> w.received(1000));
    assertEquals("dev: source sent beyond its credit: expected at most " + 4 * C
        + " credit bytes received, got " + 5 * C + " (window " + 4 * C + ")", e.getMessage());
  }

  @Test
  void loadedBytesAreGrantedBackInQuarterWindowBatches() throws Exception {
    CreditWindow w = new CreditWindow("dev", 8 * C);
    w.received(1000);
    w.received(1000);
    w.received(1000);
    assertEquals(0, w.loaded(1000));
    assertEquals(2 * C, w.loaded(1000));
    assertEquals(10 * C, w.granted());
    w.received(1000); // allowed again: granted grew
  }

  @Test
  void flushGrantsWhatIsLeftSoAnIdleDeviceNeverHoldsCreditBack() throws Exception {
    CreditWindow w = new CreditWindow("dev", 8 * C);
    w.received(1000);
    assertEquals(0, w.loaded(1000));
    assertEquals(C, w.flush());
    assertEquals(0, w.flush());
  }

  @Test
  void theGrantedTotalBoundsWhatIsOutstandingByTheWindow() throws Exception {
    // Whatever the interleaving, received - loaded never exceeds the window.
    CreditWindow w = new CreditWindow("dev", 5 * C);
    long loaded = 0;
    java.util.Random r = new java.util.Random(3);
    long inFlight = 0;
    for (int step = 0; step < 10_000; step++) {
      if (r.nextBoolean() && w.received() + C <= w.granted()) {
        w.received(1000);
        inFlight += C;
      } else if (inFlight > 0) {
        w.loaded(1000);
        inFlight -= C;
        loaded += C;
        if (r.nextInt(10) == 0) {
          w.flush();
        }
      }
      org.junit.jupiter.api.Assertions.assertTrue(w.received() - loaded <= 5 * C);
    }
  }
}

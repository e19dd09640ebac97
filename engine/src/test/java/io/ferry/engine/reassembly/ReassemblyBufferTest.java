package io.ferry.engine.reassembly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.util.ByteString;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReassemblyBufferTest {
  private static ByteString data(long i) {
    return ByteString.fromString("chunk-" + i);
  }

  @Test
  void releasesChunksInIndexOrderWhateverTheArrivalOrder() throws Exception {
    for (long seed = 0; seed < 50; seed++) {
      ReassemblyBuffer b = new ReassemblyBuffer("dev", 1 << 20);
      List<Long> order = new ArrayList<>();
      for (long i = 0; i <= 20; i++) {
        order.add(i);
      }
      Collections.shuffle(order, new Random(seed));
      List<Long> released = new ArrayList<>();
      for (long i : order) {
        b.offer(i, i == 20, data(i));
        ReassemblyBuffer.Chunk c;
        while ((c = b.pollNext()) != null) {
          assertEquals(data(c.index()), c.data());
          released.add(c.index());
        }
      }
      assertEquals(21, released.size());
      for (int i = 0; i < released.size(); i++) {
        assertEquals(i, released.get(i));
      }
      assertTrue(b.complete());
      assertEquals(0, b.queuedBytes());
    }
  }

  @Test
  void aGapHoldsBackEverythingAfterItUntilItIsFilled() throws Exception {
    ReassemblyBuffer b = new ReassemblyBuffer("dev", 1 << 20);
    b.offer(0, false, data(0));
    b.offer(2, false, data(2));
    b.offer(3, true, data(3));
    assertEquals(0, b.pollNext().index());
    assertNull(b.pollNext());
    assertEquals("dev: chunk 1 never arrived: expected indexes 1..3, got 2 of 3", b.missing());
    b.offer(1, false, data(1));
    assertEquals(1, b.pollNext().index());
    assertEquals(2, b.pollNext().index());
    assertEquals(3, b.pollNext().index());
    assertTrue(b.complete());
    assertNull(b.missing());
  }

  @Test
  void refusesADuplicateWhetherQueuedOrAlreadyReleased() throws Exception {
    ReassemblyBuffer b = new ReassemblyBuffer("dev", 1 << 20);
    b.offer(0, false, data(0));
    b.offer(1, false, data(1));
    var queued = assertThrows(ReassemblyException.class, () -> b.offer(1, false, data(1)));
    assertEquals("dev: chunk 1: duplicate index (already received; next expected 0)",
        queued.getMessage());
    b.pollNext();
    var released = assertThrows(ReassemblyException.class, () -> b.offer(0, false, data(0)));
    assertEquals("dev: chunk 0: duplicate index (already received; next expected 1)",
        released.getMessage());
  }

  @Test
  void refusesDataAfterTheConfigChunkAndASecondConfig() throws Exception {
    ReassemblyBuffer b = new ReassemblyBuffer("dev", 1 << 20);
    b.offer(2, true, data(2));
    var after = assertThrows(ReassemblyException.class, () -> b.offer(3, false, data(3)));
    assertEquals("dev: chunk 3: data after the config chunk: expected index <= 2, got 3",
        after.getMessage());
    var second = assertThrows(ReassemblyException.class, () -> b.offer(1, true, data(1)));
    assertEquals("dev: chunk 1: second config chunk: expected one at index 2, got another at 1",
        second.getMessage());
  }

  @Test
  void refusesAConfigIndexBelowADataIndexAlreadyReceived() throws Exception {
    ReassemblyBuffer b = new ReassemblyBuffer("dev", 1 << 20);
    b.offer(5, false, data(5));
    var e = assertThrows(ReassemblyException.class, () -> b.offer(4, true, data(4)));
    assertEquals("dev: chunk 4: config chunk must have the last index: expected > 5, got 4",
        e.getMessage());
  }

  @Test
  void theByteCapIsNeverExceededAndAFailedOfferChangesNothing() throws Exception {
    int chunk = 1000;
    long cap = 3L * (chunk + ReassemblyBuffer.PER_CHUNK_OVERHEAD);
    ReassemblyBuffer b = new ReassemblyBuffer("dev", cap);
    ByteString payload = ByteString.fromArray(new byte[chunk]);
    b.offer(1, false, payload);
    b.offer(2, false, payload);
    b.offer(3, false, payload);
    var e = assertThrows(ReassemblyException.class, () -> b.offer(4, false, payload));
    assertEquals("dev: chunk 4: queued bytes would exceed the cap: expected <= " + cap + ", got "
        + (cap + chunk + ReassemblyBuffer.PER_CHUNK_OVERHEAD), e.getMessage());
    assertEquals(cap, b.queuedBytes());
    assertEquals(3, b.queuedChunks());
    assertEquals(1, b.pollNext() == null ? 1 : 0);
    assertFalse(b.complete());
  }

  @Test
  void tinyChunksAreChargedTheirOverheadSoAFloodCannotOutgrowTheCap() throws Exception {
    long cap = 100 * ReassemblyBuffer.PER_CHUNK_OVERHEAD;
    ReassemblyBuffer b = new ReassemblyBuffer("dev", cap);
    int accepted = 0;
    try {
      for (long i = 1; i < 1_000_000; i++) {
        b.offer(i * 1000, false, ByteString.fromArray(new byte[1]));
        accepted++;
      }
    } catch (ReassemblyException expected) {
      // the cap stops the flood
    }
    assertTrue(accepted < 100, "accepted " + accepted);
  }

  @Test
  void aDeviceThatNeverGetsItsConfigIsNamedInTheMissingReport() throws Exception {
    ReassemblyBuffer b = new ReassemblyBuffer("gpu0", 1 << 20);
    b.offer(0, false, data(0));
    b.pollNext();
    assertEquals("gpu0: never received its config chunk (next expected index 1, 0 chunks queued, "
        + "highest data index 0)", b.missing());
  }
}

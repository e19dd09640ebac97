package io.ferry.devices.model.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PageContentTest {

  /** Reference generator written from the definition: lane j & 3, output then step. */
  private static byte[] reference(long key, int length) {
    long[] lanes = new long[4];
    for (int l = 0; l < 4; l++) {
      lanes[l] = PageContent.laneSeed(key, l);
    }
    byte[] out = new byte[length];
    for (int i = 0; i < length; i += 8) {
      int j = i >>> 3;
      long w = lanes[j & 3];
      lanes[j & 3] = PageContent.next(w);
      for (int b = 0; b < 8 && i + b < length; b++) {
        out[i + b] = (byte) (w >>> (8 * b));
      }
    }
    return out;
  }

  /** Reference hash from the definition: XOR of rotl(word j, j), last word zero-padded. */
  private static long referenceHash(byte[] page) {
    long h = 0;
    for (int i = 0; i < page.length; i += 8) {
      long w = 0;
      for (int b = 0; b < 8 && i + b < page.length; b++) {
        w |= (page[i + b] & 0xffL) << (8 * b);
      }
      h ^= Long.rotateLeft(w, i >>> 3);
    }
    return h;
  }

  private static byte[] generate(
      long key, int length, int[] chunks, boolean direct, ByteOrder order) {
    ByteBuffer dst =
        direct ? ByteBuffer.allocateDirect(length + 3) : ByteBuffer.allocate(length + 3);
    dst.order(order);
    dst.position(3); // unaligned start
    PageContent.Generator g = new PageContent.Generator();
    g.start(key, length);
    int c = 0;
    while (g.remaining() > 0) {
      int n = chunks[c++ % chunks.length];
      assertEquals(Math.min(n, g.remaining() + 0), g.emit(dst, n), "emit count");
    }
    assertEquals(order, dst.order(), "byte order restored");
    byte[] out = new byte[length];
    dst.position(3);
    dst.get(out);
    return out;
  }

  @Test
  void generatorMatchesTheDefinitionForAnyChunkingBufferKindAndOrder() {
    SplittableRandom r = new SplittableRandom(7);
    int[] lengths = {0, 1, 7, 8, 9, 31, 32, 33, 63, 64, 65, 100, 4095, 4096, 65536};
    for (int length : lengths) {
      long key = r.nextLong();
      byte[] expected = reference(key, length);
      int[][] chunkings = {
        {Integer.MAX_VALUE}, {1}, {3, 5, 7}, {8}, {31, 1, 64, 9}, {r.nextInt(1, 200)}
      };
      for (int[] chunks : chunkings) {
        for (boolean direct : new boolean[] {false, true}) {
          for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
            assertArrayEquals(
                expected,
                generate(key, length, chunks, direct, order),
                "length " + length + " chunks " + java.util.Arrays.toString(chunks));
          }
        }
      }
    }
  }

  @Test
  void closedFormHashEqualsTheHashOfTheBytesForEveryLength() {
    SplittableRandom r = new SplittableRandom(11);
    for (int length = 0; length <= 200; length++) {
      long key = r.nextLong();
      byte[] page = reference(key, length);
      assertEquals(
          referenceHash(page),
          PageContent.ClosedForm.forLength(length).hash(key),
          "length " + length);
    }
    for (int length : new int[] {4095, 4096, 4097, 65536, 65536 + 24, 1 << 20}) {
      long key = r.nextLong();
      assertEquals(
          referenceHash(reference(key, length)),
          PageContent.ClosedForm.forLength(length).hash(key),
          "length " + length);
    }
  }

  @Test
  void streamingHasherEqualsTheReferenceForAnySplit() {
    SplittableRandom r = new SplittableRandom(13);
    for (int length : new int[] {1, 7, 8, 13, 64, 1000, 65536}) {
      byte[] page = reference(r.nextLong(), length);
      for (int trial = 0; trial < 5; trial++) {
        PageContent.Hasher h = new PageContent.Hasher();
        h.reset();
        ByteBuffer src = ByteBuffer.wrap(page);
        while (src.hasRemaining()) {
          int n = Math.min(src.remaining(), trial == 0 ? 1 : r.nextInt(1, 300));
          h.update(src, n);
        }
        assertEquals(referenceHash(page), h.finish(), "length " + length + " trial " + trial);
      }
    }
  }

  @Test
  void everySingleBitFlipChangesThePageHash() {
    byte[] page = reference(42, 1000);
    long h = referenceHash(page);
    for (int bit = 0; bit < page.length * 8; bit++) {
      page[bit >>> 3] ^= (byte) (1 << (bit & 7));
      PageContent.Hasher hasher = new PageContent.Hasher();
      hasher.update(ByteBuffer.wrap(page), page.length);
      assertNotEquals(h, hasher.finish(), "bit " + bit);
      page[bit >>> 3] ^= (byte) (1 << (bit & 7));
    }
  }

  @Test
  void contentDependsOnSeedPageAndVersion() {
    long k = PageContent.pageKey(1, 5, 0);
    assertNotEquals(k, PageContent.pageKey(2, 5, 0));
    assertNotEquals(k, PageContent.pageKey(1, 6, 0));
    assertNotEquals(k, PageContent.pageKey(1, 5, 1));
    assertEquals(k, PageContent.pageKey(1, 5, 0));
  }
}

package io.ferry.devices.model.synthetic;

import io.ferry.devices.model.framing.Bytes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Deterministic page content of the synthetic device and its 64-bit page hash.
 *
 * <p><b>Content.</b> Page {@code p} at version {@code v} of a device seeded with {@code seed} is a
 * sequence of little-endian 64-bit words {@code w[0..]} produced by four interleaved xorshift64
 * (13, 7, 17) generators: word {@code j} is the {@code (j >>> 2)}-th output of lane {@code j & 3},
 * and the lane seeds are SplitMix64 mixes of {@link #pageKey(long, long, int)}. A page whose length
 * is not a multiple of 8 ends with the low bytes of its last word. Four independent lanes give the
 * JIT enough instruction-level parallelism to generate well above 3 GiB/s on one core.
 *
 * <p><b>Hash.</b> {@code H(page) = XOR over j of rotl(w[j], j mod 64)}, where the last partial word
 * is zero-padded. A destination computes it from the bytes it receives ({@link Hasher}). A source
 * never needs the bytes: xorshift64 and rotation are linear over GF(2), so {@code H} is a fixed
 * linear map of the four lane seeds, precomputed once per page length as byte-sliced tables ({@link
 * ClosedForm}). That makes dirtying a page O(1) however large the page is, and the source digest a
 * function of the device's own state (seed, page, version), never of what it streamed.
 *
 * <p>H detects every single-bit error and random corruption with probability 1 - 2^-64; being
 * linear it is no defence against a deliberate adversary (the stream's CRC32C and the record
 * structure add independent checks).
 */
public final class PageContent {

  private static final long GOLDEN = 0x9E3779B97F4A7C15L;
  private static final int CACHE_ENTRIES = 64;
  private static final Map<Integer, ClosedForm> CACHE =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, ClosedForm> eldest) {
          return size() > CACHE_ENTRIES;
        }
      };

  private PageContent() {}

  /** The key of page {@code page} at version {@code version} for device seed {@code seed}. */
  public static long pageKey(long seed, long page, int version) {
    long a = Bytes.mix64(seed + GOLDEN * (page + 1));
    return Bytes.mix64(a ^ (version * 0xD6E8FEB86659FD93L + 0x2545F4914F6CDD1DL));
  }

  /** The seed of lane {@code lane} (0..3) for a page key; never zero. */
  static long laneSeed(long key, int lane) {
    long s = Bytes.mix64(key + (lane + 1) * 0xBF58476D1CE4E5B9L);
    return s != 0 ? s : GOLDEN;
  }

  /** One xorshift64 (13, 7, 17) step. */
  static long next(long x) {
    x ^= x << 13;
    x ^= x >>> 7;
    return x ^ (x << 17);
  }

  /** The closed-form hash of page {@code page} at {@code version}, {@code length} bytes long. */
  public static long hash(long seed, long page, int version, int length) {
    return ClosedForm.forLength(length).hash(pageKey(seed, page, version));
  }

  /**
   * Writes one page's content into buffers in caller-sized pieces, split at any byte. Not
   * thread-safe; one instance per stream.
   */
  public static final class Generator {
    private long l0;
    private long l1;
    private long l2;
    private long l3;
    private int length;
    private int offset;

    /** Starts the page with key {@code key} and {@code length} bytes. */
    public void start(long key, int length) {
      if (length < 0) {
        throw new IllegalArgumentException("length must be >= 0, got " + length);
      }
      l0 = laneSeed(key, 0);
      l1 = laneSeed(key, 1);
      l2 = laneSeed(key, 2);
      l3 = laneSeed(key, 3);
      this.length = length;
      this.offset = 0;
    }

    /** Bytes of the page not yet emitted. */
    public int remaining() {
      return length - offset;
    }

    private long lane(int l) {
      switch (l) {
        case 0:
          return l0;
        case 1:
          return l1;
        case 2:
          return l2;
        default:
          return l3;
      }
    }

    private void advance(int l) {
      switch (l) {
        case 0:
          l0 = next(l0);
          break;
        case 1:
          l1 = next(l1);
          break;
        case 2:
          l2 = next(l2);
          break;
        default:
          l3 = next(l3);
          break;
      }
    }

    /**
     * Writes the next {@code min(max, dst.remaining(), remaining())} bytes at {@code
     * dst.position()} and advances the position. The buffer's byte order is restored.
     *
     * @return the number of bytes written
     */
    public int emit(ByteBuffer dst, int max) {
      int n = Math.min(Math.min(max, dst.remaining()), length - offset);
      if (n <= 0) {
        return 0;
      }
      ByteOrder saved = dst.order();
      dst.order(ByteOrder.LITTLE_ENDIAN);
      try {
        int pos = dst.position();
        final int end = pos + n;
        int b = offset & 7;
        if (b != 0) {
          // finish a word that an earlier call split
          int l = (offset >>> 3) & 3;
          long w = lane(l);
          int take = Math.min(8 - b, n);
          for (int i = 0; i < take; i++) {
            dst.put(pos + i, (byte) (w >>> ((b + i) << 3)));
          }
          pos += take;
          offset += take;
          if ((offset & 7) == 0) {
            advance(l);
          }
        }
        while (end - pos >= 8 && ((offset >>> 3) & 3) != 0) {
          int l = (offset >>> 3) & 3;
          dst.putLong(pos, lane(l));
          advance(l);
          pos += 8;
          offset += 8;
        }
        int blocks = (end - pos) >>> 5;
        if (blocks > 0) {
          long a = l0;
          long c = l1;
          long d = l2;
          long e = l3;
          final int stop = pos + (blocks << 5);
          for (; pos < stop; pos += 32) {
            dst.putLong(pos, a);
            dst.putLong(pos + 8, c);
            dst.putLong(pos + 16, d);
            dst.putLong(pos + 24, e);
            a ^= a << 13;
            c ^= c << 13;
            d ^= d << 13;
            e ^= e << 13;
            a ^= a >>> 7;
            c ^= c >>> 7;
            d ^= d >>> 7;
            e ^= e >>> 7;
            a ^= a << 17;
            c ^= c << 17;
            d ^= d << 17;
            e ^= e << 17;
          }
          l0 = a;
          l1 = c;
          l2 = d;
          l3 = e;
          offset += blocks << 5;
        }
        while (end - pos >= 8) {
          int l = (offset >>> 3) & 3;
          dst.putLong(pos, lane(l));
          advance(l);
          pos += 8;
          offset += 8;
        }
        if (end > pos) {
          // the first bytes of a word; the rest follows in the next call or the page ends here
          long w = lane((offset >>> 3) & 3);
          int k = end - pos;
          for (int i = 0; i < k; i++) {
            dst.put(pos + i, (byte) (w >>> (i << 3)));
          }
          offset += k;
        }
        dst.position(end);
        return n;
      } finally {
        dst.order(saved);
      }
    }
  }

  /** Computes {@code H} over page bytes delivered in pieces split at any byte. Not thread-safe. */
  public static final class Hasher {
    private static final int BULK_WORDS = 64;
    private final long[] scratch = new long[1024];
    private long h;
    private int word;
    private long partial;
    private int partialBytes;

    /** Starts a new page. */
    public void reset() {
      h = 0;
      word = 0;
      partial = 0;
      partialBytes = 0;
    }

    /** Hashes the next {@code n} bytes of {@code src} from its position and advances it. */
    public void update(ByteBuffer src, int n) {
      ByteOrder saved = src.order();
      src.order(ByteOrder.LITTLE_ENDIAN);
      try {
        int pos = src.position();
        final int end = pos + n;
        while (partialBytes != 0 && pos < end) {
          partial |= (src.get(pos++) & 0xffL) << (partialBytes << 3);
          if (++partialBytes == 8) {
            h ^= Long.rotateLeft(partial, word++);
            partial = 0;
            partialBytes = 0;
          }
        }
        long hh = h;
        int j = word;
        int words = (end - pos) >>> 3;
        if (words >= BULK_WORDS) {
          // a bulk copy into a long[] is about twice as fast as one getLong per word
          ByteBuffer view = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
          view.limit(pos + (words << 3)).position(pos);
          LongBuffer longs = view.asLongBuffer();
          long[] w = scratch;
          while (longs.hasRemaining()) {
            int k = Math.min(longs.remaining(), w.length);
            longs.get(w, 0, k);
            for (int i = 0; i < k; i++) {
              hh ^= Long.rotateLeft(w[i], j++);
            }
          }
          pos += words << 3;
        }
        for (; end - pos >= 8; pos += 8) {
          hh ^= Long.rotateLeft(src.getLong(pos), j++);
        }
        h = hh;
        word = j;
        while (pos < end) {
          partial |= (src.get(pos++) & 0xffL) << (partialBytes << 3);
          partialBytes++;
        }
        src.position(end);
      } finally {
        src.order(saved);
      }
    }

    /** The hash of the bytes given since {@link #reset()}. */
    public long finish() {
      return partialBytes == 0 ? h : h ^ Long.rotateLeft(partial, word);
    }
  }

  /**
   * {@code H} as a linear map of the four lane seeds for one page length, stored as byte-sliced
   * tables (4 lanes x 8 bytes x 256 entries), so that {@link #hash} costs 32 table reads.
   */
  public static final class ClosedForm {
    private final int length;
    private final long[][] tables;

    private ClosedForm(int length) {
      this.length = length;
      this.tables = new long[4][];
      int fullWords = length >>> 3;
      int partialBytes = length & 7;
      long mask = partialBytes == 0 ? 0 : (1L << (partialBytes << 3)) - 1;
      for (int l = 0; l < 4; l++) {
        int count = fullWords > l ? (fullWords - l + 3) >>> 2 : 0;
        boolean ownsPartial = partialBytes != 0 && (fullWords & 3) == l;
        long[] columns = new long[64];
        for (int bit = 0; bit < 64; bit++) {
          long x = 1L << bit;
          long acc = 0;
          for (int t = 0; t < count; t++) {
            acc ^= Long.rotateLeft(x, 4 * t + l);
            x = next(x);
          }
          if (ownsPartial) {
            acc ^= Long.rotateLeft(x & mask, fullWords);
          }
          columns[bit] = acc;
        }
        long[] table = new long[8 * 256];
        for (int k = 0; k < 8; k++) {
          for (int v = 1; v < 256; v++) {
            table[(k << 8) | v] =
                table[(k << 8) | (v & (v - 1))]
                    ^ columns[(k << 3) + Integer.numberOfTrailingZeros(v)];
          }
        }
        tables[l] = table;
      }
    }

    /** The (cached) closed form for pages of {@code length} bytes. */
    public static ClosedForm forLength(int length) {
      if (length < 0) {
        throw new IllegalArgumentException("length must be >= 0, got " + length);
      }
      synchronized (CACHE) {
        ClosedForm f = CACHE.get(length);
        if (f == null) {
          f = new ClosedForm(length);
          CACHE.put(length, f);
        }
        return f;
      }
    }

    /** The page length this form is for. */
    public int length() {
      return length;
    }

    /** {@code H} of the page with key {@code key}. */
    public long hash(long key) {
      long h = 0;
      for (int l = 0; l < 4; l++) {
        long s = laneSeed(key, l);
        long[] t = tables[l];
        for (int k = 0; k < 8; k++) {
          h ^= t[(k << 8) | ((int) (s >>> (k << 3)) & 0xff)];
        }
      }
      return h;
    }
  }
}

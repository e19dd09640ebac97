package io.ferry.devices.model.synthetic;

import static io.ferry.devices.model.MigrationState.PRE_COPY;
import static io.ferry.devices.model.MigrationState.STOP;
import static io.ferry.devices.model.MigrationState.STOP_COPY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.devices.model.DeviceDigest;
import io.ferry.devices.model.DeviceException;
import io.ferry.devices.model.Pipe;
import io.ferry.devices.model.PrecopyInfo;
import io.ferry.devices.model.ReadResult;
import io.ferry.devices.model.Role;
import io.ferry.devices.model.SavingStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Precopy under a running workload: every page reaches the destination whole and at its last
 * version (the digest the source reports at stop is the one the destination computes), and the
 * dirty bytes, pending bytes and stop-copy length are exactly what is still to be sent.
 *
 * <p>Time is a manual clock. Where time must also pass <em>inside</em> a call (as the real clock
 * does during a state change), the clock ticks on every read of it.
 */
class SyntheticPrecopyDirtyingTest {

  private static final long MIB = 1 << 20;

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  /** The engine's 64 MiB pass budget, scaled to the test devices. */
  private static final long PASS_BYTES = 8 * MIB;

  private static SyntheticDevice.Builder gpu(long size, int pageSize, LongSupplier clock) {
    return SyntheticDevice.builder("gpu0")
        .size(size)
        .pageSize(pageSize)
        .seed(5)
        .precopy(true)
        .dirtyRate(512 * MIB)
        .hotFraction(1.0)
        .clock(clock);
  }

  private static SyntheticDevice destinationFor(SyntheticDevice src) {
    return SyntheticDevice.builder(src.deviceId())
        .size(src.geometry().size())
        .pageSize(src.geometry().pageSize())
        .precopy(true)
        .p2p((src.features() & 2) != 0)
        .dirtyRate(512 * MIB)
        .hotFraction(1.0)
        .role(Role.DESTINATION)
        .build();
  }

  /**
   * One engine pass: reads of {@code readSize} until {@code maxBytes} or a temporary end, the
   * manual clock advancing {@code nanosPerRead} after each read; returns the bytes read.
   */
  private long pass(
      SavingStream s, int readSize, long maxBytes, long nanosPerRead, ByteArrayOutputStream out)
      throws DeviceException {
    long sent = 0;
    ByteBuffer buf = ByteBuffer.allocate(readSize);
    while (sent < maxBytes) {
      buf.clear();
      if (maxBytes - sent < readSize) {
        buf.limit((int) (maxBytes - sent));
      }
      ReadResult r = s.read(buf);
      if (!(r instanceof ReadResult.Data d) || d.bytes() == 0) {
        break;
      }
      out.write(buf.array(), 0, d.bytes());
      sent += d.bytes();
      now.addAndGet(nanosPerRead);
    }
    return sent;
  }

  /** STOP_COPY to the end, checks stopCopyLength at entry; appends to {@code out}. */
  private static void stopCopyToEnd(
      SyntheticDevice src, SavingStream s, int readSize, ByteArrayOutputStream out)
      throws DeviceException {
    assertTrue(src.setState(STOP_COPY).isEmpty(), "same session");
    long left = src.stopCopyLength();
    byte[] tail = Pipe.readToEnd(s, Pipe.fixed(readSize));
    assertEquals(left, tail.length, "stopCopyLength at STOP_COPY entry vs bytes read");
    out.writeBytes(tail);
  }

  /** Loads {@code stream} into a fresh destination and checks its digest against the source's. */
  private static void loadAndCompare(SyntheticDevice src, DeviceDigest atStop, byte[] stream)
      throws DeviceException {
    try (SyntheticDevice dst = destinationFor(src)) {
      // RESUMING -> STOP validates CRC32C, page hashes against versions, and the trailer digest
      Pipe.load(dst, new Pipe.Saved(stream, src.saveConfig(), atStop), Pipe.random(11, 70_000));
      assertEquals(STOP, dst.state());
      assertTrue(atStop.matches(dst.digest()), atStop.describeMismatch(dst.digest()));
      for (int p = 0; p < src.geometry().pageCount(); p++) {
        assertEquals(src.pageVersion(p), dst.pageVersion(p), "page " + p);
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // Every page whole and at its last version

  /**
   * The end-to-end report (64 MiB, 512 MiB/s, hot-fraction 1.0, about 8 passes, then STOP_COPY to
   * EOF), scaled down: reads at 1 GiB/s, then a state change during which time passes, as it does
   * on the real clock. The writes the workload applies when it stops, after the PRE_COPY(_P2P) ->
   * STOP_COPY arc, used to change the source's state (and its trailer digest) without being queued,
   * so the destination failed RESUMING -> STOP with "state digest expected ... (source), got ...
   * (received)".
   */
  @ParameterizedTest(name = "reads of {0} B, p2p {1}")
  @CsvSource({"1048576, true", "1048576, false", "4093, true", "65561, false"})
  void precopyPassesThenStopCopyDeliverTheSourceStateExactly(int readSize, boolean p2p)
      throws Exception {
    AtomicLong tick = new AtomicLong(); // added to the clock on every read of it
    SyntheticDevice src = gpu(8 * MIB, 64 << 10, () -> now.addAndGet(tick.get())).p2p(p2p).build();
    SavingStream s = (SavingStream) src.setState(PRE_COPY).orElseThrow();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long nanosPerRead = readSize * 1_000_000_000L / (1L << 30);
    for (int i = 0; i < 8; i++) {
      pass(s, readSize, PASS_BYTES, nanosPerRead, out);
      s.precopyInfo();
      src.stopCopyLength();
    }
    assertTrue(src.stats().pagesResent() > 0, src.stats().toString());
    long writesBeforeArc = src.stats().pageWrites();
    tick.set(10_000_000L); // 10 ms per clock read = 80 page writes at 512 MiB/s, 64 KiB pages
    stopCopyToEnd(src, s, readSize, out);
    tick.set(0);
    assertTrue(
        src.stats().pageWrites() - writesBeforeArc >= 160,
        "writes before and after the arc's steps: " + src.stats());
    DeviceDigest atStop = src.digest();
    now.addAndGet(10_000_000_000L);
    assertEquals(atStop, src.digest(), "no dirtying once stopped");
    src.setState(STOP);
    loadAndCompare(src, atStop, out.toByteArray());
  }

  /**
   * A one-page device: every write of the workload hits the page whose record is being read, in the
   * middle of it (reads of 4093 B, a 65 560 B record). Each record must carry the content of the
   * version in its header, and the page must be queued again, so versions strictly increase and the
   * last record carries the final version.
   */
  @Test
  void aWriteInTheMiddleOfARecordNeitherTearsItNorIsLost() throws Exception {
    int page = 64 << 10;
    SyntheticDevice src = gpu(page, page, now::get).build();
    SavingStream s = (SavingStream) src.setState(PRE_COPY).orElseThrow();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    // 150 us per read at 512 MiB/s = 1.2 page writes per read
    assertEquals(6 * MIB, pass(s, 4093, 6 * MIB, 150_000L, out), "never a temporary end");
    int versionAtLastRead = src.pageVersion(0);
    assertTrue(versionAtLastRead > 90, "writes landed in every record: " + versionAtLastRead);
    long rest = pass(s, 4093, Long.MAX_VALUE, 0, out); // the clock stops: drain
    assertTrue(rest > 0);
    assertEquals(new PrecopyInfo(0, 0), s.precopyInfo());
    stopCopyToEnd(src, s, 4093, out);
    DeviceDigest atStop = src.digest();
    src.setState(STOP);
    byte[] stream = out.toByteArray();
    Prefix sent = Prefix.parse(stream, src.geometry());
    assertEquals(src.pageVersion(0), sent.version[0], "the last record has the last version");
    assertTrue(sent.records > 90, "records " + sent.records);
    loadAndCompare(src, atStop, stream);
  }

  // ------------------------------------------------------------------------------------------
  // Dirty accounting

  /**
   * After a complete first pass with the clock stopped, the clock runs for T: W = R·T / page
   * uniform page writes (with replacement) dirty N·(1 − (1 − 1/N)^W) distinct pages, that is about
   * R·T while R·T is small against the size and about the size once R·T is several times it.
   * precopyInfo and stopCopyLength report exactly those pages, and STOP_COPY then sends exactly
   * stopCopyLength bytes.
   */
  @ParameterizedTest(name = "R·T = {0}/64 of the size")
  @CsvSource({"4", "64", "512"})
  void aUniformWorkloadDirtiesTheExpectedDistinctPagesAndTheyAreReportedExactly(int sixtyFourths)
      throws Exception {
    int pageSize = 4096;
    int pages = 1024;
    long rate = 64 * MIB;
    SyntheticDevice src = gpu((long) pages * pageSize, pageSize, now::get).dirtyRate(rate).build();
    SavingStream s = (SavingStream) src.setState(PRE_COPY).orElseThrow();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    pass(s, 1 << 20, Long.MAX_VALUE, 0, out);
    assertEquals(new PrecopyInfo(0, 0), s.precopyInfo());
    assertEquals(SyntheticFormat.TRAILER_BYTES, src.stopCopyLength());

    long bytesWritten = (long) pages * pageSize * sixtyFourths / 64; // R·T
    now.addAndGet(bytesWritten * 1_000_000_000L / rate);
    long writes = bytesWritten / pageSize;
    PrecopyInfo info = s.precopyInfo();
    long applied = src.stats().pageWrites();
    if (writes <= 4 * pages) {
      assertEquals(writes, applied, "R·T / page writes, one by one");
    } else {
      // a burst above 4 × pages is drawn as per-page counts: the total matches on average
      assertTrue(Math.abs(applied - writes) < 0.03 * writes, "about R·T / page: " + applied);
    }
    int distinct = 0;
    for (int p = 0; p < pages; p++) {
      if (src.pageVersion(p) > 0) {
        distinct++;
      }
    }
    long record = SyntheticFormat.RECORD_HEADER_BYTES + pageSize;
    assertEquals(new PrecopyInfo(0, distinct * record), info, "dirty bytes = distinct pages");
    assertEquals(distinct * record + SyntheticFormat.TRAILER_BYTES, src.stopCopyLength());
    double expected = pages * (1 - Math.pow(1 - 1.0 / pages, writes));
    assertTrue(
        Math.abs(distinct - expected) <= 0.03 * pages,
        "distinct pages " + distinct + ", expected about " + expected + " for " + writes);
    double rtBytes = Math.min(bytesWritten, (double) pages * pageSize);
    double distinctBytes = (double) distinct * pageSize;
    if (sixtyFourths <= 4) {
      assertTrue(distinctBytes >= 0.95 * rtBytes, "about R·T: " + distinctBytes);
    } else if (sixtyFourths >= 512) {
      assertTrue(distinctBytes >= 0.99 * rtBytes, "about the size: " + distinctBytes);
    }
    stopCopyToEnd(src, s, 1 << 20, out);
    DeviceDigest atStop = src.digest();
    src.setState(STOP);
    loadAndCompare(src, atStop, out.toByteArray());
  }

  /**
   * At every cut of the stream (inside the header, a record header, a page, after the first pass,
   * inside a resent page), stopCopyLength in PRE_COPY is exactly what STOP_COPY then sends: unsent
   * + dirty + the rest of the record in flight + the trailer; precopyInfo's pending is that minus
   * the trailer.
   */
  @Test
  void stopCopyLengthInPrecopyIsExactlyWhatStopCopySends() throws Exception {
    int pageSize = 4096;
    long size = 8L * pageSize + 100;
    long record = SyntheticFormat.RECORD_HEADER_BYTES + pageSize;
    long firstPass = SyntheticFormat.HEADER_BYTES + 8 * record + 24 + 100;
    long[] cuts = {0, 10, 64, 64 + 5, 64 + 24 + 1000, 64 + 3 * record + 23, firstPass};
    for (long cut : cuts) {
      for (boolean rewrite : new boolean[] {false, true}) {
        SyntheticDevice src = gpu(size, pageSize, now::get).dirtyRate(0).build();
        SavingStream s = (SavingStream) src.setState(PRE_COPY).orElseThrow();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        pass(s, 977, cut, 0, out);
        if (rewrite) {
          src.writePage(0); // sent unless cut < first record
          src.writePage(5);
        }
        if (rewrite && cut == firstPass) {
          pass(s, 977, 64 + 24 + 1000, 0, out); // into the resent page 0
        }
        PrecopyInfo info = s.precopyInfo();
        long predicted = src.stopCopyLength();
        assertEquals(info.pendingBytes() + SyntheticFormat.TRAILER_BYTES, predicted);
        src.setState(STOP_COPY);
        long sent = Pipe.readToEnd(s, Pipe.fixed(4093)).length;
        assertEquals(predicted, sent, "cut at " + cut + ", rewrite " + rewrite);
      }
    }
  }

  /**
   * An oracle independent of the model's bookkeeping: after every pass of a running workload, the
   * stream read so far says which version of each page was sent and how much of the record in
   * flight is missing; pending = that rest + every page whose version differs from the one sent +
   * the trailer. stopCopyLength and precopyInfo must both say exactly that.
   */
  @Test
  void pendingMatchesWhatTheStreamSoFarLacksAfterEveryPass() throws Exception {
    int pageSize = 4096;
    SyntheticDevice src = gpu(4 * MIB + 1000, pageSize, now::get).hotFraction(0.25).build();
    SavingStream s = (SavingStream) src.setState(PRE_COPY).orElseThrow();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    // reads of 100 003 B at 1 GiB/s: about half as many page writes as records read
    long nanosPerRead = 100_003L * 1_000_000_000L / (1L << 30);
    for (int round = 0; round < 12; round++) {
      pass(s, 100_003, 3 * MIB + round * 4099, nanosPerRead, out);
      src.tick(); // the writes owed since the last read, before the oracle looks at the versions
      Prefix.completeRecordHeader(s, out, src.geometry());
      Prefix sent = Prefix.parse(out.toByteArray(), src.geometry());
      long expected = sent.inFlightRemaining + SyntheticFormat.TRAILER_BYTES;
      for (int p = 0; p < src.geometry().pageCount(); p++) {
        if (src.pageVersion(p) != sent.version[p]) {
          expected += src.geometry().recordBytes(p);
        }
      }
      assertEquals(expected, src.stopCopyLength(), "round " + round);
      assertEquals(expected - SyntheticFormat.TRAILER_BYTES, s.precopyInfo().pendingBytes());
    }
    assertTrue(src.stats().precopyPasses() >= 3, src.stats().toString());
    stopCopyToEnd(src, s, 100_003, out);
    DeviceDigest atStop = src.digest();
    src.setState(STOP);
    loadAndCompare(src, atStop, out.toByteArray());
  }

  /**
   * Why pending can fall although the device dirties about as fast as it is read: a write to a page
   * that is already dirty adds nothing. With uniform writes at w pages/s and dirty records read at
   * b records/s, the dirty set k settles where new dirt equals what is read, w·(1 − k/N) = b, so
   * k/N ≈ 1 − b/w: about 3/4 of the device at B = D/4, 1/2 at B = D/2, and it drains to the few
   * pages written since the last read once B > D.
   */
  @ParameterizedTest(name = "read bandwidth = dirty rate / {0}")
  @CsvSource({"4, 0.75", "2, 0.5"})
  void theDirtySetSettlesAtOneMinusReadOverDirtyRate(int divisor, double fraction)
      throws Exception {
    int pageSize = 4096;
    long size = 4 * MIB;
    long rate = 512 * MIB;
    SyntheticDevice src = gpu(size, pageSize, now::get).build();
    SavingStream s = (SavingStream) src.setState(PRE_COPY).orElseThrow();
    long bandwidth = rate / divisor;
    long nanosPerRead = (64 << 10) * 1_000_000_000L / bandwidth;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    double min = 1;
    double max = 0;
    for (int round = 0; round < 12; round++) {
      assertEquals(size, pass(s, 64 << 10, size, nanosPerRead, out), "no temporary end");
      out.reset();
      if (round >= 4) {
        double f = (double) s.precopyInfo().dirtyBytes() / src.geometry().recordBytesFrom(0);
        min = Math.min(min, f);
        max = Math.max(max, f);
      }
    }
    assertTrue(
        min > fraction - 0.08 && max < fraction + 0.08,
        "dirty fraction in [" + min + ", " + max + "], expected about " + fraction);

    // B = 2D: every read finds the few pages written since the previous one, nothing more
    SyntheticDevice fast = gpu(size, pageSize, now::get).build();
    SavingStream f = (SavingStream) fast.setState(PRE_COPY).orElseThrow();
    long fastRead = (64 << 10) * 1_000_000_000L / (rate * 2);
    for (int round = 0; round < 8; round++) {
      pass(f, 64 << 10, size, fastRead, out);
      out.reset();
    }
    long dirty = f.precopyInfo().dirtyBytes();
    assertTrue(dirty < 0.02 * size, "B = 2D drains the device: dirty " + dirty);
  }

  /** The versions a stream prefix sent, and the bytes missing from the record in flight. */
  private static final class Prefix {
    final int[] version;
    long inFlightRemaining;
    int records;

    private Prefix(int pages) {
      version = new int[pages];
      Arrays.fill(version, -1);
    }

    /** Parses {@code s}, whose last record header (if any) is complete. */
    static Prefix parse(byte[] s, SyntheticGeometry g) {
      Prefix r = new Prefix(g.pageCount());
      if (s.length < SyntheticFormat.HEADER_BYTES) {
        r.inFlightRemaining = SyntheticFormat.HEADER_BYTES - s.length;
        return r;
      }
      ByteBuffer b = ByteBuffer.wrap(s).order(ByteOrder.LITTLE_ENDIAN);
      long off = SyntheticFormat.HEADER_BYTES;
      while (off < s.length) {
        int o = (int) off;
        assertEquals(SyntheticFormat.TAG_PAGE, b.getInt(o), "record at " + o);
        int p = (int) b.getLong(o + 8);
        int v = b.getInt(o + 16);
        assertTrue(v > r.version[p], "page " + p + " version " + v + " after " + r.version[p]);
        r.version[p] = v;
        r.records++;
        long end = off + SyntheticFormat.RECORD_HEADER_BYTES + b.getInt(o + 4);
        if (end > s.length) {
          r.inFlightRemaining = end - s.length;
          break;
        }
        off = end;
        if (s.length - off == SyntheticFormat.TRAILER_BYTES
            && b.getInt((int) off) == SyntheticFormat.TAG_TRAILER) {
          break;
        }
      }
      return r;
    }

    /**
     * If the prefix ends inside a record header, reads exactly the rest of it (the clock does not
     * move, so the state does not change) so that the record in flight is known.
     */
    static void completeRecordHeader(SavingStream s, ByteArrayOutputStream out, SyntheticGeometry g)
        throws DeviceException {
      byte[] bytes = out.toByteArray();
      ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      long off = SyntheticFormat.HEADER_BYTES;
      while (off + SyntheticFormat.RECORD_HEADER_BYTES <= bytes.length) {
        off += SyntheticFormat.RECORD_HEADER_BYTES + b.getInt((int) off + 4);
      }
      if (off < bytes.length) {
        ByteBuffer rest =
            ByteBuffer.allocate((int) (off + SyntheticFormat.RECORD_HEADER_BYTES - bytes.length));
        ReadResult r = s.read(rest);
        assertEquals(new ReadResult.Data(rest.capacity()), r);
        out.write(rest.array(), 0, rest.capacity());
      }
    }
  }
}

package io.ferry.devices.model.synthetic;

import static io.ferry.devices.model.MigrationState.PRE_COPY;
import static io.ferry.devices.model.MigrationState.PRE_COPY_P2P;
import static io.ferry.devices.model.MigrationState.RESUMING;
import static io.ferry.devices.model.MigrationState.RUNNING;
import static io.ferry.devices.model.MigrationState.RUNNING_P2P;
import static io.ferry.devices.model.MigrationState.STOP;
import static io.ferry.devices.model.MigrationState.STOP_COPY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.devices.model.DeviceDigest;
import io.ferry.devices.model.DeviceException;
import io.ferry.devices.model.Errno;
import io.ferry.devices.model.Pipe;
import io.ferry.devices.model.PrecopyInfo;
import io.ferry.devices.model.ReadResult;
import io.ferry.devices.model.ResumingStream;
import io.ferry.devices.model.Role;
import io.ferry.devices.model.SavingStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SyntheticDeviceTest {

  private static final int PAGE = 4096;

  /** A manual clock in nanoseconds. */
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  private SyntheticDevice.Builder device(long size) {
    return SyntheticDevice.builder("syn0").size(size).pageSize(PAGE).seed(77).clock(now::get);
  }

  private SyntheticDevice destinationFor(SyntheticDevice src) {
    return SyntheticDevice.builder(src.deviceId())
        .size(src.geometry().size())
        .pageSize(src.geometry().pageSize())
        .precopy((src.features() & 4) != 0)
        .p2p((src.features() & 2) != 0)
        .role(Role.DESTINATION)
        .build();
  }

  private static int data(ReadResult r) {
    assertTrue(r instanceof ReadResult.Data, "expected data, got " + r);
    return ((ReadResult.Data) r).bytes();
  }

  @Test
  void stopCopyStreamsHeaderPagesAndTrailerThenEndOfStreamForever() throws Exception {
    SyntheticDevice d = device(10 * PAGE + 100).build();
    SavingStream s = (SavingStream) d.setState(STOP_COPY).orElseThrow();
    assertEquals(
        new ReadResult.Data(0), s.read(ByteBuffer.allocate(0)), "a full buffer reads 0 bytes");
    long expected = d.geometry().fullStreamLength();
    assertEquals(64 + 10 * (24 + PAGE) + (24 + 100) + 64, expected);
    assertEquals(expected, d.stopCopyLength());
    byte[] all = Pipe.readToEnd(s, Pipe.fixed(1 << 20));
    assertEquals(expected, all.length);
    ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals("FRYSYNTH", new String(all, 0, 8, java.nio.charset.StandardCharsets.US_ASCII));
    assertEquals(PAGE, b.getInt(16));
    assertEquals(11, b.getInt(20));
    assertEquals(10 * PAGE + 100, b.getLong(24));
    assertEquals(77, b.getLong(32));
    int trailer = all.length - 64;
    assertEquals("TRLR", new String(all, trailer, 4, java.nio.charset.StandardCharsets.US_ASCII));
    assertEquals(11, b.getLong(trailer + 8));
    assertEquals(11, b.getLong(trailer + 24), "records");
    assertEquals(trailer, b.getLong(trailer + 32), "stream bytes before the trailer");
    for (int i = 0; i < 3; i++) {
      assertEquals(ReadResult.END_OF_STREAM, s.read(ByteBuffer.allocate(100)));
    }
    assertEquals(0, d.stopCopyLength());
    assertEquals(ReadResult.END_OF_STREAM, s.read(ByteBuffer.allocate(0)));
  }

  @Test
  void precopyReportsTheTemporaryEndDistinctlyFromTheEndOfStopCopy() throws Exception {
    SyntheticDevice d = device(8 * PAGE).precopy(true).build();
    SavingStream s = (SavingStream) d.setState(PRE_COPY).orElseThrow();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long n = Pipe.readToTemporaryEnd(s, Pipe.fixed(5000), out);
    assertEquals(64 + 8 * (24 + PAGE), n);
    assertEquals(ReadResult.NO_DATA_YET, s.read(ByteBuffer.allocate(10)));
    assertEquals(ReadResult.NO_DATA_YET, s.read(ByteBuffer.allocate(10)), "still nothing");
    assertEquals(new PrecopyInfo(0, 0), s.precopyInfo());
    assertEquals(64, d.stopCopyLength(), "only the trailer is left");
    assertTrue(d.setState(PRE_COPY_P2P).isEmpty());
    assertTrue(d.setState(STOP_COPY).isEmpty(), "same session");
    byte[] rest = Pipe.readToEnd(s, Pipe.fixed(7));
    assertEquals(64, rest.length);
    out.write(rest);
    d.setState(STOP);
    try (SyntheticDevice dst = destinationFor(d)) {
      Pipe.load(dst, new Pipe.Saved(out.toByteArray(), d.saveConfig(), null), Pipe.fixed(3000));
      assertTrue(d.digest().matches(dst.digest()));
    }
  }

  @Test
  void theZeroPolicyReportsReadZeroInPrecopyAndDataResumesAfterAWrite() throws Exception {
    SyntheticDevice d =
        device(4 * PAGE).precopy(true).precopyEnd(SyntheticDevice.PrecopyEnd.ZERO).build();
    SavingStream s = (SavingStream) d.setState(PRE_COPY).orElseThrow();
    Pipe.readToTemporaryEnd(s, Pipe.fixed(1 << 20), new ByteArrayOutputStream());
    assertEquals(ReadResult.END_OF_STREAM, s.read(ByteBuffer.allocate(10)));
    d.writePage(2);
    assertEquals(new PrecopyInfo(0, 24 + PAGE), s.precopyInfo());
    assertEquals(24 + PAGE, data(s.read(ByteBuffer.allocate(1 << 20))));
    assertEquals(ReadResult.END_OF_STREAM, s.read(ByteBuffer.allocate(10)));
    d.setState(STOP_COPY);
    assertEquals(64, data(s.read(ByteBuffer.allocate(1 << 20))));
    assertEquals(ReadResult.END_OF_STREAM, s.read(ByteBuffer.allocate(10)));
  }

  @Test
  void precopyInfoAccountsForEveryByteReadAndEveryPageRewritten() throws Exception {
    SyntheticDevice d = device(6 * PAGE + 10).precopy(true).build();
    SavingStream s = (SavingStream) d.setState(PRE_COPY).orElseThrow();
    long initial = 64 + 6 * (24 + PAGE) + 24 + 10;
    assertEquals(new PrecopyInfo(initial, 0), s.precopyInfo());
    long read = 0;
    int[] sizes = {1, 63, 24, 4096, 5, 3001, 8192};
    for (int size : sizes) {
      read += data(s.read(ByteBuffer.allocate(size)));
      PrecopyInfo info = s.precopyInfo();
      assertEquals(initial - read, info.initialBytes(), "after " + read + " bytes");
      assertEquals(0, info.dirtyBytes());
      assertEquals(info.pendingBytes() + 64, d.stopCopyLength());
    }
    // pages 0 and 1 are sent, page 5 is not
    d.writePage(0);
    d.writePage(0);
    d.writePage(5);
    PrecopyInfo info = s.precopyInfo();
    assertEquals(
        initial - read, info.initialBytes(), "an unsent page is sent once, at its new version");
    assertEquals(24 + PAGE, info.dirtyBytes(), "a sent page written twice is queued once");
    ByteArrayOutputStream rest = new ByteArrayOutputStream();
    long more = Pipe.readToTemporaryEnd(s, Pipe.fixed(1000), rest);
    assertEquals(initial - read + 24 + PAGE, more);
    assertEquals(new PrecopyInfo(0, 0), s.precopyInfo());
    assertEquals(2, d.stats().precopyPasses());
    assertEquals(1, d.stats().pagesResent());
    d.setState(STOP_COPY);
    assertEquals(
        Errno.EINVAL,
        assertThrows(DeviceException.class, s::precopyInfo).errno(),
        "precopy info only in PRE_COPY*");
  }

  @Test
  void aPageWrittenWhileItsRecordIsStreamedIsSentAgain() throws Exception {
    SyntheticDevice src = device(3 * PAGE).precopy(true).build();
    SavingStream s = (SavingStream) src.setState(PRE_COPY).orElseThrow();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer b = ByteBuffer.allocate(64 + 24 + 100);
    out.write(b.array(), 0, data(s.read(b)));
    src.writePage(0); // in the middle of page 0's record
    assertEquals(24 + PAGE, s.precopyInfo().dirtyBytes());
    Pipe.readToTemporaryEnd(s, Pipe.fixed(999), out);
    src.setState(STOP_COPY);
    out.write(Pipe.readToEnd(s, Pipe.fixed(999)));
    src.setState(STOP);
    assertEquals(1, src.pageVersion(0));
    try (SyntheticDevice dst = destinationFor(src)) {
      Pipe.load(dst, new Pipe.Saved(out.toByteArray(), src.saveConfig(), null), Pipe.fixed(500));
      assertTrue(src.digest().matches(dst.digest()));
      assertEquals(1, dst.pageVersion(0));
    }
  }

  /** Reads precopy data, advancing the manual clock as a link of {@code bandwidth} B/s would. */
  private int precopyRounds(SavingStream s, long bandwidth, int maxReads, ByteArrayOutputStream out)
      throws DeviceException {
    ByteBuffer buf = ByteBuffer.allocate(64 << 10);
    for (int i = 0; i < maxReads; i++) {
      buf.clear();
      ReadResult r = s.read(buf);
      if (!(r instanceof ReadResult.Data)) {
        return i;
      }
      int n = ((ReadResult.Data) r).bytes();
      out.write(buf.array(), 0, n);
      now.addAndGet(n * 1_000_000_000L / bandwidth);
    }
    return -1;
  }

  @Test
  void aDirtyRateBelowTheBandwidthNeedsSeveralPassesAndConverges() throws Exception {
    SyntheticDevice src =
        device(4 << 20).precopy(true).dirtyRate(8 << 20).hotFraction(0.02).hotShare(0.9).build();
    SavingStream s = (SavingStream) src.setState(PRE_COPY).orElseThrow();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int reads = precopyRounds(s, 256L << 20, 10_000, out);
    assertTrue(reads > 0, "precopy reached a temporary end");
    SyntheticDevice.Stats st = src.stats();
    assertTrue(st.precopyPasses() >= 2, "passes " + st.precopyPasses());
    assertTrue(st.pageWrites() > 0 && st.pagesResent() > 0, st.toString());
    src.setState(PRE_COPY_P2P);
    src.setState(STOP_COPY);
    long left = src.stopCopyLength();
    byte[] tail = Pipe.readToEnd(s, Pipe.fixed(1 << 16));
    assertEquals(left, tail.length);
    out.write(tail);
    DeviceDigest atStop = src.digest();
    now.addAndGet(5_000_000_000L);
    assertEquals(atStop, src.digest(), "no dirtying in STOP_COPY");
    byte[] config = src.saveConfig();
    try (SyntheticDevice dst = destinationFor(src)) {
      Pipe.load(dst, new Pipe.Saved(out.toByteArray(), config, null), Pipe.random(3, 100_000));
      assertTrue(atStop.matches(dst.digest()), atStop.describeMismatch(dst.digest()));
    }
  }

  @Test
  void aDirtyRateAboveTheBandwidthNeverConverges() throws Exception {
    SyntheticDevice src =
        device(2 << 20).precopy(true).dirtyRate(512L << 20).hotFraction(0).build();
    SavingStream s = (SavingStream) src.setState(PRE_COPY).orElseThrow();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long minDirty = Long.MAX_VALUE;
    for (int round = 0; round < 10; round++) {
      assertEquals(-1, precopyRounds(s, 64L << 20, 32, out), "no temporary end in round " + round);
      PrecopyInfo info = s.precopyInfo();
      if (info.initialBytes() == 0) {
        minDirty = Math.min(minDirty, info.dirtyBytes());
      }
    }
    assertTrue(minDirty > (1 << 20) / 2, "dirty bytes stay high: " + minDirty);
    assertTrue(src.stats().precopyPasses() >= 3, src.stats().toString());
    // the engine forces STOP_COPY: the rest arrives within downtime and the copy is still exact
    src.setState(STOP_COPY);
    out.write(Pipe.readToEnd(s, Pipe.fixed(1 << 20)));
    try (SyntheticDevice dst = destinationFor(src)) {
      Pipe.load(
          dst, new Pipe.Saved(out.toByteArray(), src.saveConfig(), null), Pipe.fixed(1 << 20));
      assertTrue(src.digest().matches(dst.digest()));
    }
  }

  @Test
  void dirtyingHappensOnlyInRunningStatesAndFollowsTheRate() throws Exception {
    SyntheticDevice d = device(1 << 20).dirtyRate(4 << 20).hotFraction(0.25).hotShare(1.0).build();
    now.addAndGet(1_000_000_000L);
    assertEquals(1024, d.tick(), "4 MiB/s for 1 s = 1024 page writes of 4 KiB");
    DeviceDigest running = d.digest();
    d.setState(STOP);
    long writes = d.stats().pageWrites();
    now.addAndGet(10_000_000_000L);
    assertEquals(writes, d.stats().pageWrites(), "no dirtying in STOP");
    assertEquals(running, d.digest());
    d.setState(RUNNING_P2P);
    now.addAndGet(500_000_000L);
    assertEquals(writes + 512, d.stats().pageWrites(), "P2P keeps running by default");
    int hot = 0;
    for (int p = 0; p < d.geometry().pageCount(); p++) {
      if (d.pageVersion(p) > 0) {
        hot++;
      }
    }
    assertTrue(hot <= 64, "hot-share 1.0 writes only the hot quarter: " + hot + " pages written");

    SyntheticDevice q = device(1 << 20).dirtyRate(4 << 20).dirtyInP2p(false).build();
    q.setState(RUNNING_P2P);
    now.addAndGet(1_000_000_000L);
    assertEquals(0, q.stats().pageWrites(), "dirty-in-p2p = off");
  }

  @Test
  void theDigestIsKeptCurrentOnEveryWriteAndIsDeterministic() {
    SyntheticDevice a = device(64 * PAGE + 3).build();
    SyntheticDevice b = device(64 * PAGE + 3).build();
    assertEquals(a.digest(), b.digest());
    DeviceDigest before = a.digest();
    a.writePage(64);
    assertNotEquals(before, a.digest());
    b.writePage(63);
    assertNotEquals(a.digest(), b.digest());
    b.writePage(64);
    a.writePage(63);
    assertEquals(a.digest(), b.digest(), "order-independent");
    SyntheticDevice c =
        SyntheticDevice.builder("syn0").size(64 * PAGE + 3).pageSize(PAGE).seed(78).build();
    assertNotEquals(
        device(64 * PAGE + 3).build().digest().stateDigest(), c.digest().stateDigest(), "seed");
    assertEquals(32, a.digest().stateDigest().length());
    assertEquals(SyntheticFormat.DIGEST_ALGORITHM, a.digest().algorithm());
  }

  @Test
  void corruptPageContentIsReportedAtResumingToStopWithThePage() throws Exception {
    SyntheticDevice src = device(8 * PAGE).build();
    Pipe.Saved saved = Pipe.save(src, Pipe.fixed(1 << 20));
    byte[] bad = saved.stream().clone();
    int page3 = 64 + 3 * (24 + PAGE) + 24 + 100;
    bad[page3] ^= 0x40;
    try (SyntheticDevice dst = destinationFor(src)) {
      Pipe.startLoad(dst, bad, Pipe.fixed(777)); // every write is accepted
      dst.loadConfig(saved.config());
      DeviceException e = assertThrows(DeviceException.class, () -> dst.setState(STOP));
      assertEquals(Errno.EINVAL, e.errno());
      assertEquals(RESUMING, dst.state());
      // the stream CRC32C is checked first; both localise the damage
      assertTrue(e.getMessage().contains("CRC32C expected"), e.getMessage());
    }
    // re-sign the CRC so that only the page content check can catch it
    ByteBuffer t = ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(bad, 0, bad.length - 8);
    t.putInt(bad.length - 8, (int) crc.getValue());
    try (SyntheticDevice dst = destinationFor(src)) {
      Pipe.startLoad(dst, bad, Pipe.fixed(777));
      DeviceException e = assertThrows(DeviceException.class, () -> dst.setState(STOP));
      assertTrue(
          e.getMessage().contains("page 3 version 0: content hash expected"), e.getMessage());
    }
  }

  @Test
  void structuralErrorsFailTheWriteWithOffsetAndExpectedVersusActual() throws Exception {
    SyntheticDevice src = device(4 * PAGE).build();
    Pipe.Saved saved = Pipe.save(src, Pipe.fixed(1 << 20));
    byte[] badMagic = saved.stream().clone();
    badMagic[0] = 'X';
    try (SyntheticDevice dst = destinationFor(src)) {
      ResumingStream s = (ResumingStream) dst.setState(RESUMING).orElseThrow();
      DeviceException e =
          assertThrows(DeviceException.class, () -> Pipe.writeAll(s, badMagic, Pipe.fixed(100)));
      assertEquals("stream magic expected 'FRYSYNTH', got 'XRYSYNTH' at offset 0", e.detail());
      assertEquals("syn0", e.deviceId());
      assertThrows(DeviceException.class, () -> s.write(ByteBuffer.allocate(1)), "sticky");
    }
    byte[] badIndex = saved.stream().clone();
    int rec2 = 64 + 2 * (24 + PAGE);
    ByteBuffer.wrap(badIndex).order(ByteOrder.LITTLE_ENDIAN).putLong(rec2 + 8, 99);
    try (SyntheticDevice dst = destinationFor(src)) {
      ResumingStream s = (ResumingStream) dst.setState(RESUMING).orElseThrow();
      DeviceException e =
          assertThrows(DeviceException.class, () -> Pipe.writeAll(s, badIndex, Pipe.fixed(5)));
      assertEquals("page index expected in [0, 4), got 99 in record at offset " + rec2, e.detail());
      DeviceException stop = assertThrows(DeviceException.class, () -> dst.setState(STOP));
      assertTrue(stop.detail().startsWith("invalid stream: page index"), stop.detail());
    }
  }

  @Test
  void anIncompatibleSourceIsRefusedAsSoonAsTheHeaderArrives() throws Exception {
    SyntheticDevice src = device(4 * PAGE).build();
    Pipe.Saved saved = Pipe.save(src, Pipe.fixed(1 << 20));
    try (SyntheticDevice dst =
        SyntheticDevice.builder("syn0")
            .size(5 * PAGE)
            .pageSize(PAGE)
            .role(Role.DESTINATION)
            .build()) {
      ResumingStream s = (ResumingStream) dst.setState(RESUMING).orElseThrow();
      DeviceException e =
          assertThrows(
              DeviceException.class, () -> s.write(ByteBuffer.wrap(saved.stream(), 0, 64)));
      assertEquals(
          "incompatible source: state size expected " + 5 * PAGE + ", got " + 4 * PAGE, e.detail());
    }
    try (SyntheticDevice dst =
        SyntheticDevice.builder("syn0")
            .size(4 * PAGE)
            .pageSize(8192)
            .role(Role.DESTINATION)
            .build()) {
      dst.setState(RESUMING);
      DeviceException e = assertThrows(DeviceException.class, () -> dst.loadConfig(saved.config()));
      assertTrue(e.detail().contains("page size expected 8192, got 4096"), e.detail());
    }
  }

  @Test
  void sizesFromOneByteUpRoundTrip() throws Exception {
    for (long size : new long[] {1, 7, 8, 9, 4095, 4096, 4097, 3 * 4096 + 1}) {
      SyntheticDevice src = device(size).build();
      Pipe.Saved saved = Pipe.save(src, Pipe.fixed(13));
      try (SyntheticDevice dst = destinationFor(src)) {
        Pipe.load(dst, saved, Pipe.fixed(3));
        assertTrue(saved.digest().matches(dst.digest()), "size " + size);
        assertEquals(size, dst.digest().stateBytes());
      }
    }
    SyntheticDevice tiny = SyntheticDevice.builder("t").size(100).pageSize(8).build();
    assertEquals(13, tiny.geometry().pageCount());
    try (SyntheticDevice dst =
        SyntheticDevice.builder("t").size(100).pageSize(8).role(Role.DESTINATION).build()) {
      Pipe.load(dst, Pipe.save(tiny, Pipe.fixed(5)), Pipe.fixed(1));
      assertTrue(tiny.digest().matches(dst.digest()));
    }
  }

  @Test
  void aSixtyFourGibDeviceIsModelledWithoutHoldingItsState() throws Exception {
    long size = 64L << 30;
    long t0 = System.nanoTime();
    SyntheticDevice big = SyntheticDevice.builder("gpu0").size(size).pageSize(64 << 10).build();
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms < 10_000, "construction took " + ms + " ms");
    assertEquals(1 << 20, big.geometry().pageCount());
    assertEquals(64 + (1L << 20) * (24 + (64 << 10)) + 64, big.stopCopyLength());
    assertEquals(size, big.digest().stateBytes());
    SavingStream s = (SavingStream) big.setState(STOP_COPY).orElseThrow();
    ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
    long read = 0;
    for (int i = 0; i < 8; i++) {
      buf.clear();
      read += data(s.read(buf));
    }
    assertEquals(8 << 20, read);
    assertEquals(big.geometry().fullStreamLength() - read, big.stopCopyLength());
    big.close();
    assertEquals(Errno.ENODEV, assertThrows(DeviceException.class, () -> s.read(buf)).errno());
  }

  @Test
  void aLoadedDestinationRunsDirtiesAndMigratesAgain() throws Exception {
    SyntheticDevice src = device(16 * PAGE).build();
    src.writePage(3);
    Pipe.Saved first = Pipe.save(src, Pipe.fixed(10_000));
    SyntheticDevice mid =
        SyntheticDevice.builder("syn0")
            .size(16 * PAGE)
            .pageSize(PAGE)
            .seed(999)
            .clock(now::get)
            .role(Role.DESTINATION)
            .build();
    Pipe.load(mid, first, Pipe.fixed(10_000));
    assertEquals(77, mid.seed(), "the seed is part of the state");
    assertEquals(1, mid.pageVersion(3));
    mid.setState(RUNNING);
    mid.writePage(3);
    mid.writePage(15);
    Pipe.Saved second = Pipe.save(mid, Pipe.fixed(10_000));
    assertNotEquals(first.digest(), second.digest());
    try (SyntheticDevice last = destinationFor(src)) {
      Pipe.load(last, second, Pipe.fixed(10_000));
      assertTrue(second.digest().matches(last.digest()));
      assertEquals(2, last.pageVersion(3));
    }
  }

  @Test
  void resumingToStopSucceedsOnceTheMissingBytesArrive() throws Exception {
    SyntheticDevice src = device(4 * PAGE).build();
    Pipe.Saved saved = Pipe.save(src, Pipe.fixed(1 << 20));
    byte[] stream = saved.stream();
    try (SyntheticDevice dst = destinationFor(src)) {
      ResumingStream s =
          Pipe.startLoad(dst, Arrays.copyOf(stream, stream.length - 100), Pipe.fixed(1000));
      dst.loadConfig(saved.config());
      DeviceException e = assertThrows(DeviceException.class, () -> dst.setState(STOP));
      assertTrue(
          e.detail().startsWith("stream truncated at offset " + (stream.length - 100)), e.detail());
      assertTrue(dst.digest().stateBytes() > 0, "a partial digest while RESUMING");
      s.write(ByteBuffer.wrap(stream, stream.length - 100, 100));
      dst.setState(STOP);
      assertTrue(saved.digest().matches(dst.digest()));
      assertFalse(s.isOpen(), "RESUMING -> STOP ends the session");
    }
  }
}

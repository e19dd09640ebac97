package io.ferry.devices.model.faulty;

import static io.ferry.devices.model.MigrationState.ERROR;
import static io.ferry.devices.model.MigrationState.RESUMING;
import static io.ferry.devices.model.MigrationState.RUNNING;
import static io.ferry.devices.model.MigrationState.RUNNING_P2P;
import static io.ferry.devices.model.MigrationState.STOP;
import static io.ferry.devices.model.MigrationState.STOP_COPY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.devices.model.DeviceException;
import io.ferry.devices.model.DeviceModel;
import io.ferry.devices.model.Errno;
import io.ferry.devices.model.Pipe;
import io.ferry.devices.model.ReadResult;
import io.ferry.devices.model.ResumingStream;
import io.ferry.devices.model.Role;
import io.ferry.devices.model.SavingStream;
import io.ferry.devices.model.synthetic.SyntheticDevice;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FaultyDeviceTest {

  private static SyntheticDevice source() {
    return SyntheticDevice.builder("fd0").size(256 << 10).pageSize(4096).seed(3).build();
  }

  private static SyntheticDevice destination() {
    return SyntheticDevice.builder("fd0")
        .size(256 << 10)
        .pageSize(4096)
        .role(Role.DESTINATION)
        .build();
  }

  private static FaultyDevice faulty(DeviceModel inner, FaultPlan.Builder plan) {
    return new FaultyDevice(inner, plan.build());
  }

  @Test
  void aChosenArcFailsOnceAndLeavesBothDevicesAtItsStart() throws Exception {
    SyntheticDevice inner = source();
    FaultyDevice d = faulty(inner, FaultPlan.builder().failArc(STOP, STOP_COPY));
    DeviceException e = assertThrows(DeviceException.class, () -> d.setState(STOP_COPY));
    assertEquals(Errno.EIO, e.errno());
    assertEquals("injected failure of arc STOP->STOP_COPY", e.detail());
    assertEquals(STOP, d.state());
    assertEquals(STOP, inner.state());
    assertTrue(d.setState(STOP_COPY).isPresent(), "fail-arc-times = 1: the retry works");
  }

  @Test
  void anArcFailingIntoErrorIsStickyUntilReset() throws Exception {
    SyntheticDevice inner = source();
    FaultyDevice d =
        faulty(
            inner,
            FaultPlan.builder()
                .failArc(RUNNING, RUNNING_P2P)
                .failIntoError(true)
                .failArcTimes(0)
                .failArcErrno(Errno.EBUSY));
    assertEquals(Errno.EBUSY, assertThrows(DeviceException.class, () -> d.setState(STOP)).errno());
    assertEquals(ERROR, d.state());
    assertEquals(
        Errno.EINVAL, assertThrows(DeviceException.class, () -> d.setState(RUNNING)).errno());
    assertEquals(Errno.EINVAL, assertThrows(DeviceException.class, d::saveConfig).errno());
    d.reset();
    assertEquals(RUNNING, d.state());
    assertThrows(DeviceException.class, () -> d.setState(STOP), "fail-arc-times = 0: every time");
  }

  @Test
  void anArcThatIsNotDirectIsRejectedAtConstruction() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> faulty(source(), FaultPlan.builder().failArc(RUNNING, STOP)));
    assertTrue(e.getMessage().contains("not a direct arc"), e.getMessage());
  }

  @Test
  void aReadErrorComesExactlyAfterNBytesAndStays() throws Exception {
    FaultyDevice d = faulty(source(), FaultPlan.builder().readErrorAfter(10_000));
    SavingStream s = (SavingStream) d.setState(STOP_COPY).orElseThrow();
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    assertEquals(new ReadResult.Data(10_000), s.read(buf));
    DeviceException e = assertThrows(DeviceException.class, () -> s.read(buf.clear()));
    assertEquals(Errno.EIO, e.errno());
    assertEquals("injected read error at offset 10000 (read-error-after 10000)", e.detail());
    assertThrows(DeviceException.class, () -> s.read(buf.clear()));
    d.setState(STOP);
    SavingStream again = (SavingStream) d.setState(STOP_COPY).orElseThrow();
    assertEquals(
        d.stopCopyLength(), Pipe.readToEnd(again, Pipe.fixed(1 << 20)).length, "fires once");
  }

  @Test
  void shortReadsAndShortWritesStillDeliverTheExactState() throws Exception {
    SyntheticDevice srcInner =
        SyntheticDevice.builder("fd0").size(4 << 20).pageSize(4096).seed(3).build();
    FaultyDevice src = faulty(srcInner, FaultPlan.builder().shortReads(1.0).seed(5));
    FaultyDevice dst =
        faulty(
            SyntheticDevice.builder("fd0")
                .size(4 << 20)
                .pageSize(4096)
                .role(Role.DESTINATION)
                .build(),
            FaultPlan.builder().shortWrites(1.0).seed(6));
    SavingStream s = (SavingStream) src.setState(STOP_COPY).orElseThrow();
    ByteBuffer buf = ByteBuffer.allocate(1 << 16);
    int shortOnes = 0;
    for (int i = 0; i < 20; i++) {
      buf.clear();
      int n = ((ReadResult.Data) s.read(buf)).bytes();
      if (n < buf.capacity()) {
        shortOnes++;
      }
    }
    assertTrue(shortOnes >= 15, "short reads: " + shortOnes);
    src.setState(STOP);
    Pipe.Saved saved = Pipe.save(src, Pipe.fixed(1 << 16));
    ResumingStream w = (ResumingStream) dst.setState(RESUMING).orElseThrow();
    ByteBuffer in = ByteBuffer.wrap(saved.stream(), 0, 50_000);
    int accepted = w.write(in);
    assertTrue(accepted >= 1 && accepted < 50_000, "a short write: " + accepted);
    Pipe.writeAll(
        w,
        java.util.Arrays.copyOfRange(saved.stream(), accepted, saved.stream().length),
        Pipe.fixed(50_000));
    dst.loadConfig(saved.config());
    dst.setState(STOP);
    assertTrue(saved.digest().matches(dst.digest()));
  }

  @Test
  void aStallEndsWithEcanceledWhenAnotherThreadClosesTheStream() throws Exception {
    FaultyDevice d = faulty(source(), FaultPlan.builder().stallAfter(4096));
    SavingStream s = (SavingStream) d.setState(STOP_COPY).orElseThrow();
    assertEquals(new ReadResult.Data(4096), s.read(ByteBuffer.allocate(1 << 20)));
    CompletableFuture<DeviceException> f = readExpectingFailure(s);
    Thread.sleep(100);
    assertFalse(f.isDone(), "the read stalls");
    s.close();
    DeviceException e = f.get(5, TimeUnit.SECONDS);
    assertEquals(Errno.ECANCELED, e.errno());
    assertTrue(e.detail().contains("offset 4096"), e.detail());
  }

  @Test
  void aStallEndsWithEnodevWhenTheDeviceIsReset() throws Exception {
    FaultyDevice d = faulty(source(), FaultPlan.builder().stallAfter(0));
    SavingStream s = (SavingStream) d.setState(STOP_COPY).orElseThrow();
    CompletableFuture<DeviceException> f = readExpectingFailure(s);
    Thread.sleep(100);
    d.reset();
    assertEquals(Errno.ENODEV, f.get(5, TimeUnit.SECONDS).errno());
    assertEquals(RUNNING, d.state());
    assertEquals(RUNNING, ((FaultyDevice) d).inner().state());
  }

  @Test
  void aStallEndsWithEcanceledWhenTheReaderIsInterrupted() throws Exception {
    FaultyDevice d = faulty(source(), FaultPlan.builder().stallAfter(0));
    SavingStream s = (SavingStream) d.setState(STOP_COPY).orElseThrow();
    DeviceException[] seen = new DeviceException[1];
    Thread t =
        new Thread(
            () -> {
              try {
                s.read(ByteBuffer.allocate(10));
              } catch (DeviceException e) {
                seen[0] = e;
              }
            });
    t.start();
    Thread.sleep(100);
    t.interrupt();
    t.join(5000);
    assertEquals(Errno.ECANCELED, seen[0].errno());
  }

  private static CompletableFuture<DeviceException> readExpectingFailure(SavingStream s) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            s.read(ByteBuffer.allocate(1 << 20));
            return null;
          } catch (DeviceException e) {
            return e;
          }
        });
  }

  @Test
  void theRateLimitSlowsReadsDown() throws Exception {
    FaultyDevice d =
        faulty(
            SyntheticDevice.builder("fd0").size(4 << 20).pageSize(4096).build(),
            FaultPlan.builder().rateLimit(1 << 20));
    SavingStream s = (SavingStream) d.setState(STOP_COPY).orElseThrow();
    long t0 = System.nanoTime();
    long n = 0;
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    while (n < 300_000) {
      buf.clear();
      n += ((ReadResult.Data) s.read(buf)).bytes();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    // 300 KB at 1 MiB/s: six reads of at most 1/20 s worth, five waits of 50 ms
    assertTrue(seconds >= 0.24, "300 KB at 1 MiB/s took " + seconds + " s");
    assertTrue(seconds < 5, "took " + seconds + " s");
  }

  @Test
  void corruptionIsDetectedAtResumingToStop() throws Exception {
    Pipe.Saved saved = Pipe.save(source(), Pipe.fixed(1 << 20));
    FaultyDevice d = faulty(destination(), FaultPlan.builder().corruptAtResumeStop(true));
    Pipe.startLoad(d, saved.stream(), Pipe.fixed(1 << 20));
    d.loadConfig(saved.config());
    DeviceException e = assertThrows(DeviceException.class, () -> d.setState(STOP));
    assertEquals("state corruption detected at RESUMING->STOP (injected)", e.detail());
    assertEquals(RESUMING, d.state());
    d.setState(STOP); // fires once: the stream itself was fine
    assertTrue(saved.digest().matches(d.digest()));

    FaultyDevice flip = faulty(destination(), FaultPlan.builder().corruptWriteAt(100_000));
    Pipe.startLoad(flip, saved.stream(), Pipe.fixed(4096));
    DeviceException real = assertThrows(DeviceException.class, () -> flip.setState(STOP));
    assertTrue(real.detail().contains("CRC32C"), "the wrapped device caught it: " + real.detail());
  }

  @Test
  void aResetMidStreamDisablesTheStreamAndReturnsToRunning() throws Exception {
    FaultyDevice d = faulty(source(), FaultPlan.builder().resetAfter(50_000));
    SavingStream s = (SavingStream) d.setState(STOP_COPY).orElseThrow();
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    assertEquals(new ReadResult.Data(50_000), s.read(buf));
    assertEquals(RUNNING, d.state());
    assertEquals(RUNNING, d.inner().state());
    DeviceException e = assertThrows(DeviceException.class, () -> s.read(buf.clear()));
    assertEquals(Errno.ENODEV, e.errno());
    assertTrue(e.detail().contains("device reset"), e.detail());
  }
}

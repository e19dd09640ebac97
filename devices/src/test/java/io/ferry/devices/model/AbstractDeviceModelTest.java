package io.ferry.devices.model;

import static io.ferry.devices.model.MigrationState.ERROR;
import static io.ferry.devices.model.MigrationState.PRE_COPY;
import static io.ferry.devices.model.MigrationState.PRE_COPY_P2P;
import static io.ferry.devices.model.MigrationState.RESUMING;
import static io.ferry.devices.model.MigrationState.RUNNING;
import static io.ferry.devices.model.MigrationState.RUNNING_P2P;
import static io.ferry.devices.model.MigrationState.STOP;
import static io.ferry.devices.model.MigrationState.STOP_COPY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The FSM driver, with a hand-written device that records arcs and fails on demand. */
class AbstractDeviceModelTest {

  /** A device whose arcs are recorded; streams where the uAPI opens sessions. */
  static final class TestingDevice extends AbstractDeviceModel {
    final List<String> arcs = new ArrayList<>();
    String failArc;
    boolean failIntoError;
    String streamOnArc;

    TestingDevice(int features) {
      super("t0", features);
    }

    @Override
    public String kind() {
      return "testing";
    }

    @Override
    protected Optional<DataStream> step(MigrationState from, MigrationState to)
        throws DeviceException {
      String arc = from + "->" + to;
      if (arc.equals(failArc)) {
        DeviceException e = error(Errno.EIO, "arc " + arc + " failed");
        throw failIntoError ? failIntoError(e) : e;
      }
      arcs.add(arc);
      if (MigrationFsm.opensSession(from, to) || arc.equals(streamOnArc)) {
        return Optional.of(register(to == RESUMING ? new Resuming() : new Saving()));
      }
      return Optional.empty();
    }

    final class Saving extends AbstractDataStream implements SavingStream {
      Saving() {
        super("t0");
      }

      @Override
      public ReadResult read(ByteBuffer dst) throws DeviceException {
        checkUsable();
        awaitCancellable(-1, "read");
        return ReadResult.END_OF_STREAM;
      }

      @Override
      public PrecopyInfo precopyInfo() throws DeviceException {
        checkUsable();
        return new PrecopyInfo(0, 0);
      }
    }

    final class Resuming extends AbstractDataStream implements ResumingStream {
      Resuming() {
        super("t0");
      }

      @Override
      public int write(ByteBuffer src) throws DeviceException {
        checkUsable();
        int n = src.remaining();
        src.position(src.limit());
        return n;
      }
    }

    @Override
    public long stopCopyLength() {
      return 0;
    }

    @Override
    public byte[] saveConfig() {
      return new byte[0];
    }

    @Override
    public void loadConfig(byte[] config) {}

    @Override
    public DeviceDigest digest() {
      return new DeviceDigest("none", "", 0, DeviceDigest.NO_CONFIG);
    }
  }

  @Test
  void setStateWalksOneDirectArcAtATimeAndReturnsTheStreamOfTheLastArc() throws Exception {
    TestingDevice d = new TestingDevice(MigrationFeatures.ALL);
    Optional<DataStream> s = d.setState(STOP_COPY);
    assertEquals(List.of("RUNNING->RUNNING_P2P", "RUNNING_P2P->STOP", "STOP->STOP_COPY"), d.arcs);
    assertInstanceOf(SavingStream.class, s.orElseThrow());
    assertEquals(STOP_COPY, d.state());
    d.arcs.clear();
    assertTrue(d.setState(RUNNING).isEmpty());
    assertEquals(List.of("STOP_COPY->STOP", "STOP->RUNNING_P2P", "RUNNING_P2P->RUNNING"), d.arcs);
    d.arcs.clear();
    assertInstanceOf(ResumingStream.class, d.setState(RESUMING).orElseThrow());
    assertEquals(List.of("RUNNING->RUNNING_P2P", "RUNNING_P2P->STOP", "STOP->RESUMING"), d.arcs);
  }

  @Test
  void precopyKeepsTheSessionAcrossTheSavingGroup() throws Exception {
    TestingDevice d = new TestingDevice(MigrationFeatures.ALL);
    SavingStream s = (SavingStream) d.setState(PRE_COPY).orElseThrow();
    assertTrue(d.setState(PRE_COPY_P2P).isEmpty());
    assertTrue(d.setState(STOP_COPY).isEmpty());
    assertTrue(s.isOpen(), "same session in the saving group");
    d.setState(STOP);
    assertFalse(s.isOpen());
    DeviceException e = assertThrows(DeviceException.class, () -> s.precopyInfo());
    assertEquals(Errno.ENODEV, e.errno());
    assertTrue(e.getMessage().contains("STOP_COPY->STOP"), e.getMessage());
  }

  @Test
  void aFailedArcLeavesTheDeviceAtTheLastStateReached() throws Exception {
    TestingDevice d = new TestingDevice(MigrationFeatures.ALL);
    d.failArc = "STOP->STOP_COPY";
    DeviceException e = assertThrows(DeviceException.class, () -> d.setState(STOP_COPY));
    assertEquals(Errno.EIO, e.errno());
    assertEquals(STOP, d.state());
    d.failArc = null;
    assertTrue(d.setState(STOP_COPY).isPresent(), "a retry from STOP succeeds");
  }

  @Test
  void errorIsStickyUntilReset() throws Exception {
    TestingDevice d = new TestingDevice(MigrationFeatures.ALL);
    SavingStream s = (SavingStream) d.setState(PRE_COPY).orElseThrow();
    d.failArc = "PRE_COPY->PRE_COPY_P2P";
    d.failIntoError = true;
    assertThrows(DeviceException.class, () -> d.setState(STOP_COPY));
    assertEquals(ERROR, d.state());
    assertEquals(Errno.ENODEV, assertThrows(DeviceException.class, () -> s.precopyInfo()).errno());
    d.failArc = null;
    for (MigrationState target : MigrationState.values()) {
      DeviceException e = assertThrows(DeviceException.class, () -> d.setState(target));
      assertEquals(Errno.EINVAL, e.errno());
      assertEquals(ERROR, d.state());
    }
    d.reset();
    assertEquals(RUNNING, d.state());
    assertTrue(d.setState(PRE_COPY).isPresent());
  }

  @Test
  void errorCannotBeRequestedAndTheCurrentStateIsANoOp() throws Exception {
    TestingDevice d = new TestingDevice(MigrationFeatures.STOP_COPY);
    assertEquals(
        Errno.EINVAL, assertThrows(DeviceException.class, () -> d.setState(ERROR)).errno());
    assertTrue(d.setState(RUNNING).isEmpty());
    assertTrue(d.arcs.isEmpty());
    assertEquals(
        Errno.EINVAL,
        assertThrows(DeviceException.class, () -> d.setState(PRE_COPY)).errno(),
        "PRE_COPY is not supported without the feature");
    assertEquals(RUNNING, d.state());
  }

  @Test
  void aStreamFromAnIntermediateArcIsRefusedLikeTheKernelsWarn() throws Exception {
    TestingDevice d = new TestingDevice(MigrationFeatures.ALL);
    d.streamOnArc = "RUNNING->RUNNING_P2P";
    DeviceException e = assertThrows(DeviceException.class, () -> d.setState(STOP));
    assertEquals(Errno.EINVAL, e.errno());
    assertTrue(e.getMessage().contains("intermediate"), e.getMessage());
    assertEquals(RUNNING_P2P, d.state(), "the arc was taken, as in mlx5/mtty");
  }

  @Test
  void resetDisablesOpenStreamsWithEnodev() throws Exception {
    TestingDevice d = new TestingDevice(MigrationFeatures.ALL);
    ResumingStream r = (ResumingStream) d.setState(RESUMING).orElseThrow();
    assertEquals(3, r.write(ByteBuffer.wrap(new byte[3])));
    d.reset();
    assertEquals(RUNNING, d.state());
    DeviceException e = assertThrows(DeviceException.class, () -> r.write(ByteBuffer.allocate(1)));
    assertEquals(Errno.ENODEV, e.errno());
    assertTrue(e.getMessage().contains("device t0"), e.getMessage());
  }

  @Test
  void aClosedStreamFailsWithEbadfAndAClosedDeviceWithEnodev() throws Exception {
    TestingDevice d = new TestingDevice(MigrationFeatures.ALL);
    ResumingStream r = (ResumingStream) d.setState(RESUMING).orElseThrow();
    r.close();
    assertEquals(
        Errno.EBADF,
        assertThrows(DeviceException.class, () -> r.write(ByteBuffer.allocate(1))).errno());
    assertEquals(RESUMING, d.state(), "closing the stream does not change the state");
    d.close();
    assertEquals(Errno.ENODEV, assertThrows(DeviceException.class, () -> d.setState(STOP)).errno());
  }

  @Test
  void aBlockedReadEndsWithEcanceledWhenAnotherThreadClosesTheStream() throws Exception {
    TestingDevice d = new TestingDevice(MigrationFeatures.ALL);
    SavingStream s = (SavingStream) d.setState(STOP_COPY).orElseThrow();
    CountDownLatch started = new CountDownLatch(1);
    CompletableFuture<Errno> f =
        CompletableFuture.supplyAsync(
            () -> {
              started.countDown();
              try {
                s.read(ByteBuffer.allocate(8));
                return null;
              } catch (DeviceException e) {
                return e.errno();
              }
            });
    started.await();
    Thread.sleep(50);
    assertFalse(f.isDone(), "the read blocks");
    s.close();
    assertEquals(Errno.ECANCELED, f.get(5, TimeUnit.SECONDS));
  }

  @Test
  void aBlockedReadEndsWithEcanceledOnInterruptAndEnodevOnReset() throws Exception {
    TestingDevice d = new TestingDevice(MigrationFeatures.ALL);
    SavingStream s = (SavingStream) d.setState(STOP_COPY).orElseThrow();
    Errno[] seen = new Errno[1];
    boolean[] interrupted = new boolean[1];
    Thread t =
        new Thread(
            () -> {
              try {
                s.read(ByteBuffer.allocate(8));
              } catch (DeviceException e) {
                seen[0] = e.errno();
                interrupted[0] = Thread.currentThread().isInterrupted();
              }
            });
    t.start();
    Thread.sleep(50);
    t.interrupt();
    t.join(5000);
    assertEquals(Errno.ECANCELED, seen[0]);
    assertTrue(interrupted[0], "the interrupt flag is restored");

    SavingStream s2 = s; // same stream, still open: the interrupt did not close it
    CompletableFuture<Errno> f =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                s2.read(ByteBuffer.allocate(8));
                return null;
              } catch (DeviceException e) {
                return e.errno();
              }
            });
    Thread.sleep(50);
    d.reset();
    try {
      assertEquals(Errno.ENODEV, f.get(5, TimeUnit.SECONDS));
    } catch (ExecutionException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void featuresWithoutStopCopyAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> new TestingDevice(MigrationFeatures.P2P));
    assertThrows(IllegalArgumentException.class, () -> new TestingDevice(8 | 1));
  }
}

package io.ferry.devices.model;

import static io.ferry.devices.model.MigrationState.RESUMING;
import static io.ferry.devices.model.MigrationState.RUNNING;
import static io.ferry.devices.model.MigrationState.STOP;
import static io.ferry.devices.model.MigrationState.STOP_COPY;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ferry.devices.model.faulty.FaultPlan;
import io.ferry.devices.model.faulty.FaultyDevice;
import io.ferry.devices.model.file.FileBackedDevice;
import io.ferry.devices.model.nic.ConfigOnlyDevice;
import io.ferry.devices.model.synthetic.SyntheticDevice;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.IntSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The device contract, checked on every model: save to load through an in-memory pipe gives equal
 * digests; any write segmentation is accepted; a flipped byte, a missing chunk, a duplicated chunk
 * and a truncated stream are detected; sessions, config and reset behave as the uAPI says.
 */
class ModelContractTest {

  /** Creates a source and a destination of one model. */
  interface Fixture {
    DeviceModel source(Path dir);

    DeviceModel destination(Path dir, String name);
  }

  static Stream<Named<Fixture>> models() {
    return Stream.of(
        Named.of(
            "synthetic",
            new Fixture() {
              public DeviceModel source(Path dir) {
                return SyntheticDevice.builder("syn")
                    .size(300_000 + 5)
                    .pageSize(4096)
                    .seed(3)
                    .build();
              }

              public DeviceModel destination(Path dir, String name) {
                return SyntheticDevice.builder("syn")
                    .size(300_000 + 5)
                    .pageSize(4096)
                    .role(Role.DESTINATION)
                    .build();
              }
            }),
        Named.of(
            "synthetic with precopy, no P2P",
            new Fixture() {
              public DeviceModel source(Path dir) {
                return SyntheticDevice.builder("pre")
                    .size(200_000)
                    .pageSize(8192)
                    .precopy(true)
                    .p2p(false)
                    .seed(9)
                    .build();
              }

              public DeviceModel destination(Path dir, String name) {
                return SyntheticDevice.builder("pre")
                    .size(200_000)
                    .pageSize(8192)
                    .precopy(true)
                    .p2p(false)
                    .role(Role.DESTINATION)
                    .build();
              }
            }),
        Named.of(
            "config-only",
            new Fixture() {
              public DeviceModel source(Path dir) {
                return ConfigOnlyDevice.builder("nic").seed(4).build();
              }

              public DeviceModel destination(Path dir, String name) {
                return ConfigOnlyDevice.builder("nic").role(Role.DESTINATION).build();
              }
            }),
        Named.of(
            "file",
            new Fixture() {
              public DeviceModel source(Path dir) {
                return FileBackedDevice.builder("file", dir.resolve("source.img"))
                    .createIfMissing(150_001, 5)
                    .fsync(false)
                    .build();
              }

              public DeviceModel destination(Path dir, String name) {
                return FileBackedDevice.builder("file", dir.resolve(name + ".img"))
                    .fsync(false)
                    .role(Role.DESTINATION)
                    .build();
              }
            }),
        Named.of(
            "faulty(synthetic) with short reads and writes",
            new Fixture() {
              public DeviceModel source(Path dir) {
                return new FaultyDevice(
                    SyntheticDevice.builder("fty").size(100_000).pageSize(4096).seed(6).build(),
                    FaultPlan.builder().shortReads(0.5).seed(2).build());
              }

              public DeviceModel destination(Path dir, String name) {
                return new FaultyDevice(
                    SyntheticDevice.builder("fty")
                        .size(100_000)
                        .pageSize(4096)
                        .role(Role.DESTINATION)
                        .build(),
                    FaultPlan.builder().shortWrites(0.5).seed(3).build());
              }
            }));
  }

  private static Pipe.Saved save(Fixture f, Path dir) throws DeviceException {
    try (DeviceModel src = f.source(dir)) {
      return Pipe.save(src, Pipe.random(1, 70_000));
    }
  }

  /** Loads {@code stream} into a fresh destination and expects a failure somewhere. */
  private static DeviceException assertRejected(
      Fixture f, Path dir, byte[] stream, byte[] config, String what) throws DeviceException {
    try (DeviceModel dst = f.destination(dir, "rejected")) {
      ResumingStream s = (ResumingStream) dst.setState(RESUMING).orElseThrow();
      try {
        Pipe.writeAll(s, stream, Pipe.fixed(65536));
        dst.loadConfig(config);
        dst.setState(STOP);
      } catch (DeviceException e) {
        assertTrue(e.getMessage().contains("device "), e.getMessage());
        if (dst.state() == RESUMING) {
          assertThrows(
              DeviceException.class, () -> dst.setState(STOP), what + ": a retry must fail too");
        }
        assertEquals(RESUMING, dst.state(), what);
        return e;
      }
      fail(what + " was not detected; destination digest " + dst.digest());
      return null;
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void saveThenLoadThroughAnInMemoryPipeGivesEqualDigests(Fixture f, @TempDir Path dir)
      throws Exception {
    Pipe.Saved saved = save(f, dir);
    try (DeviceModel dst = f.destination(dir, "dst")) {
      DeviceDigest empty = dst.digest();
      assertEquals(0, empty.stateBytes(), "a destination starts empty");
      assertFalse(saved.digest().matches(empty));
      Pipe.load(dst, saved, Pipe.random(2, 50_000));
      assertEquals(STOP, dst.state());
      assertTrue(
          saved.digest().matches(dst.digest()), saved.digest().describeMismatch(dst.digest()));
      dst.setState(RUNNING);
      assertEquals(RUNNING, dst.state());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void writesSplitAtAnyBoundaryAreAccepted(Fixture f, @TempDir Path dir) throws Exception {
    Pipe.Saved saved = save(f, dir);
    IntSupplier[] splits = {
      Pipe.fixed(1), Pipe.fixed(7), Pipe.fixed(4093), Pipe.random(5, 13), Pipe.random(6, 100_000)
    };
    int i = 0;
    for (IntSupplier split : splits) {
      try (DeviceModel dst = f.destination(dir, "split" + i++)) {
        byte[] stream = saved.stream();
        if (split == splits[0] && stream.length > 200_000) {
          continue; // one byte at a time only for the smaller streams, to keep the suite fast
        }
        Pipe.load(dst, saved, split);
        assertTrue(saved.digest().matches(dst.digest()), "split " + i);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void aFlippedByteAnywhereIsDetected(Fixture f, @TempDir Path dir) throws Exception {
    Pipe.Saved saved = save(f, dir);
    byte[] stream = saved.stream();
    TreeSet<Integer> positions = new TreeSet<>();
    for (int p = 0; p < 128; p++) {
      positions.add(p); // the header
      positions.add(stream.length - 1 - p); // the trailer and the last page
    }
    SplittableRandom r = new SplittableRandom(7);
    for (int k = 0; k < 40; k++) {
      positions.add(r.nextInt(stream.length));
    }
    for (int p : positions) {
      byte[] bad = stream.clone();
      bad[p] ^= (byte) (1 << (p & 7));
      assertRejected(f, dir, bad, saved.config(), "flipped byte at " + p);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void aMissingOrDuplicatedChunkIsDetected(Fixture f, @TempDir Path dir) throws Exception {
    Pipe.Saved saved = save(f, dir);
    byte[] stream = saved.stream();
    for (int chunk : new int[] {1, 8, 4096, 32768}) {
      for (int at : new int[] {0, 64, stream.length / 3, stream.length - chunk - 1}) {
        byte[] missing = new byte[stream.length - chunk];
        System.arraycopy(stream, 0, missing, 0, at);
        System.arraycopy(stream, at + chunk, missing, at, stream.length - at - chunk);
        assertRejected(f, dir, missing, saved.config(), "missing " + chunk + " at " + at);

        byte[] dup = new byte[stream.length + chunk];
        System.arraycopy(stream, 0, dup, 0, at + chunk);
        System.arraycopy(stream, at, dup, at + chunk, stream.length - at);
        assertRejected(f, dir, dup, saved.config(), "duplicated " + chunk + " at " + at);
      }
    }
    DeviceException e =
        assertRejected(
            f, dir, Arrays.copyOf(stream, stream.length - 1), saved.config(), "truncated");
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void aMissingConfigLeavesTheDigestsDifferent(Fixture f, @TempDir Path dir) throws Exception {
    Pipe.Saved saved = save(f, dir);
    try (DeviceModel dst = f.destination(dir, "noconfig")) {
      Pipe.startLoad(dst, saved.stream(), Pipe.fixed(65536));
      dst.setState(STOP);
      DeviceDigest d = dst.digest();
      assertEquals(saved.digest().stateDigest(), d.stateDigest());
      assertEquals(saved.digest().stateBytes(), d.stateBytes());
      assertEquals(DeviceDigest.NO_CONFIG, d.configDigest());
      assertFalse(saved.digest().matches(d));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void configIsSavedWhenStoppedAndLoadedOnlyInResuming(Fixture f, @TempDir Path dir)
      throws Exception {
    try (DeviceModel src = f.source(dir)) {
      assertEquals(Errno.EINVAL, assertThrows(DeviceException.class, src::saveConfig).errno());
      src.setState(STOP);
      byte[] config = src.saveConfig();
      assertTrue(config.length > 0 && config.length <= 1 << 20);
      assertEquals(
          Errno.EINVAL, assertThrows(DeviceException.class, () -> src.loadConfig(config)).errno());
      try (DeviceModel dst = f.destination(dir, "cfg")) {
        assertEquals(
            Errno.EINVAL,
            assertThrows(DeviceException.class, () -> dst.loadConfig(config)).errno());
        dst.setState(STOP);
        assertEquals(
            Errno.EINVAL,
            assertThrows(DeviceException.class, dst::saveConfig).errno(),
            "an empty destination has no config to save");
        dst.setState(RESUMING);
        byte[] bad = config.clone();
        bad[0] ^= 1;
        DeviceException e = assertThrows(DeviceException.class, () -> dst.loadConfig(bad));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
        dst.loadConfig(config);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void resetMidLoadDiscardsThePartialStateAndAllowsANewLoad(Fixture f, @TempDir Path dir)
      throws Exception {
    Pipe.Saved saved = save(f, dir);
    try (DeviceModel dst = f.destination(dir, "reset")) {
      ResumingStream s =
          Pipe.startLoad(
              dst, Arrays.copyOf(saved.stream(), saved.stream().length / 2), Pipe.fixed(9000));
      dst.reset();
      assertEquals(RUNNING, dst.state());
      assertEquals(0, dst.digest().stateBytes(), "the partial load is discarded");
      assertEquals(
          Errno.ENODEV,
          assertThrows(DeviceException.class, () -> s.write(ByteBuffer.allocate(1))).errno());
      Pipe.load(dst, saved, Pipe.fixed(65536));
      assertTrue(saved.digest().matches(dst.digest()));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void theSavingStreamEndsWithItsSessionAndADestinationCanBeSavedAgain(Fixture f, @TempDir Path dir)
      throws Exception {
    Pipe.Saved saved = save(f, dir);
    try (DeviceModel dst = f.destination(dir, "again")) {
      assertEquals(
          Errno.EINVAL,
          assertThrows(DeviceException.class, () -> dst.setState(STOP_COPY)).errno(),
          "an empty destination has nothing to save");
      Pipe.load(dst, saved, Pipe.fixed(65536));
      dst.setState(RUNNING);
      SavingStream s = (SavingStream) dst.setState(STOP_COPY).orElseThrow();
      assertEquals(
          Errno.EINVAL,
          assertThrows(DeviceException.class, s::precopyInfo).errno(),
          "no precopy info in STOP_COPY");
      byte[] again = Pipe.readToEnd(s, Pipe.fixed(1 << 20));
      ReadResult r = s.read(ByteBuffer.allocate(10));
      assertEquals(ReadResult.END_OF_STREAM, r, "end of stream forever");
      byte[] config = dst.saveConfig();
      dst.setState(STOP);
      assertEquals(
          Errno.ENODEV,
          assertThrows(DeviceException.class, () -> s.read(ByteBuffer.allocate(1))).errno());
      assertArrayEquals(saved.config(), config);
      try (DeviceModel third = f.destination(dir, "third")) {
        Pipe.load(third, new Pipe.Saved(again, config, null), Pipe.fixed(30_000));
        assertTrue(saved.digest().matches(third.digest()), "source -> dst -> third");
      }
    }
  }
}

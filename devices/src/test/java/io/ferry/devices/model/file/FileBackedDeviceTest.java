package io.ferry.devices.model.file;

import static io.ferry.devices.model.MigrationState.RESUMING;
import static io.ferry.devices.model.MigrationState.RUNNING;
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
import io.ferry.devices.model.ReadResult;
import io.ferry.devices.model.ResumingStream;
import io.ferry.devices.model.Role;
import io.ferry.devices.model.SavingStream;
import io.ferry.devices.model.framing.Bytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBackedDeviceTest {
  @TempDir Path dir;

  private Path file(String name, byte[] content) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, content);
    return p;
  }

  @Test
  void theDestinationWritesItsOwnFileWithTheSameBytes() throws Exception {
    byte[] content = new byte[300_003];
    for (int i = 0; i < content.length; i++) {
      content[i] = (byte) (i * 31 + (i >>> 9));
    }
    Path src = file("src.img", content);
    Path dstPath = dir.resolve("sub/dst.img");
    FileBackedDevice s = FileBackedDevice.builder("f0", src).build();
    FileBackedDevice d = FileBackedDevice.builder("f0", dstPath).role(Role.DESTINATION).build();
    assertEquals(Bytes.sha256Hex(content), s.digest().stateDigest());
    Pipe.Saved saved = Pipe.save(s, Pipe.fixed(65536));
    ResumingStreamHelper.load(d, saved);
    assertEquals(-1, Files.mismatch(src, dstPath), "byte comparison");
    assertTrue(s.digest().matches(d.digest()));
    assertFalse(Files.exists(dir.resolve("sub/dst.img.resuming")));
  }

  /** Keeps the destination path untouched until RESUMING -> STOP succeeds. */
  static final class ResumingStreamHelper {
    static void load(FileBackedDevice d, Pipe.Saved saved) throws DeviceException {
      Pipe.startLoad(d, saved.stream(), Pipe.random(9, 10_000));
      assertFalse(Files.exists(d.path()), "nothing at path before RESUMING -> STOP");
      d.loadConfig(saved.config());
      d.setState(STOP);
      assertTrue(Files.exists(d.path()));
    }
  }

  @Test
  void aCorruptStreamLeavesThePathUntouchedAndResetRemovesThePartialFile() throws Exception {
    Path src = file("a.img", new byte[10_000]);
    Path dstPath = file("b.img", "old".getBytes());
    Pipe.Saved saved = Pipe.save(FileBackedDevice.builder("f1", src).build(), Pipe.fixed(4096));
    byte[] bad = saved.stream().clone();
    bad[5000] ^= 1;
    FileBackedDevice d = FileBackedDevice.builder("f1", dstPath).role(Role.DESTINATION).build();
    Pipe.startLoad(d, bad, Pipe.fixed(1000));
    DeviceException e = assertThrows(DeviceException.class, () -> d.setState(STOP));
    assertTrue(e.detail().startsWith("stream CRC32C expected"), e.detail());
    assertEquals("old", Files.readString(dstPath));
    assertTrue(Files.exists(dir.resolve("b.img.resuming")));
    d.reset();
    assertFalse(Files.exists(dir.resolve("b.img.resuming")));
    assertEquals(RUNNING, d.state());
  }

  @Test
  void theSourceDigestFollowsTheFileAndAShrinkingFileFailsTheRead() throws Exception {
    Path src = file("c.img", new byte[3 << 20]);
    FileBackedDevice s = FileBackedDevice.builder("f2", src).build();
    DeviceDigest before = s.digest();
    try (FileChannel ch = FileChannel.open(src, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {1}), 12345);
    }
    assertNotEquals(
        before.stateDigest(), s.digest().stateDigest(), "a write to the file changes the digest");
    SavingStream st = (SavingStream) s.setState(STOP_COPY).orElseThrow();
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    assertTrue(st.read(buf) instanceof ReadResult.Data);
    try (FileChannel ch = FileChannel.open(src, StandardOpenOption.WRITE)) {
      ch.truncate(100);
    }
    buf.clear();
    DeviceException e =
        assertThrows(
            DeviceException.class,
            () -> {
              while (true) {
                buf.clear();
                st.read(buf);
              }
            });
    assertEquals(Errno.EIO, e.errno());
    assertTrue(e.detail().contains("expected " + (3 << 20) + " bytes"), e.detail());
  }

  @Test
  void aMissingSourceIsCreatedFromTheSeedOrRefused() throws Exception {
    Path p = dir.resolve("gen.img");
    FileBackedDevice s = FileBackedDevice.builder("f3", p).createIfMissing(5_000_001, 7).build();
    assertEquals(5_000_001, Files.size(p));
    assertEquals(5_000_001, s.digest().stateBytes());
    byte[] first = Files.readAllBytes(p);
    Files.delete(p);
    FileBackedDevice.builder("f3", p).createIfMissing(5_000_001, 7).build();
    assertTrue(Arrays.equals(first, Files.readAllBytes(p)), "deterministic");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> FileBackedDevice.builder("f4", dir.resolve("none.img")).build());
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void aDestinationRefusesAFileLargerThanMaxSize() throws Exception {
    Pipe.Saved saved =
        Pipe.save(
            FileBackedDevice.builder("f5", file("m.img", new byte[5000])).build(),
            Pipe.fixed(4096));
    FileBackedDevice d =
        FileBackedDevice.builder("f5", dir.resolve("n.img"))
            .maxSize(4096)
            .role(Role.DESTINATION)
            .build();
    DeviceException e =
        assertThrows(
            DeviceException.class, () -> Pipe.startLoad(d, saved.stream(), Pipe.fixed(4096)));
    assertEquals(Errno.ENOMEM, e.errno());
    assertEquals("source file length 5000 exceeds max-size 4096", e.detail());
    assertEquals(RESUMING, d.state());
  }

  @Test
  void aConfigFromAnotherFileIsRefusedWhicheverArrivesFirst() throws Exception {
    Pipe.Saved small =
        Pipe.save(
            FileBackedDevice.builder("f6", file("s.img", new byte[100])).build(), Pipe.fixed(64));
    Pipe.Saved large =
        Pipe.save(
            FileBackedDevice.builder("f6", file("l.img", new byte[200])).build(), Pipe.fixed(64));
    FileBackedDevice configFirst =
        FileBackedDevice.builder("f6", dir.resolve("o1.img")).role(Role.DESTINATION).build();
    ResumingStream s = (ResumingStream) configFirst.setState(RESUMING).orElseThrow();
    configFirst.loadConfig(large.config());
    Pipe.writeAll(s, small.stream(), Pipe.fixed(50));
    DeviceException e = assertThrows(DeviceException.class, () -> configFirst.setState(STOP));
    assertEquals(
        "config does not belong to the loaded state: content length expected 100, got 200",
        e.detail());

    FileBackedDevice streamFirst =
        FileBackedDevice.builder("f6", dir.resolve("o2.img")).role(Role.DESTINATION).build();
    Pipe.startLoad(streamFirst, small.stream(), Pipe.fixed(50));
    DeviceException e2 =
        assertThrows(DeviceException.class, () -> streamFirst.loadConfig(large.config()));
    assertEquals(e.detail(), e2.detail());
  }
}

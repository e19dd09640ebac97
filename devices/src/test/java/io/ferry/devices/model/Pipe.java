package io.ferry.devices.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.function.IntSupplier;

/** Test helper: moves migration data between models through memory, in chosen segment sizes. */
public final class Pipe {
  private Pipe() {}

  /** What a source produced: its stream bytes, config blob and digest at stop. */
  public record Saved(byte[] stream, byte[] config, DeviceDigest digest) {}

  /** Segment sizes: always {@code n}. */
  public static IntSupplier fixed(int n) {
    return () -> n;
  }

  /** Segment sizes: uniform in [1, max], seeded. */
  public static IntSupplier random(long seed, int max) {
    SplittableRandom r = new SplittableRandom(seed);
    return () -> 1 + r.nextInt(max);
  }

  /** Reads {@code s} until END_OF_STREAM with reads of {@code chunks} bytes. */
  public static byte[] readToEnd(SavingStream s, IntSupplier chunks) throws DeviceException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      ByteBuffer buf = ByteBuffer.allocate(chunks.getAsInt());
      ReadResult r = s.read(buf);
      if (r instanceof ReadResult.EndOfStream) {
        return out.toByteArray();
      }
      assertTrue(r instanceof ReadResult.Data, "STOP_COPY read returned " + r);
      out.write(buf.array(), 0, ((ReadResult.Data) r).bytes());
    }
  }

  /**
   * Reads a PRE_COPY stream until the temporary end, appending to {@code out}; returns the bytes
   * read.
   */
  public static long readToTemporaryEnd(
      SavingStream s, IntSupplier chunks, ByteArrayOutputStream out) throws DeviceException {
    long total = 0;
    while (true) {
      ByteBuffer buf = ByteBuffer.allocate(chunks.getAsInt());
      ReadResult r = s.read(buf);
      if (!(r instanceof ReadResult.Data)) {
        return total;
      }
      int n = ((ReadResult.Data) r).bytes();
      out.write(buf.array(), 0, n);
      total += n;
    }
  }

  /** Writes all of {@code data} to {@code s} in segments of {@code chunks} bytes. */
  public static void writeAll(ResumingStream s, byte[] data, IntSupplier chunks)
      throws DeviceException {
    int off = 0;
    while (off < data.length) {
      int n = Math.min(chunks.getAsInt(), data.length - off);
      ByteBuffer src = ByteBuffer.wrap(data, off, n);
      while (src.hasRemaining()) {
        int w = s.write(src);
        assertTrue(w > 0 || !src.hasRemaining(), "write accepted nothing");
      }
      off += n;
    }
  }

  /** Saves a source from its current state (no precopy): to STOP_COPY, read all, save config. */
  public static Saved save(DeviceModel src, IntSupplier chunks) throws DeviceException {
    SavingStream s = (SavingStream) src.setState(MigrationState.STOP_COPY).orElseThrow();
    long expected = src.stopCopyLength();
    byte[] stream = readToEnd(s, chunks);
    assertEquals(expected, stream.length, "stopCopyLength at STOP_COPY entry vs bytes read");
    byte[] config = src.saveConfig();
    DeviceDigest digest = src.digest();
    src.setState(MigrationState.STOP);
    return new Saved(stream, config, digest);
  }

  /** Loads {@code saved} into {@code dst}: to RESUMING, write, load config, RESUMING to STOP. */
  public static void load(DeviceModel dst, Saved saved, IntSupplier chunks) throws DeviceException {
    ResumingStream s = (ResumingStream) dst.setState(MigrationState.RESUMING).orElseThrow();
    writeAll(s, saved.stream(), chunks);
    dst.loadConfig(saved.config());
    dst.setState(MigrationState.STOP);
  }

  /** Opens a resuming session on {@code dst} and writes {@code stream}; returns the session. */
  public static ResumingStream startLoad(DeviceModel dst, byte[] stream, IntSupplier chunks)
      throws DeviceException {
    ResumingStream s = (ResumingStream) dst.setState(MigrationState.RESUMING).orElseThrow();
    writeAll(s, stream, chunks);
    return s;
  }
}

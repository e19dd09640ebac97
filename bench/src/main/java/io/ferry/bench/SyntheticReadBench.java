package io.ferry.bench;

import io.ferry.devices.model.DeviceException;
import io.ferry.devices.model.MigrationState;
import io.ferry.devices.model.ReadResult;
import io.ferry.devices.model.ResumingStream;
import io.ferry.devices.model.Role;
import io.ferry.devices.model.SavingStream;
import io.ferry.devices.model.synthetic.SyntheticDevice;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The synthetic device's read path: STOP_COPY reads of {@code chunk} bytes (1 MiB, QEMU's VFIO read
 * size) into one reused direct buffer, from a 16 GiB device with 64 KiB pages. The device generates
 * page content straight into the buffer and keeps the stream CRC32C, exactly as in a migration.
 *
 * <p><b>Unit.</b> One operation is one read of {@code chunk} bytes, so with the default chunk of 1
 * MiB the score in ops/s is MiB/s; divide by 1024 for GiB/s. At the end of a session (every 16 GiB)
 * the device is moved to STOP and back to STOP_COPY, which costs one operation.
 *
 * <p>{@code readAndLoad} adds the destination: the same bytes are written into a synthetic
 * destination, which parses the records, hashes every page and keeps its own CRC32C.
 *
 * <pre>
 * java -jar bench/target/ferry-bench.jar SyntheticReadBench -f 1 -wi 3 -i 5 -t 1
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SyntheticReadBench {

  /** Bytes per read. */
  @Param({"1048576"})
  public int chunk;

  /** State size of the device. */
  @Param({"17179869184"})
  public long size;

  private SyntheticDevice source;
  private SavingStream stream;
  private SyntheticDevice destination;
  private ResumingStream load;
  private ByteBuffer buffer;

  @Setup(Level.Trial)
  public void setUp() throws DeviceException {
    source = SyntheticDevice.builder("bench0").size(size).pageSize(64 << 10).seed(1).build();
    destination =
        SyntheticDevice.builder("bench0")
            .size(size)
            .pageSize(64 << 10)
            .role(Role.DESTINATION)
            .build();
    buffer = ByteBuffer.allocateDirect(chunk);
    source.setState(MigrationState.STOP);
    destination.setState(MigrationState.STOP);
    stream = (SavingStream) source.setState(MigrationState.STOP_COPY).orElseThrow();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    source.close();
    destination.close();
  }

  private void newSession() throws DeviceException {
    source.setState(MigrationState.STOP);
    stream = (SavingStream) source.setState(MigrationState.STOP_COPY).orElseThrow();
  }

  /** One 1 MiB STOP_COPY read; returns the bytes read so that the JIT cannot drop the work. */
  @Benchmark
  public int read() throws DeviceException {
    buffer.clear();
    ReadResult r = stream.read(buffer);
    if (r instanceof ReadResult.Data) {
      return ((ReadResult.Data) r).bytes();
    }
    newSession();
    return 0;
  }

  /** One 1 MiB read from the source and its write into the destination. */
  @Benchmark
  public int readAndLoad() throws DeviceException {
    if (load == null) {
      load = (ResumingStream) destination.setState(MigrationState.RESUMING).orElseThrow();
    }
    buffer.clear();
    ReadResult r = stream.read(buffer);
    if (r instanceof ReadResult.Data) {
      buffer.flip();
      int n = buffer.remaining();
      while (buffer.hasRemaining()) {
        load.write(buffer);
      }
      return n;
    }
    destination.setState(MigrationState.STOP); // validates the whole 16 GiB stream
    load = null;
    newSession();
    return 0;
  }
}

package io.ferry.devices.model.synthetic;

import static io.ferry.devices.model.MigrationState.RESUMING;
import static io.ferry.devices.model.MigrationState.STOP;
import static io.ferry.devices.model.MigrationState.STOP_COPY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.devices.model.DeviceDigest;
import io.ferry.devices.model.ReadResult;
import io.ferry.devices.model.ResumingStream;
import io.ferry.devices.model.Role;
import io.ferry.devices.model.SavingStream;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** One large transfer: 1 GiB + 1 byte, random read sizes, writes re-split at random. */
class SyntheticGigabyteTransferTest {

  @Test
  void oneGibibyteStreamsThroughAnInMemoryPipeAndTheDigestsMatch() throws Exception {
    long size = (1L << 30) + 1;
    SyntheticDevice src = SyntheticDevice.builder("big").size(size).seed(5).build();
    SyntheticDevice dst = SyntheticDevice.builder("big").size(size).role(Role.DESTINATION).build();
    src.writePage(12_345 % src.geometry().pageCount());
    SavingStream out = (SavingStream) src.setState(STOP_COPY).orElseThrow();
    ResumingStream in = (ResumingStream) dst.setState(RESUMING).orElseThrow();
    long expected = src.stopCopyLength();
    SplittableRandom r = new SplittableRandom(17);
    ByteBuffer pipe = ByteBuffer.allocateDirect(2 << 20);
    long moved = 0;
    long t0 = System.nanoTime();
    while (true) {
      pipe.clear();
      pipe.limit(1 + r.nextInt(pipe.capacity()));
      ReadResult res = out.read(pipe);
      if (res instanceof ReadResult.EndOfStream) {
        break;
      }
      pipe.flip();
      moved += pipe.remaining();
      while (pipe.hasRemaining()) {
        int limit = pipe.limit();
        pipe.limit(Math.min(limit, pipe.position() + 1 + r.nextInt(1 << 20)));
        in.write(pipe);
        pipe.limit(limit);
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        "1 GiB synthetic transfer: %d bytes in %.2f s (%.2f GiB/s read+parse+hash)%n",
        moved, seconds, moved / seconds / (1L << 30));
    assertEquals(expected, moved);
    DeviceDigest atStop = src.digest();
    dst.loadConfig(src.saveConfig());
    dst.setState(STOP);
    src.setState(STOP);
    assertTrue(atStop.matches(dst.digest()), atStop.describeMismatch(dst.digest()));
    assertEquals(size, dst.digest().stateBytes());
  }
}

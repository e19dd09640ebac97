package io.ferry.app.progress;

import static io.ferry.app.TestingInfos.completed;
import static io.ferry.app.TestingInfos.running;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.app.TestingInfos;
import io.ferry.engine.coordinator.MigrationStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class LineDisplayTest {
  private static final long MIB = 1 << 20;

  @Test
  void printsTheFirstSnapshotThenAtMostOneLinePerSecond() {
    StringWriter w = new StringWriter();
    LineDisplay d = new LineDisplay(new PrintWriter(w));
    for (long ms = 0; ms <= 2400; ms += 200) {
      d.update(running(MigrationStatus.DEVICE, ms, ms * MIB / 10));
    }
    d.update(completed(TestingInfos.DIGEST));
    d.close();
    String[] lines = w.toString().split("\\R");
    assertEquals(3, lines.length, w.toString());
    assertEquals("progress t=0.0s status=DEVICE sent=2.00KiB rate=0.0MiB/s"
        + " | gpu0 0% 0B/1.00GiB 0.0MiB/s | nic0 100% 4.00KiB/4.00KiB 0.0MiB/s"
        + " | channels main=2.00KiB 0=0B 1=0B", lines[0]);
    assertEquals("progress t=1.0s status=DEVICE sent=100MiB rate=100.0MiB/s"
        + " | gpu0 9% 100MiB/1.00GiB 100.0MiB/s | nic0 100% 4.00KiB/4.00KiB 0.0MiB/s"
        + " | channels main=2.00KiB 0=50.0MiB 1=50.0MiB", lines[1]);
    assertEquals("progress t=2.0s", lines[2].substring(0, 15));
  }
}

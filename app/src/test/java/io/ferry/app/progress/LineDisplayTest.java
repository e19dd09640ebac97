package io.ferry.app.progress;

import static io.ferry.app.TestingInfos.completed;
import static io.ferry.app.TestingInfos.running;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.app.TestingInfos;
import io.ferry.engine.coordinator.MigrationStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineDisplayTest {
  private static final long MIB = 1 << 20;

  @Test
  void printsTheFirstSnapshotThenAtMostOneLinePerSecond() {
    StringWriter w = new StringWriter();
    LineDisplay d = new LineDisplay(new PrintWriter(w));
    for (long ms = 0; ms <= 2400; ms += 200) {
      d.update(ProgressSnapshot.of(running(MigrationStatus.DEVICE, ms, ms * MIB / 10)));
    }
    d.update(ProgressSnapshot.of(completed(TestingInfos.DIGEST)));
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

  @Test
  void aStatusChangeIsPrintedAtOnceWithThePrecopyFigures() {
    StringWriter w = new StringWriter();
    LineDisplay d = new LineDisplay(new PrintWriter(w));
    d.update(ProgressSnapshot.of(running(MigrationStatus.ACTIVE, 1000, 0)));
    ProgressSnapshot.Precopy pass = new ProgressSnapshot.Precopy(2, 128 * MIB, 300 * MIB,
        400 * MIB, 750, 120 * MIB, 300);
    d.update(new ProgressSnapshot(TestingInfos.ID, MigrationStatus.ACTIVE, 1100, 128 * MIB, 1100,
        List.of(0L, 0L), 1100, pass, List.of(), 1100));
    d.update(new ProgressSnapshot(TestingInfos.ID, MigrationStatus.DEVICE, 1300, 128 * MIB, 1300,
        List.of(0L, 0L), 1300, pass,
        List.of(new ProgressSnapshot.Device("gpu0", true, true, "STOP_COPY", 128 * MIB,
            128 * MIB, 300 * MIB)), 1300));
    String[] lines = w.toString().split("\\R");
    assertEquals(2, lines.length, "the pass alone is no new line:\n" + w);
    assertTrue(lines[1].startsWith("progress t=1.3s status=DEVICE pass=2 precopied=128MiB "
        + "pending=300MiB expected-downtime=750ms sent=128MiB "), lines[1]);
    assertTrue(lines[1].contains(" | gpu0 STOP_COPY 29% 128MiB/428MiB "), lines[1]);
  }
}

package io.ferry.app.progress;

import static io.ferry.app.TestingInfos.running;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.app.TestingInfos;
import io.ferry.engine.coordinator.MigrationStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressTrackerTest {
  private static final long MIB = 1 << 20;

  private static ProgressSnapshot at(long ms, long gpuSent) {
    return ProgressSnapshot.of(running(MigrationStatus.DEVICE, ms, gpuSent));
  }

  @Test
  void aFirstSnapshotHasNoRateYet() {
    ProgressTracker.Frame f = new ProgressTracker().next(at(100, 0));
    assertEquals(0, f.bytesPerSecond());
    assertEquals(MigrationStatus.DEVICE, f.status());
    assertEquals("DEVICE", f.phase());
    assertEquals(2, f.devices().size());
    assertEquals(3, f.channels().size(), "main plus two multifd channels");
  }

  @Test
  void ratesComeFromTheMigrationsOwnClock() {
    ProgressTracker t = new ProgressTracker();
    t.next(at(1000, 0));
    ProgressTracker.Frame f = t.next(at(1500, 100 * MIB));
    assertEquals(200.0 * MIB, f.devices().get(0).bytesPerSecond(), 1.0);
    assertEquals(100.0 * MIB, f.channels().get(1).bytesPerSecond(), 1.0);
    assertEquals(0, f.channels().get(0).bytesPerSecond(), "main channel did not move");
    assertEquals(200.0 * MIB, f.bytesPerSecond(), 1.0, "the sum of the channel rates");
  }

  @Test
  void eachFigureIsRatedAtItsOwnTime() {
    ProgressTracker t = new ProgressTracker();
    // The device figures are 400 ms older than the channels' (a slower poll).
    t.next(new ProgressSnapshot(TestingInfos.ID, MigrationStatus.DEVICE, 1000, 0, 1000,
        List.of(0L), 1000, ProgressSnapshot.Precopy.NONE,
        List.of(new ProgressSnapshot.Device("gpu0", true, false, null, 0, 0, 1L << 30)), 600));
    ProgressTracker.Frame f = t.next(new ProgressSnapshot(TestingInfos.ID,
        MigrationStatus.DEVICE, 1500, 0, 1500, List.of(50 * MIB), 1500,
        ProgressSnapshot.Precopy.NONE,
        List.of(new ProgressSnapshot.Device("gpu0", true, false, null, 50 * MIB, 0, 1L << 30)),
        1100));
    assertEquals(100.0 * MIB, f.channels().get(1).bytesPerSecond(), 1.0);
    assertEquals(100.0 * MIB, f.devices().get(0).bytesPerSecond(), 1.0);
  }

  @Test
  void theRateWindowSlidesOverTheLastSecond() {
    ProgressTracker t = new ProgressTracker();
    // 100 MiB/s for two seconds, then 300 MiB/s.
    long sent = 0;
    for (long ms = 0; ms <= 2000; ms += 200) {
      t.next(at(ms, sent));
      sent += 20 * MIB;
    }
    sent -= 20 * MIB;
    ProgressTracker.Frame f = null;
    for (long ms = 2200; ms <= 4000; ms += 200) {
      sent += 60 * MIB;
      f = t.next(at(ms, sent));
    }
    assertEquals(300.0 * MIB, f.devices().get(0).bytesPerSecond(), MIB);
  }

  @Test
  void percentIsCappedAndZeroWhileTheExpectedTotalIsUnknown() {
    assertEquals(0, new ProgressTracker.DeviceRow("d", "main", null, false, 10, 0, 0).percent());
    assertEquals(50, new ProgressTracker.DeviceRow("d", "main", null, false, 5, 10, 0).percent());
    assertEquals(100,
        new ProgressTracker.DeviceRow("d", "main", null, false, 12, 10, 0).percent());
  }

  @Test
  void aPrecopyDeviceIsMeasuredAgainstItsPrecopyBytesPlusItsPendingStopCopySize() {
    ProgressSnapshot.Device d =
        new ProgressSnapshot.Device("gpu0", true, true, "PRE_COPY", 600 * MIB, 512 * MIB,
            1024 * MIB);
    assertEquals(1536 * MIB, d.expectedTotal());
  }
}

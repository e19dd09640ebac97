package io.ferry.app.progress;

import static io.ferry.app.TestingInfos.running;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.engine.coordinator.MigrationStatus;
import org.junit.jupiter.api.Test;

class ProgressTrackerTest {
  private static final long MIB = 1 << 20;

  @Test
  void aFirstSnapshotHasNoRateYet() {
    ProgressTracker.Frame f = new ProgressTracker().next(running(MigrationStatus.DEVICE, 100, 0));
    assertEquals(0, f.bytesPerSecond());
    assertEquals(MigrationStatus.DEVICE, f.status());
    assertEquals(2, f.devices().size());
    assertEquals(3, f.channels().size(), "main plus two multifd channels");
  }

  @Test
  void ratesComeFromTheMigrationsOwnClock() {
    ProgressTracker t = new ProgressTracker();
    t.next(running(MigrationStatus.DEVICE, 1000, 0));
    ProgressTracker.Frame f = t.next(running(MigrationStatus.DEVICE, 1500, 100 * MIB));
    assertEquals(200.0 * MIB, f.devices().get(0).bytesPerSecond(), 1.0);
    assertEquals(100.0 * MIB, f.channels().get(1).bytesPerSecond(), 1.0);
    assertEquals(0, f.channels().get(0).bytesPerSecond(), "main channel did not move");
  }

  @Test
  void theRateWindowSlidesOverTheLastSecond() {
    ProgressTracker t = new ProgressTracker();
    // 100 MiB/s for two seconds, then 300 MiB/s.
    long sent = 0;
    for (long ms = 0; ms <= 2000; ms += 200) {
      t.next(running(MigrationStatus.DEVICE, ms, sent));
      sent += 20 * MIB;
    }
    sent -= 20 * MIB;
    ProgressTracker.Frame f = null;
    for (long ms = 2200; ms <= 4000; ms += 200) {
      sent += 60 * MIB;
      f = t.next(running(MigrationStatus.DEVICE, ms, sent));
    }
    assertEquals(300.0 * MIB, f.devices().get(0).bytesPerSecond(), MIB);
  }

  @Test
  void percentIsCappedAndZeroWhileTheEstimateIsUnknown() {
    assertEquals(0, new ProgressTracker.DeviceRow("d", "main", 10, 0, 0).percent());
    assertEquals(50, new ProgressTracker.DeviceRow("d", "main", 5, 10, 0).percent());
    assertEquals(100, new ProgressTracker.DeviceRow("d", "main", 12, 10, 0).percent());
  }
}

package io.ferry.app.progress;

import static io.ferry.app.TestingInfos.running;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.engine.coordinator.MigrationStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BarDisplayTest {
  private static final long MIB = 1 << 20;

  private static ProgressSnapshot at(MigrationStatus status, long ms, long gpuSent) {
    return ProgressSnapshot.of(running(status, ms, gpuSent));
  }

  @Test
  void redrawsInPlaceByMovingUpOverThePreviousFrame() {
    StringWriter w = new StringWriter();
    BarDisplay d = new BarDisplay(new PrintWriter(w), 120);
    d.update(at(MigrationStatus.DEVICE, 100, 0));
    String first = w.toString();
    assertTrue(!first.contains(BarDisplay.ESC + "6F"), "nothing to move over yet");
    // Header, two devices, main and two multifd channels.
    assertEquals(6, first.split("\n", -1).length - 1);
    d.update(at(MigrationStatus.DEVICE, 300, 512 * MIB));
    String second = w.toString().substring(first.length());
    assertTrue(second.startsWith(BarDisplay.ESC + "6F" + BarDisplay.ESC + "2K"), second);
  }

  @Test
  void aDeviceBarFillsWithItsShareOfTheStopCopyEstimate() {
    BarDisplay d = new BarDisplay(new PrintWriter(new StringWriter()), 120);
    List<String> lines = d.lines(new ProgressTracker().next(at(MigrationStatus.DEVICE, 100,
        512 * MIB)));
    String gpu = lines.get(1);
    assertTrue(gpu.contains("[###############---------------]"), gpu);
    assertTrue(gpu.contains("512 MiB/1.00 GiB   50%"), gpu);
    assertTrue(gpu.endsWith("multifd"), gpu);
    assertTrue(lines.get(0).startsWith("migration 3c0c1a2e DEVICE"), lines.get(0));
    assertTrue(lines.get(3).trim().startsWith("channel main"), lines.get(3));
  }

  @Test
  void aPrecopyingMigrationShowsItsPassTheExpectedDowntimeAndDeviceStates() {
    ProgressSnapshot polled = at(MigrationStatus.ACTIVE, 2000, 256 * MIB);
    ProgressSnapshot s = new ProgressSnapshot(polled.migrationId(), MigrationStatus.ACTIVE, 2000,
        256 * MIB, 2000, List.of(0L, 0L), 2000,
        new ProgressSnapshot.Precopy(3, 256 * MIB, 900 * MIB, 450 * MIB, 2000, 135 * MIB, 300),
        List.of(new ProgressSnapshot.Device("gpu0", true, true, "PRE_COPY", 256 * MIB, 256 * MIB,
                768 * MIB),
            ProgressSnapshot.of(running(MigrationStatus.ACTIVE, 2000, 0), Map.of("nic0",
                "RUNNING")).devices().get(1)),
        2000);
    BarDisplay d = new BarDisplay(new PrintWriter(new StringWriter()), 140);
    List<String> lines = d.lines(new ProgressTracker().next(s));
    assertTrue(lines.get(0).startsWith("migration 3c0c1a2e ACTIVE pass 3 "), lines.get(0));
    assertEquals("  precopy: 256 MiB in 3 passes, pending 900 MiB, expected downtime 2000 ms "
        + "(limit 300 ms)", lines.get(1));
    assertTrue(lines.get(2).contains("256 MiB/1.00 GiB   25%"), lines.get(2));
    assertTrue(lines.get(2).endsWith(" PRE_COPY   multifd"), lines.get(2));
    assertTrue(lines.get(3).endsWith(" RUNNING    main"), lines.get(3));
  }

  @Test
  void nothingIsDrawnAfterClose() {
    StringWriter w = new StringWriter();
    BarDisplay d = new BarDisplay(new PrintWriter(w), 120);
    d.update(at(MigrationStatus.DEVICE, 100, 0));
    int drawn = w.toString().length();
    d.close();
    d.update(at(MigrationStatus.DEVICE, 300, 512 * MIB));
    assertEquals(drawn, w.toString().length());
  }

  @Test
  void noLineIsWiderThanTheTerminal() {
    StringWriter w = new StringWriter();
    BarDisplay d = new BarDisplay(new PrintWriter(w), 60);
    d.update(at(MigrationStatus.DEVICE, 100, 512 * MIB));
    for (String line : w.toString().split("\n")) {
      String visible = line.replace(BarDisplay.ESC + "2K", "");
      assertTrue(visible.length() < 60, visible.length() + ": " + visible);
    }
  }
}

package io.ferry.app.progress;

import static io.ferry.app.TestingInfos.running;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.engine.coordinator.MigrationStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class BarDisplayTest {
  private static final long MIB = 1 << 20;

  @Test
  void redrawsInPlaceByMovingUpOverThePreviousFrame() {
    StringWriter w = new StringWriter();
    BarDisplay d = new BarDisplay(new PrintWriter(w), 120);
    d.update(running(MigrationStatus.DEVICE, 100, 0));
    String first = w.toString();
    assertTrue(!first.contains(BarDisplay.ESC + "6F"), "nothing to move over yet");
    // Header, two devices, main and two multifd channels.
    assertEquals(6, first.split("\n", -1).length - 1);
    d.update(running(MigrationStatus.DEVICE, 300, 512 * MIB));
    String second = w.toString().substring(first.length());
    assertTrue(second.startsWith(BarDisplay.ESC + "6F" + BarDisplay.ESC + "2K"), second);
  }

  @Test
  void aDeviceBarFillsWithItsShareOfTheStopCopyEstimate() {
    BarDisplay d = new BarDisplay(new PrintWriter(new StringWriter()), 120);
    List<String> lines =
        d.lines(new ProgressTracker().next(running(MigrationStatus.DEVICE, 100, 512 * MIB)));
    String gpu = lines.get(1);
    assertTrue(gpu.contains("[###############---------------]"), gpu);
    assertTrue(gpu.contains("512 MiB / 1.00 GiB   50%"), gpu);
    assertTrue(gpu.endsWith("multifd"), gpu);
    assertTrue(lines.get(0).startsWith("migration 3c0c1a2e DEVICE"), lines.get(0));
    assertTrue(lines.get(3).trim().startsWith("channel main"), lines.get(3));
  }

  @Test
  void nothingIsDrawnAfterClose() {
    StringWriter w = new StringWriter();
    BarDisplay d = new BarDisplay(new PrintWriter(w), 120);
    d.update(running(MigrationStatus.DEVICE, 100, 0));
    int drawn = w.toString().length();
    d.close();
    d.update(running(MigrationStatus.DEVICE, 300, 512 * MIB));
    assertEquals(drawn, w.toString().length());
  }

  @Test
  void noLineIsWiderThanTheTerminal() {
    StringWriter w = new StringWriter();
    BarDisplay d = new BarDisplay(new PrintWriter(w), 60);
    d.update(running(MigrationStatus.DEVICE, 100, 512 * MIB));
    for (String line : w.toString().split("\n")) {
      String visible = line.replace(BarDisplay.ESC + "2K", "");
      assertTrue(visible.length() < 60, visible.length() + ": " + visible);
    }
  }
}

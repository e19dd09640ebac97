package io.ferry.devices.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.engine.config.MigrationParameters;
import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.coordinator.MigrationStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Credit-based flow control between two nodes: a destination device slower than the wire keeps
 * its queued bytes under the cap without failing the migration, and many devices sharing few
 * channels all complete (docs/features/flow-control.md has the argument why it cannot deadlock).
 */
class FlowControlTest {

  @Test
  void aSlowDestinationDeviceKeepsQueuedBytesUnderTheCapWithoutFailing() {
    String src = "{ id = \"slow0\", model { type = synthetic, size = 96 MiB, seed = 8 } }";
    String dst = "{ id = \"slow0\", model { type = faulty, rate-limit = 48 MiB,"
        + " inner { type = synthetic, size = 96 MiB, seed = 8 } } }";
    long cap = 8L << 20;
    // The cap is the destination's own knob: its memory, its limit.
    try (TwoNodes n = new TwoNodes(src, dst, "ferry.migration.max-queued-bytes = " + cap)) {
      MigrationParameters p = n.params().withChannels(4);
      MigrationInfo info = n.migrate(p, List.of("slow0"));
      assertEquals(MigrationStatus.COMPLETED, info.status(), info.error());
      assertTrue(info.succeeded(), info.devices().toString());
      long peak = info.devices().get(0).destinationPeakQueuedBytes();
      assertTrue(peak > 0 && peak <= cap, "peak queued " + peak + " against a cap of " + cap);
      // The device, not the wire, set the pace: ~2 s for 96 MiB at 48 MiB/s.
      assertTrue(info.downtimeMs() >= 1500, "downtime " + info.downtimeMs());
    }
  }

  @Test
  void sixteenDevicesOverTwoChannelsAllComplete() {
    List<String> ids = new ArrayList<>();
    StringBuilder devices = new StringBuilder();
    for (int i = 0; i < 16; i++) {
      String id = "dev" + i;
      ids.add(id);
      devices.append(i == 0 ? "" : ", ").append("{ id = \"").append(id)
          .append("\", model { type = synthetic, size = 12 MiB, seed = ").append(100 + i)
          .append(" } }");
    }
    try (TwoNodes n = new TwoNodes(devices.toString(), devices.toString(),
        "ferry.migration { max-queued-bytes = 1 MiB, chunk-size = 256 KiB }")) {
      // A small window per device: every device waits for credit many times, out of order.
      MigrationParameters p = n.params().withChannels(2).withChunkSize(256 << 10);
      MigrationInfo info = n.migrate(p, ids);
      assertEquals(MigrationStatus.COMPLETED, info.status(), info.error());
      assertTrue(info.succeeded(), info.devices().toString());
      assertEquals(16, info.devices().size());
      for (MigrationInfo.DeviceReport r : info.devices()) {
        assertTrue(r.destinationPeakQueuedBytes() <= 1L << 20, r.toString());
      }
    }
  }
}

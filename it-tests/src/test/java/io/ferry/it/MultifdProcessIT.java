package io.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.it.MigrationScenario.Outcome;
import io.ferry.it.process.Device;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Successful migrations between two {@code ferry node} processes: multifd with 1, 2 and 8
 * channels, the legacy path ({@code --multifd off}) and a mix of per-device multifd-transfer
 * settings. Each checks the report (mode per device, one byte count per channel, digests), the
 * destination devices running the source's state, and both nodes idle afterwards.
 */
class MultifdProcessIT extends ProcessSuite {
  private static final String GPU = "0000:00:03.0/vfio";
  private static final String NIC = "nic0";
  private static final String GPU2 = "0000:00:04.0/vfio";

  private static MigrationScenario threeDevices(String name) {
    return MigrationScenario.named(name).sourceDevices(
        Device.synthetic(GPU, "96 MiB", 42),
        Device.configOnly(NIC, 8, 7),
        Device.synthetic(GPU2, "16 MiB", 5));
  }

  private static void assertChannels(JsonNode report, int channels) {
    assertEquals(channels, report.get("multifdChannelBytes").size(), report.toString());
    long sum = report.get("mainChannelBytes").asLong();
    for (JsonNode c : report.get("multifdChannelBytes")) {
      assertTrue(c.asLong() > 0, "every channel carried data: " + report);
      sum += c.asLong();
    }
    assertEquals(report.get("totalBytes").asLong(), sum, "total = main + every channel");
  }

  private static void assertModes(JsonNode report, List<String> modes) {
    List<String> actual = new java.util.ArrayList<>();
    report.get("devices").forEach(d -> actual.add(d.get("mode").asText()));
    assertEquals(modes, actual, report.toString());
  }

  @Test
  void oneChannelCarriesEveryDevice() throws Exception {
    JsonNode report = threeDevices("1 channel").options("--channels", "1")
        .expect(Outcome.SUCCEEDS).run(ws, probe).report();
    assertChannels(report, 1);
    assertModes(report, List.of("multifd", "multifd", "multifd"));
  }

  @Test
  void twoChannels() throws Exception {
    JsonNode report = threeDevices("2 channels").options("--channels", "2")
        .expect(Outcome.SUCCEEDS).run(ws, probe).report();
    assertChannels(report, 2);
    assertEquals(2, report.get("parameters").get("multifdChannels").asInt());
  }

  @Test
  void eightChannels() throws Exception {
    JsonNode report = threeDevices("8 channels").options("--channels", "8", "--chunk-size",
        "512KiB").expect(Outcome.SUCCEEDS).run(ws, probe).report();
    assertChannels(report, 8);
    assertEquals(512 * 1024, report.get("parameters").get("chunkSize").asInt());
  }

  @Test
  void legacyModeSendsEverythingOnTheMainChannel() throws Exception {
    JsonNode report = threeDevices("legacy").options("--multifd", "off")
        .expect(Outcome.SUCCEEDS).run(ws, probe).report();
    assertEquals(0, report.get("multifdChannelBytes").size(), report.toString());
    assertEquals(report.get("totalBytes").asLong(), report.get("mainChannelBytes").asLong());
    assertTrue(report.get("mainChannelBytes").asLong() > 112L << 20, report.toString());
    assertModes(report, List.of("main", "main", "main"));
  }

  @Test
  void mixedPerDeviceMultifdTransferSettings() throws Exception {
    // on: multifd; off: main channel although multifd is on; auto: multifd.
    Device[] devices = {
      Device.synthetic(GPU, "64 MiB", 42).withMultifdTransfer("on"),
      Device.configOnly(NIC, 8, 7).withMultifdTransfer("off"),
      Device.synthetic(GPU2, "16 MiB", 5).withMultifdTransfer("auto")
    };
    JsonNode report = MigrationScenario.named("mixed").sourceDevices(devices)
        .options("--channels", "2").expect(Outcome.SUCCEEDS).run(ws, probe).report();
    assertModes(report, List.of("multifd", "main", "multifd"));
    assertChannels(report, 2);
  }
}

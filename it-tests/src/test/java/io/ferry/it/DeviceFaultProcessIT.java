package io.ferry.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.it.MigrationScenario.Outcome;
import io.ferry.it.process.Device;
import org.junit.jupiter.api.Test;

/**
 * Faults of the {@code faulty} device model (docs/devices.md §2.4) in a migration between two
 * node processes: an arc that fails, a read error mid-stream, a slow device, and a destination
 * whose validation at RESUMING -> STOP fails. Each failure must end FAILED with the device's
 * error, the source device running with its state unchanged, the destination device reset, and
 * the nodes migrating again (every fault fires once per device).
 */
class DeviceFaultProcessIT extends ProcessSuite {
  private static final String DEV = "0000:00:04.0/vfio";
  private static final String INNER = Device.syntheticModel("32 MiB", 9);

  private static MigrationScenario faultySource(String name, String faults) {
    return MigrationScenario.named(name)
        .sourceDevices(Device.faulty(DEV, faults, INNER))
        .destinationDevices(Device.synthetic(DEV, "32 MiB", 9))
        .options("--channels", "2");
  }

  @Test
  void aFailingStopCopyArcFailsTheMigration() throws Exception {
    faultySource("arc failure", "fail-arc = \"STOP->STOP_COPY\"")
        .expect(Outcome.FAILS_SOURCE_KEEPS_RUNNING).errorContains("STOP_COPY")
        .run(ws, probe);
  }

  @Test
  void aReadErrorMidStreamFailsTheMigration() throws Exception {
    faultySource("read error", "read-error-after = 8 MiB")
        .expect(Outcome.FAILS_SOURCE_KEEPS_RUNNING).errorContains(DEV + ": read: ")
        .run(ws, probe);
  }

  @Test
  void aSlowDeviceStillMigratesAndItsDowntimeShowsTheRate() throws Exception {
    JsonNode report = faultySource("slow device", "rate-limit = 16 MiB")
        .expect(Outcome.SUCCEEDS).run(ws, probe).report();
    // 32 MiB at 16 MiB/s: the stop-copy read alone takes two seconds of downtime.
    assertTrue(report.get("downtimeMs").asLong() >= 1_800, report.toString());
  }

  @Test
  void aDestinationValidationFailureFailsTheMigration() throws Exception {
    MigrationScenario.named("destination validation failure")
        .sourceDevices(Device.synthetic(DEV, "32 MiB", 9))
        .destinationDevices(Device.faulty(DEV, "corrupt-at-resume-stop = on", INNER))
        .options("--channels", "2")
        .expect(Outcome.FAILS_SOURCE_KEEPS_RUNNING).errorContains("RESUMING -> STOP")
        .run(ws, probe);
  }
}

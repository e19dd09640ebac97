package io.ferry.app.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.ferry.app.TestingInfos;
import io.ferry.engine.config.MigrationParameters;
import io.ferry.engine.coordinator.MigrationInfo;
import org.junit.jupiter.api.Test;

class MigrationReportTest {
  static final MigrationParameters PARAMS =
      MigrationParameters.fromConfig(ConfigFactory.load().getConfig("ferry.migration"));
  static final RunSettings SETTINGS = new RunSettings("akka://src@127.0.0.1:1",
      "akka://dst@127.0.0.1:2", PARAMS.withPrecopy(PARAMS.precopy().withMaxBandwidth(100L << 20)));
  static final RunSettings ACK_SETTINGS = new RunSettings("akka://src@127.0.0.1:1",
      "akka://dst@127.0.0.1:2", PARAMS.withPrecopy(PARAMS.precopy().withSwitchoverAck(true)
          .withLimits(8, java.time.Duration.ofSeconds(30))));

  @Test
  void theReportHasEveryQueryMigrateFigureAndADeviceTable() {
    String text = MigrationReport.text(TestingInfos.completed(TestingInfos.DIGEST), SETTINGS);
    for (String expected : new String[] {"status:              COMPLETED",
        "setup:               40 ms", "total time:          2500 ms",
        "downtime:            120 ms", "total bytes:         1.00 GiB (1073743872 B)",
        "main channel:        2.00 KiB (2048 B)", "multifd channel 0:   512 MiB",
        "multifd channel 1:   512 MiB", "throughput:          409.6 MiB/s",
        "max bandwidth:       100 MiB/s (precopy only)",
        "source:              akka://src@127.0.0.1:1"}) {
      assertTrue(text.contains(expected), "missing '" + expected + "' in\n" + text);
    }
    String[] lines = text.split("\n");
    String head = null;
    String gpu = null;
    for (String l : lines) {
      head = l.trim().startsWith("device ") ? l : head;
      gpu = l.trim().startsWith("gpu0 ") ? l : gpu;
    }
    assertEquals("  device  mode     precopy  chunks     bytes  digest   source        destination"
        + "   match", head);
    assertEquals("  gpu0    multifd      off    1024  1.00 GiB  sha-256  abababababab  abababababab"
        + "  yes", gpu);
    for (String expected : new String[] {"expected downtime:   -\n", "precopy passes:      0\n",
        "precopy bytes:       0 B\n", "switchover-ack:      no (off)\n",
        "precopy limits:      no pass limit, max time 120.0 s\n"}) {
      assertTrue(text.contains(expected), "missing '" + expected + "' in\n" + text);
    }
  }

  @Test
  void aPrecopyMigrationReportsItsPassesBytesExpectedDowntimeAndSwitchoverAck() {
    MigrationInfo info = TestingInfos.completedWithPrecopy();
    String text = MigrationReport.text(info, ACK_SETTINGS);
    for (String expected : new String[] {"  downtime:            250 ms\n",
        "  expected downtime:   78 ms (after the last precopy pass)\n",
        "  precopy passes:      4\n", "  precopy bytes:       1.00 GiB (1073741824 B)\n",
        "  switchover-ack:      yes\n", "  downtime limit:      300 ms\n",
        "  precopy limits:      max 8 passes, max time 30.0 s\n"}) {
      assertTrue(text.contains(expected), "missing '" + expected + "' in\n" + text);
    }
    String gpu = text.lines().filter(l -> l.startsWith("  gpu0 ")).findFirst().orElseThrow();
    assertTrue(gpu.startsWith("  gpu0    multifd  1.00 GiB      64  64.0 MiB  sha-256"), gpu);
    String nic = text.lines().filter(l -> l.startsWith("  nic0 ")).findFirst().orElseThrow();
    assertTrue(nic.startsWith("  nic0    main          off       0  4.00 KiB"), nic);
    // Without the settings (ferry status), the limit comes from the info.
    String status = MigrationReport.text(info, null);
    assertTrue(status.contains("  downtime limit:      300 ms\n"), status);
    assertTrue(status.contains("  switchover-ack:      yes\n"), status);
  }

  @Test
  void aRequestedSwitchoverAckThatNeverCameSaysSo() {
    String text = MigrationReport.text(TestingInfos.failed("did not converge"), ACK_SETTINGS);
    assertTrue(text.contains("  switchover-ack:      no (requested, not received)\n"), text);
  }

  @Test
  void aSucceededMigrationHasNoErrorLine() {
    assertNull(MigrationReport.errorLine(TestingInfos.completed(TestingInfos.DIGEST)));
  }

  @Test
  void aDigestMismatchFailsACompletedMigration() {
    MigrationInfo info = TestingInfos.completed(TestingInfos.OTHER);
    assertFalse(info.succeeded());
    assertEquals("migration " + TestingInfos.ID
        + " completed but the destination state differs for gpu0", MigrationReport.errorLine(info));
    assertTrue(MigrationReport.text(info, null).contains("  no\n"));
  }

  @Test
  void aFailedMigrationsErrorIsItsErrorLine() {
    MigrationInfo info = TestingInfos.failed("destination refused the migration: no devices");
    assertEquals("migration " + TestingInfos.ID
        + " FAILED: destination refused the migration: no devices",
        MigrationReport.errorLine(info));
    String text = MigrationReport.text(info, null);
    assertTrue(text.contains("setup:               -"), text);
    assertTrue(text.contains("multifd channels:    none"), text);
    assertTrue(text.contains("error:               destination refused"), text);
  }
}

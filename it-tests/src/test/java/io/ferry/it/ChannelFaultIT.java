package io.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.devices.model.DeviceDigest;
import io.ferry.devices.model.MigrationState;
import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.coordinator.MigrationStatus;
import io.ferry.it.proxy.Fault;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Data-channel faults between two nodes: a cut, stalled or corrupted channel must fail the
 * migration within its timeout, never load bad data, leave the source device RUNNING with its
 * state unchanged and the destination device reset, and the nodes must migrate again afterwards.
 */
class ChannelFaultIT {
  private static final String DEV = "0000:00:05.0/vfio";
  private static final String DEVICES =
      "{ id = \"" + DEV + "\", model { type = synthetic, size = 192 MiB, seed = 11 } }";

  private static void assertSourceUnchanged(ProxiedNodes n, DeviceDigest before) {
    assertEquals(MigrationState.RUNNING, n.source.models().get(DEV).state());
    assertEquals(before, n.source.models().get(DEV).digest());
    assertNotEquals(MigrationState.RESUMING, n.destination.models().get(DEV).state());
  }

  private static void assertMigratesAgain(ProxiedNodes n) {
    n.proxy.armAll(Fault.none());
    MigrationInfo again = n.migrate(n.params().withChannels(2), List.of(DEV));
    assertEquals(MigrationStatus.COMPLETED, again.status(), again.error());
    assertTrue(again.succeeded(), again.devices().toString());
  }

  @Test
  void aMultifdChannelCutMidTransferFailsTheMigration() throws Exception {
    try (ProxiedNodes n = new ProxiedNodes(DEVICES, "")) {
      DeviceDigest before = n.source.models().get(DEV).digest();
      // The main channel carries a few KiB in multifd mode: only multifd channels reach 8 MiB.
      n.proxy.armAll(Fault.cutAfter(8 << 20));
      MigrationInfo info = n.migrate(n.params().withChannels(2), List.of(DEV));
      assertEquals(MigrationStatus.FAILED, info.status());
      assertTrue(info.error().contains("channel"), info.error());
      assertSourceUnchanged(n, before);
      assertMigratesAgain(n);
    }
  }

  @Test
  void theMainChannelCutInLegacyModeFailsTheMigration() throws Exception {
    try (ProxiedNodes n = new ProxiedNodes(DEVICES, "")) {
      DeviceDigest before = n.source.models().get(DEV).digest();
      n.proxy.armAll(Fault.resetAfter(8 << 20));
      MigrationInfo info = n.migrate(n.params().withMultifd(false), List.of(DEV));
      assertEquals(MigrationStatus.FAILED, info.status());
      assertTrue(info.error().contains("main channel"), info.error());
      assertSourceUnchanged(n, before);
      assertMigratesAgain(n);
    }
  }

  @Test
  void aCorruptedByteInADeviceChunkIsDetectedAndNeverLoaded() throws Exception {
    try (ProxiedNodes n = new ProxiedNodes(DEVICES, "")) {
      DeviceDigest before = n.source.models().get(DEV).digest();
      n.proxy.armAll(Fault.corruptByteAt(5 << 20, 0x40));
      MigrationInfo info = n.migrate(n.params().withChannels(2), List.of(DEV));
      assertEquals(MigrationStatus.FAILED, info.status());
      assertTrue(info.error().toLowerCase().contains("crc"), info.error());
      assertSourceUnchanged(n, before);
      assertMigratesAgain(n);
    }
  }

  @Test
  void aChannelStalledBeyondTheIdleTimeoutFailsWithinIt() throws Exception {
    try (ProxiedNodes n = new ProxiedNodes(DEVICES,
        "ferry.migration.timeouts.channel-idle = 2 s")) {
      DeviceDigest before = n.source.models().get(DEV).digest();
      n.proxy.armAll(Fault.stallAfter(8 << 20));
      long start = System.nanoTime();
      MigrationInfo info = n.migrate(n.params().withChannels(2), List.of(DEV));
      long tookMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
      assertEquals(MigrationStatus.FAILED, info.status());
      assertTrue(tookMs < 20_000, "ended after " + tookMs + " ms: " + info.error());
      for (int i = 0; i < n.proxy.connectionsAccepted(); i++) {
        n.proxy.release(i);
      }
      assertSourceUnchanged(n, before);
      assertMigratesAgain(n);
    }
  }
}

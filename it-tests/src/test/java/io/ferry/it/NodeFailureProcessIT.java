package io.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.coordinator.MigrationStatus;
import io.ferry.it.MigrationScenario.Outcome;
import io.ferry.it.process.CommandResult;
import io.ferry.it.process.Device;
import io.ferry.it.proxy.Direction;
import io.ferry.it.proxy.Fault;
import io.ferry.it.proxy.FaultProxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A node process killed with SIGKILL in the middle of a migration (no shutdown hook, sockets reset
 * by the kernel, Artery's death watch the only notice the peer gets besides the channels). A dead
 * destination fails the migration and leaves the source running unchanged, ready to migrate to a
 * new destination process; a dead source leaves the destination to clean up by itself (no
 * incoming migration left, devices reset) and ready for a new source process.
 *
 * <p>The windows are made long and deterministic with a {@code faulty} source device whose reads
 * are rate-limited, and the kill is timed on the status the source reports (DEVICE with some MiB
 * sent) or on the proxy's byte counts.
 */
class NodeFailureProcessIT extends ProcessSuite {
  private static final String DEV = "0000:00:06.0/vfio";

  /** 64 MiB read at 16 MiB/s: four seconds of DEVICE status. */
  private static MigrationScenario slowSource(String name) {
    return MigrationScenario.named(name)
        .sourceDevices(Device.faulty(DEV, "rate-limit = 16 MiB",
            Device.syntheticModel("64 MiB", 21)))
        .destinationDevices(Device.synthetic(DEV, "64 MiB", 21))
        .options("--channels", "2");
  }

  @Test
  void theDestinationKilledDuringTheSwitchoverFailsTheMigrationAndTheSourceRunsOn()
      throws Exception {
    slowSource("destination killed during switchover")
        .hook(run -> {
          run.awaitStatus(MigrationStatus.DEVICE, 8 << 20);
          run.killDestination();
        })
        .expect(Outcome.DESTINATION_KILLED_SOURCE_KEEPS_RUNNING).errorContains("destination")
        .run(ws, probe);
  }

  @Test
  void theSourceKilledDuringTheSwitchoverLeavesACleanDestination() throws Exception {
    slowSource("source killed during switchover")
        .hook(run -> {
          run.awaitStatus(MigrationStatus.DEVICE, 8 << 20);
          run.killSource();
        })
        .expect(Outcome.SOURCE_KILLED_DESTINATION_CLEANS_UP)
        .run(ws, probe);
  }

  /**
   * The destination dies while its device is loading the config chunk, the last step of a load:
   * with one multifd channel the config chunk is the channel's last packet before CHANNEL_END,
   * so a proxy that stalls the channel 16 bytes into that packet holds the destination with
   * every data chunk delivered and the config in flight. The stall offset comes from a first,
   * clean migration of a twin device (same id length, size, seed) through the same proxy.
   */
  @Test
  void theDestinationKilledDuringConfigLoadFailsTheMigrationAndTheSourceRunsOn()
      throws Exception {
    String twin = "0000:00:06.1/vfio";
    AtomicLong stallAt = new AtomicLong();
    MigrationScenario.named("destination killed during config load")
        .sourceDevices(Device.synthetic(twin, "16 MiB", 21), Device.synthetic(DEV, "16 MiB", 21))
        .migrate(DEV)
        .options("--channels", "1")
        .throughProxy(Fault.none())
        .beforeMigration(run -> {
          FaultProxy proxy = run.proxy();
          CommandResult baseline = run.client().startMigrate(run.source().address(),
              run.destination().address(), List.of(twin), List.of("--channels", "1"))
              .await(Duration.ofSeconds(60));
          assertEquals(0, baseline.exitCode(), baseline.toString());
          JsonNode device = baseline.json().get("devices").get(0);
          long channelBytes = Math.max(proxy.bytesForwarded(0, Direction.CLIENT_TO_TARGET),
              proxy.bytesForwarded(1, Direction.CLIENT_TO_TARGET));
          assertEquals(baseline.json().get("multifdChannelBytes").get(0).asLong(), channelBytes,
              "the proxy saw exactly the bytes the source counted on its one multifd channel");
          // ... | DeviceStatePacket(config chunk) | ChannelEnd (12 bytes)
          long configPacket = 25 + DEV.getBytes(StandardCharsets.UTF_8).length + 12
              + device.get("configBytes").asLong();
          stallAt.set(channelBytes - 12 - configPacket + 16);
          proxy.armAll(Fault.stallAfter(stallAt.get()));
        })
        .hook(run -> {
          FaultProxy proxy = run.proxy();
          long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
          int stalled = -1;
          while (stalled < 0 && System.nanoTime() < deadline) {
            for (int i = 2; i < proxy.connectionsAccepted(); i++) {
              if (proxy.faultTriggered(i)) {
                stalled = i;
              }
            }
            Thread.sleep(20);
          }
          assertTrue(stalled >= 0, "the multifd channel reached the config chunk");
          MigrationInfo now = run.probe().migration(run.source().address(), run.migrationId());
          assertEquals(MigrationStatus.DEVICE, now.status(), String.valueOf(now));
          assertEquals(1, now.devices().size());
          assertTrue(now.devices().get(0).configBytes() > 0, "the source has sent the config");
          // Let the destination write every data chunk it has; the config is all that is missing.
          Thread.sleep(500);
          run.killDestination();
        })
        .expect(Outcome.DESTINATION_KILLED_SOURCE_KEEPS_RUNNING).errorContains("destination")
        .run(ws, probe);
  }
}

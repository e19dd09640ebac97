package io.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.engine.coordinator.MigrationStatus;
import io.ferry.it.MigrationScenario.Outcome;
import io.ferry.it.process.Device;
import io.ferry.it.proxy.Direction;
import io.ferry.it.proxy.Fault;
import io.ferry.it.proxy.FaultProxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Data-channel faults between two node processes, injected by a {@link FaultProxy} that every
 * data connection passes through (the destination advertises the proxy's port): one multifd
 * channel cut mid-transfer, the main channel cut (legacy mode, and live in multifd mode), one
 * channel stalled beyond the idle timeout, and one corrupted byte in a device chunk. Each must
 * fail the migration within its timeout without loading bad data; the source keeps running
 * unchanged, the destination is clean,
 * and the nodes migrate again through the (disarmed) proxy.
 */
class ChannelFaultProcessIT extends ProcessSuite {
  private static final String DEV = "0000:00:05.0/vfio";

  private static MigrationScenario plain(String name) {
    return MigrationScenario.named(name).sourceDevices(Device.synthetic(DEV, "64 MiB", 11));
  }

  /** 64 MiB read at 16 MiB/s: four seconds in DEVICE, time to act on one live channel. */
  private static MigrationScenario slow(String name) {
    return MigrationScenario.named(name)
        .sourceDevices(Device.faulty(DEV, "rate-limit = 16 MiB",
            Device.syntheticModel("64 MiB", 11)))
        .destinationDevices(Device.synthetic(DEV, "64 MiB", 11))
        .throughProxy(Fault.none())
        .options("--channels", "2");
  }

  /**
   * The connection indexes of a running multifd migration through {@code proxy}, the main
   * channel first: it is the one that carries almost nothing while the state flows.
   */
  private static int[] mainThenMultifd(FaultProxy proxy) {
    assertEquals(3, proxy.connectionsAccepted(), "main + 2 multifd channels");
    int main = 0;
    for (int i = 1; i < 3; i++) {
      if (proxy.bytesForwarded(i, Direction.CLIENT_TO_TARGET)
          < proxy.bytesForwarded(main, Direction.CLIENT_TO_TARGET)) {
        main = i;
      }
    }
    assertTrue(proxy.bytesForwarded(main, Direction.CLIENT_TO_TARGET) < 64 << 10,
        "main channel identified by its byte count");
    int[] order = {main, -1, -1};
    for (int i = 0, k = 1; i < 3; i++) {
      if (i != main) {
        order[k++] = i;
      }
    }
    return order;
  }

  @Test
  void oneMultifdChannelCutMidTransferFailsTheMigration() throws Exception {
    AtomicInteger cut = new AtomicInteger(-1);
    MigrationScenario.Result r = slow("one multifd channel cut")
        .hook(run -> {
          run.awaitStatus(MigrationStatus.DEVICE, 4 << 20);
          FaultProxy proxy = run.proxy();
          int victim = mainThenMultifd(proxy)[1];
          cut.set(victim);
          // Offsets are absolute: this channel is cut 1 MiB further on, the other one lives.
          proxy.arm(victim, Fault.cutAfter(
              proxy.bytesForwarded(victim, Direction.CLIENT_TO_TARGET) + (1 << 20)));
          assertTrue(proxy.awaitTriggered(victim, Duration.ofSeconds(10)));
        })
        .expect(Outcome.FAILS_SOURCE_KEEPS_RUNNING).errorContains("multifd channel")
        .run(ws, probe);
    assertEquals(List.of(cut.get()), r.faultedConnections(), "only that channel was cut");
  }

  @Test
  void theMainChannelResetInLegacyModeFailsTheMigration() throws Exception {
    plain("main channel reset, legacy").throughProxy(Fault.resetAfter(8 << 20))
        .options("--multifd", "off")
        .expect(Outcome.FAILS_SOURCE_KEEPS_RUNNING).errorContains("main channel")
        .run(ws, probe);
  }

  @Test
  void theMainChannelCutDuringTheSwitchoverInMultifdModeFailsTheMigration() throws Exception {
    AtomicInteger cut = new AtomicInteger(-1);
    MigrationScenario.Result r = slow("main channel cut, multifd")
        .hook(run -> {
          run.awaitStatus(MigrationStatus.DEVICE, 4 << 20);
          FaultProxy proxy = run.proxy();
          int main = mainThenMultifd(proxy)[0];
          cut.set(main);
          proxy.arm(main, Fault.cutAfter(0));
          assertTrue(proxy.awaitTriggered(main, Duration.ofSeconds(10)));
        })
        .expect(Outcome.FAILS_SOURCE_KEEPS_RUNNING).errorContains("main channel")
        .run(ws, probe);
    assertEquals(List.of(cut.get()), r.faultedConnections(), "only the main channel was cut");
  }

  @Test
  void aChannelStalledBeyondTheIdleTimeoutFailsWithinIt() throws Exception {
    String idle = "ferry.migration.timeouts.channel-idle = 2 s";
    AtomicInteger stalled = new AtomicInteger(-1);
    MigrationScenario.Result r = slow("stalled channel")
        .nodeConfig(idle).clientConfig(idle)
        .hook(run -> {
          run.awaitStatus(MigrationStatus.DEVICE, 4 << 20);
          FaultProxy proxy = run.proxy();
          int victim = mainThenMultifd(proxy)[1];
          stalled.set(victim);
          // Holds both directions open and silent; the other channel goes on.
          proxy.arm(victim, Fault.stallAfter(
              proxy.bytesForwarded(victim, Direction.CLIENT_TO_TARGET) + (1 << 20)));
          assertTrue(proxy.awaitTriggered(victim, Duration.ofSeconds(10)));
        })
        // 2 s idle on a two-core machine under load: generous, but far below the 60 s default.
        .within(Duration.ofSeconds(20))
        .expect(Outcome.FAILS_SOURCE_KEEPS_RUNNING).errorContains("multifd channel")
        .run(ws, probe);
    assertEquals(List.of(stalled.get()), r.faultedConnections(), "only that channel stalled");
  }

  /**
   * With one multifd channel, only that connection ever reaches 5 MiB (the main channel carries a
   * few hundred bytes), so exactly one byte of one device chunk is flipped.
   */
  @Test
  void aCorruptedByteInADeviceChunkIsDetectedAndNeverLoaded() throws Exception {
    MigrationScenario.Result r = plain("corrupted byte")
        .throughProxy(Fault.corruptByteAt(5 << 20, 0x40))
        .options("--channels", "1")
        .expect(Outcome.FAILS_SOURCE_KEEPS_RUNNING).errorContains("crc32c")
        .run(ws, probe);
    assertEquals(1, r.faultedConnections().size(), "one byte flipped, on one connection");
  }
}

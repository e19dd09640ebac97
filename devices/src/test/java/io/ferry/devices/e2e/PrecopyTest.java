package io.ferry.devices.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.devices.model.MigrationState;
import io.ferry.devices.node.FerryNodeHost;
import io.ferry.engine.config.MigrationParameters;
import io.ferry.engine.coordinator.MigrationEvent;
import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.coordinator.MigrationRequest;
import io.ferry.engine.coordinator.MigrationStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The iterate phase between two nodes: precopy passes with a dirtying device, convergence and
 * its failure, switchover-ack, the bandwidth cap, a downtime limit raised while running, and the
 * order of the events a subscriber sees.
 */
class PrecopyTest {
  private static final String GPU = "gpu0";

  private static String device(String size, String dirtyRate, String hot) {
    return "{ id = \"" + GPU + "\", model { type = synthetic, size = " + size
        + ", seed = 5, precopy = on, dirty-rate = " + dirtyRate + ", hot-fraction = " + hot
        + " } }";
  }

  private static List<MigrationEvent> of(Queue<MigrationEvent> events, java.util.UUID id) {
    List<MigrationEvent> out = new ArrayList<>();
    for (MigrationEvent e : events) {
      if (e.migrationId().equals(id)) {
        out.add(e);
      }
    }
    return out;
  }

  private static List<MigrationStatus> statuses(List<MigrationEvent> events) {
    List<MigrationStatus> out = new ArrayList<>();
    for (MigrationEvent e : events) {
      if (e instanceof MigrationEvent.StatusChanged s) {
        out.add(s.to());
      }
    }
    return out;
  }

  private static MigrationInfo run(TwoNodes n, MigrationParameters p) {
    return n.migrate(p, List.of(GPU));
  }

  @Test
  void aDirtyingDeviceNeedsSeveralPassesThenConvergesWithIdenticalState() {
    try (TwoNodes n = new TwoNodes(device("512 MiB", "24 MiB", "0.05"))) {
      Queue<MigrationEvent> events = n.source.recordEvents();
      MigrationParameters.Precopy pre = n.params().precopy();
      // 16 MiB a pass: the device needs several passes before its pending fits the threshold.
      MigrationInfo info = run(n, n.params().withChannels(2).withPrecopy(
          new MigrationParameters.Precopy(false, 0, 0, pre.maxTime(), 32L << 20)));
      assertEquals(MigrationStatus.COMPLETED, info.status(), info.error());
      assertTrue(info.succeeded(), info.devices().toString());
      assertTrue(info.precopy().passes() >= 2, "passes: " + info.precopy());
      assertTrue(info.precopy().bytes() > 32L << 20, "precopy bytes: " + info.precopy());
      assertTrue(info.devices().get(0).precopy());
      assertTrue(info.precopy().expectedDowntimeMs() >= 0, info.precopy().toString());
      List<MigrationEvent> mine = of(events, info.migrationId());
      assertEquals(List.of(MigrationStatus.SETUP, MigrationStatus.ACTIVE, MigrationStatus.DEVICE,
          MigrationStatus.COMPLETED), statuses(mine));
      assertTrue(mine.get(mine.size() - 1) instanceof MigrationEvent.Ended, mine.toString());
      int expectedPass = 1;
      boolean seenDevice = false;
      for (MigrationEvent e : mine) {
        if (e instanceof MigrationEvent.StatusChanged s && s.to() == MigrationStatus.DEVICE) {
          seenDevice = true;
        }
        if (e instanceof MigrationEvent.PrecopyPass p) {
          assertEquals(expectedPass++, p.pass(), "passes are numbered in order");
          assertTrue(!seenDevice, "no precopy pass after the switchover");
        }
      }
      assertEquals(info.precopy().passes(), expectedPass - 1);
      List<String> deviceStates = new ArrayList<>();
      for (MigrationEvent e : mine) {
        if (e instanceof MigrationEvent.DeviceStateChanged d) {
          deviceStates.add(d.state());
        }
      }
      assertEquals(List.of("PRE_COPY", "STOP_COPY", "STOP"), deviceStates);
      assertEquals(MigrationState.RUNNING, n.destination.models().get(GPU).state());
    }
  }

  @Test
  void aDirtyRateAboveTheBandwidthFailsCleanlyAndTheSourceRunsOn() {
    // Uniform writes at 4 GiB/s against a read bandwidth of well under 1 GiB/s keep about 80 %
    // of the device dirty after every pass (docs/devices.md, the 1 - B/D law).
    try (TwoNodes n = new TwoNodes(device("64 MiB", "4 GiB", "1.0"))) {
      MigrationParameters p = n.params().withDowntimeLimit(Duration.ofMillis(5))
          .withPrecopy(n.params().precopy().withLimits(12, Duration.ofSeconds(20)));
      MigrationInfo info = run(n, p);
      assertEquals(MigrationStatus.FAILED, info.status());
      assertTrue(info.error().startsWith("did not converge after 12 precopy passes"),
          info.error());
      assertEquals(12, info.precopy().passes());
      assertEquals(MigrationState.RUNNING, n.source.models().get(GPU).state());
      assertNotEquals(MigrationState.RESUMING, n.destination.models().get(GPU).state());
    }
  }

  @Test
  void raisingTheDowntimeLimitWhileRunningLetsItConverge() throws Exception {
    try (TwoNodes n = new TwoNodes(device("64 MiB", "64 MiB", "0.2"))) {
      // A zero downtime limit can never be met: precopy goes on until the limit is raised.
      MigrationParameters p = n.params().withDowntimeLimit(Duration.ZERO)
          .withPrecopy(n.params().precopy().withLimits(0, Duration.ofSeconds(60)));
      Queue<MigrationEvent> events = n.source.recordEvents();
      FerryNodeHost.Running r = n.source.startMigration(
          new MigrationRequest(n.destination.address(), List.of(GPU), p));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (of(events, r.migrationId()).stream()
          .noneMatch(e -> e instanceof MigrationEvent.PrecopyPass pp && pp.pass() >= 3)) {
        assertTrue(System.nanoTime() < deadline, "no third pass");
        assertTrue(!r.result().isDone(), () -> "ended early: " + r.result().join());
        Thread.sleep(10);
      }
      n.source.setDowntimeLimit(r.migrationId(), Duration.ofSeconds(5));
      MigrationInfo info = r.result().get(60, TimeUnit.SECONDS);
      assertEquals(MigrationStatus.COMPLETED, info.status(), info.error());
      assertTrue(info.succeeded());
      assertEquals(5000, info.precopy().downtimeLimitMs());
      assertTrue(info.precopy().passes() >= 3);
    }
  }

  @Test
  void withSwitchoverAckTheSwitchoverWaitsForTheDestinationsApproval() {
    try (TwoNodes n = new TwoNodes(device("64 MiB", "0", "0.05"))) {
      MigrationParameters p = n.params()
          .withPrecopy(n.params().precopy().withSwitchoverAck(true));
      MigrationInfo info = run(n, p);
      assertEquals(MigrationStatus.COMPLETED, info.status(), info.error());
      assertTrue(info.precopy().switchoverAcked(), info.precopy().toString());
      assertTrue(info.succeeded());
    }
  }

  @Test
  void maxBandwidthCapsThePrecopyRate() {
    // Low enough that a loaded 2-core machine still reaches it: the cap, not the CPU, must bind.
    long cap = 64L << 20;
    try (TwoNodes n = new TwoNodes(device("256 MiB", "0", "0.05"))) {
      Queue<MigrationEvent> events = n.source.recordEvents();
      MigrationParameters p = n.params()
          .withPrecopy(n.params().precopy().withMaxBandwidth(cap));
      MigrationInfo info = run(n, p);
      assertEquals(MigrationStatus.COMPLETED, info.status(), info.error());
      List<MigrationEvent> mine = of(events, info.migrationId());
      long activeAt = -1;
      long lastPassAt = -1;
      long bytes = 0;
      for (MigrationEvent e : mine) {
        if (e instanceof MigrationEvent.StatusChanged s && s.to() == MigrationStatus.ACTIVE) {
          activeAt = s.atMs();
        }
        if (e instanceof MigrationEvent.PrecopyPass pp) {
          lastPassAt = pp.atMs();
          bytes += pp.bytesSent();
        }
      }
      double rate = bytes * 1000.0 / (lastPassAt - activeAt);
      assertTrue(Math.abs(rate / cap - 1) <= 0.10,
          "precopy rate " + (long) rate + " B/s against a cap of " + cap + " B/s");
      assertTrue(info.succeeded());
    }
  }
}

package io.ferry.devices.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.devices.model.DeviceDigest;
import io.ferry.devices.model.MigrationState;
import io.ferry.devices.node.FerryNodeHost;
import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.coordinator.MigrationRequest;
import io.ferry.engine.coordinator.MigrationStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Device faults in the middle of a migration: each must end FAILED or CANCELLED within its
 * timeout, with the source device RUNNING and its digest what it was before, the destination
 * device reset, and both nodes able to run the next migration.
 */
class MigrationFailureTest {
  private static final String DEV = "0000:00:04.0/vfio";

  private static String faulty(String faults) {
    return "{ id = \"" + DEV + "\", model { type = faulty, " + faults
        + ", inner { type = synthetic, size = 256 MiB, seed = 9 } } }";
  }

  private static String plain() {
    return "{ id = \"" + DEV + "\", model { type = synthetic, size = 256 MiB, seed = 9 } }";
  }

  /** The source and destination after a failed migration, and a clean second attempt. */
  private static void assertRecovered(TwoNodes n, DeviceDigest before, MigrationInfo failed,
      String expectedInError) {
    assertEquals(MigrationState.RUNNING, n.source.models().get(DEV).state(),
        "source device runs again");
    assertEquals(before, n.source.models().get(DEV).digest(), "source state unchanged");
    assertNotNull(failed.error());
    assertTrue(failed.error().contains(expectedInError), failed.error());
    MigrationState dst = n.destination.models().get(DEV).state();
    assertNotEquals(MigrationState.RESUMING, dst, "destination device left in RESUMING");
  }

  @Test
  void aReadErrorMidStreamFailsTheMigrationAndTheSourceRunsOn() {
    try (TwoNodes n = new TwoNodes(faulty("read-error-after = 100 MiB"), plain())) {
      DeviceDigest before = n.source.models().get(DEV).digest();
      MigrationInfo info = n.migrate(n.params().withChannels(2), List.of(DEV));
      assertEquals(MigrationStatus.FAILED, info.status());
      assertRecovered(n, before, info, DEV + ": read: ");
    }
  }

  @Test
  void aFailingStopCopyArcFailsTheMigrationAndTheSourceRunsOn() {
    try (TwoNodes n = new TwoNodes(faulty("fail-arc = \"STOP->STOP_COPY\""), plain())) {
      DeviceDigest before = n.source.models().get(DEV).digest();
      MigrationInfo info = n.migrate(n.params().withChannels(2), List.of(DEV));
      assertEquals(MigrationStatus.FAILED, info.status());
      assertRecovered(n, before, info, "STOP_COPY");
    }
  }

  @Test
  void destinationValidationFailureAtResumingToStopFailsTheMigration() {
    String dst = "{ id = \"" + DEV + "\", model { type = faulty, corrupt-at-resume-stop = on,"
        + " inner { type = synthetic, size = 256 MiB, seed = 9 } } }";
    try (TwoNodes n = new TwoNodes(plain(), dst)) {
      DeviceDigest before = n.source.models().get(DEV).digest();
      MigrationInfo info = n.migrate(n.params().withChannels(2), List.of(DEV));
      assertEquals(MigrationStatus.FAILED, info.status());
      assertRecovered(n, before, info, "RESUMING -> STOP");
    }
  }

  @Test
  void cancelDuringSwitchoverEndsCancelledAndTheNextMigrationSucceeds() throws Exception {
    try (TwoNodes n = new TwoNodes(faulty("rate-limit = 64 MiB"), plain())) {
      DeviceDigest before = n.source.models().get(DEV).digest();
      FerryNodeHost.Running r = n.source.startMigration(new MigrationRequest(
          n.destination.address(), List.of(DEV), n.params().withChannels(2)));
      waitForStatus(n.source, r, MigrationStatus.DEVICE);
      Thread.sleep(300);
      n.source.cancel(r.migrationId(), "operator");
      MigrationInfo info = r.result().get(60, TimeUnit.SECONDS);
      assertEquals(MigrationStatus.CANCELLED, info.status(), info.error());
      assertRecovered(n, before, info, "cancelled: operator");
      MigrationInfo again = n.migrate(n.params().withChannels(2), List.of(DEV));
      assertEquals(MigrationStatus.COMPLETED, again.status(), again.error());
      assertTrue(again.succeeded(), again.devices().toString());
    }
  }

  @Test
  void cancelFromTheDestinationDuringSwitchoverEndsCancelled() throws Exception {
    try (TwoNodes n = new TwoNodes(faulty("rate-limit = 64 MiB"), plain())) {
      DeviceDigest before = n.source.models().get(DEV).digest();
      FerryNodeHost.Running r = n.source.startMigration(new MigrationRequest(
          n.destination.address(), List.of(DEV), n.params().withChannels(2)));
      waitForStatus(n.source, r, MigrationStatus.DEVICE);
      Thread.sleep(300);
      n.destination.cancel(r.migrationId(), "operator on the destination");
      MigrationInfo info = r.result().get(60, TimeUnit.SECONDS);
      assertEquals(MigrationStatus.CANCELLED, info.status(), info.error());
      assertRecovered(n, before, info, "cancelled on the destination: operator on the destination");
    }
  }

  @Test
  void theNodesRunANewMigrationAfterAFailedOne() {
    String src = "{ id = \"" + DEV + "\", model { type = faulty, read-error-after = 10 MiB,"
        + " inner { type = synthetic, size = 64 MiB, seed = 3 } } }, "
        + "{ id = \"nic0\", model { type = config-only, queues = 4 } }";
    String dst = "{ id = \"" + DEV + "\", model { type = synthetic, size = 64 MiB, seed = 3 } }, "
        + "{ id = \"nic0\", model { type = config-only, queues = 4 } }";
    try (TwoNodes n = new TwoNodes(src, dst)) {
      MigrationInfo failed = n.migrate(n.params(), List.of(DEV, "nic0"));
      assertEquals(MigrationStatus.FAILED, failed.status());
      assertTrue(failed.error().contains(DEV + ": read: "), failed.error());
      MigrationInfo ok = n.migrate(n.params(), List.of("nic0"));
      assertEquals(MigrationStatus.COMPLETED, ok.status(), ok.error());
      assertTrue(ok.succeeded());
    }
  }

  @Test
  void aCrashedDeviceSaverFailsTheMigrationAndTheNodeMigratesAgain() throws Exception {
    try (TwoNodes n = new TwoNodes(faulty("rate-limit = 64 MiB"), plain())) {
      DeviceDigest before = n.source.models().get(DEV).digest();
      FerryNodeHost.Running r = n.source.startMigration(new MigrationRequest(
          n.destination.address(), List.of(DEV), n.params().withChannels(2)));
      waitForStatus(n.source, r, MigrationStatus.DEVICE);
      Thread.sleep(200);
      // Stop the save child the way a crash does (no finish message): a PoisonPill.
      n.source.system().classicSystem()
          .actorSelection("/user/*/save-" + r.migrationId())
          .tell(akka.actor.PoisonPill.getInstance(), akka.actor.ActorRef.noSender());
      MigrationInfo info = r.result().get(60, TimeUnit.SECONDS);
      assertEquals(MigrationStatus.FAILED, info.status());
      assertTrue(info.error().contains("device saver stopped unexpectedly"), info.error());
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (n.source.models().get(DEV).state() != MigrationState.RUNNING) {
        assertTrue(System.nanoTime() < deadline, "the device actor did not recover the device");
        Thread.sleep(20);
      }
      assertEquals(before, n.source.models().get(DEV).digest());
      MigrationInfo again = migrateWhenFree(n);
      assertEquals(MigrationStatus.COMPLETED, again.status(), again.error());
      assertTrue(again.succeeded());
    }
  }

  /** The device actor is busy until its recovery finished; retry a refused start briefly. */
  private static MigrationInfo migrateWhenFree(TwoNodes n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      MigrationInfo info = n.migrate(n.params().withChannels(2), List.of(DEV));
      if (info.status() == MigrationStatus.COMPLETED || System.nanoTime() > deadline
          || info.error() == null || !info.error().contains("busy")) {
        return info;
      }
      Thread.sleep(100);
    }
  }

  private static void waitForStatus(FerryNodeHost host, FerryNodeHost.Running r,
      MigrationStatus wanted) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      MigrationInfo info = host.migrationInfo(r.migrationId());
      if (info != null && info.status() == wanted) {
        return;
      }
      if (r.result().isDone()) {
        throw new AssertionError("migration ended before reaching " + wanted + ": "
            + r.result().join());
      }
      Thread.sleep(20);
    }
    throw new AssertionError("migration never reached " + wanted);
  }
}

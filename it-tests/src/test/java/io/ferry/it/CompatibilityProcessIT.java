package io.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.util.ByteString;
import io.ferry.engine.coordinator.MigrationStatus;
import io.ferry.it.MigrationScenario.Outcome;
import io.ferry.it.process.Device;
import io.ferry.protocol.WireFormat;
import io.ferry.protocol.packet.Capabilities;
import io.ferry.protocol.packet.ChannelHello;
import io.ferry.protocol.packet.ChannelRole;
import io.ferry.protocol.packet.HelloStatus;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What a destination node process refuses before any state moves, and that it keeps serving
 * afterwards: channel hellos with a migration id it does not expect or a protocol version it does
 * not speak (sent on a raw socket, built with the protocol classes), and migrations whose devices
 * disagree with its own (multifd-transfer setting, device kind), refused at setup.
 */
class CompatibilityProcessIT extends ProcessSuite {
  private static final String DEV = "0000:00:08.0/vfio";

  private static MigrationScenario oneDevice(String name) {
    return MigrationScenario.named(name).sourceDevices(Device.synthetic(DEV, "16 MiB", 41));
  }

  @Test
  void aHelloWithAnUnknownMigrationIdIsRefusedAndTheConnectionClosed() throws Exception {
    oneDevice("unknown migration id")
        .hello(ChannelHello.of(UUID.randomUUID(), ChannelRole.MAIN, 0, 1,
            Capabilities.SUPPORTED, ByteString.emptyByteString()),
            HelloStatus.UNKNOWN_MIGRATION)
        .errorContains("unknown migration id")
        .run(ws, probe);
  }

  @Test
  void aHelloWithAnotherProtocolVersionIsRefusedAndTheConnectionClosed() throws Exception {
    oneDevice("unsupported version")
        .hello(new ChannelHello(WireFormat.VERSION + 1, UUID.randomUUID(), ChannelRole.MULTIFD,
            0, 2, Capabilities.SUPPORTED, ByteString.emptyByteString()),
            HelloStatus.UNSUPPORTED_VERSION)
        .errorContains("version: expected " + WireFormat.VERSION + ", got "
            + (WireFormat.VERSION + 1))
        .run(ws, probe);
  }

  /**
   * Hostile hellos while a migration is incoming: a wrong id, the right id with another version,
   * and the right id for a channel that is already set up. Each is refused on its own
   * connection; the running migration completes untouched.
   */
  @Test
  void foreignHellosDuringARunningMigrationAreRefusedAndItCompletes() throws Exception {
    MigrationScenario.named("hellos during a migration")
        .sourceDevices(Device.faulty(DEV, "rate-limit = 16 MiB",
            Device.syntheticModel("64 MiB", 41)))
        .destinationDevices(Device.synthetic(DEV, "64 MiB", 41))
        .options("--channels", "2")
        .hook(run -> {
          run.awaitStatus(MigrationStatus.DEVICE, 4 << 20);
          UUID id = run.migrationId();
          String host = run.destination().dataHost();
          int port = run.destination().dataPort();
          Duration t = Duration.ofSeconds(10);
          RawHello.Answer wrongId = RawHello.send(host, port, ChannelHello.of(UUID.randomUUID(),
              ChannelRole.MULTIFD, 0, 2, Capabilities.SUPPORTED, ByteString.emptyByteString()), t);
          assertEquals(HelloStatus.UNKNOWN_MIGRATION, wrongId.reply().status(), wrongId.toString());
          assertTrue(wrongId.closed(), wrongId.toString());
          RawHello.Answer version = RawHello.send(host, port, new ChannelHello(
              WireFormat.VERSION + 1, id, ChannelRole.MULTIFD, 0, 2, Capabilities.SUPPORTED,
              ByteString.emptyByteString()), t);
          assertEquals(HelloStatus.UNSUPPORTED_VERSION, version.reply().status(),
              version.toString());
          assertTrue(version.closed(), version.toString());
          RawHello.Answer duplicate = RawHello.send(host, port, ChannelHello.of(id,
              ChannelRole.MULTIFD, 1, 2, Capabilities.SUPPORTED, ByteString.emptyByteString()), t);
          assertEquals(HelloStatus.DUPLICATE_CHANNEL, duplicate.reply().status(),
              duplicate.toString());
          assertTrue(duplicate.closed(), duplicate.toString());
          assertEquals(MigrationStatus.DEVICE,
              run.probe().migration(run.source().address(), id).status());
        })
        .expect(Outcome.SUCCEEDS)
        .run(ws, probe);
  }

  @Test
  void aMultifdTransferMismatchIsRefusedAtSetup() throws Exception {
    MigrationScenario.Result r = MigrationScenario.named("multifd-transfer mismatch")
        .sourceDevices(Device.synthetic(DEV, "16 MiB", 41).withMultifdTransfer("on"))
        .destinationDevices(Device.synthetic(DEV, "16 MiB", 41).withMultifdTransfer("off"))
        .expect(Outcome.REJECTED_AT_SETUP)
        .errorContains(DEV + ": multifd transfer mismatch: source multifd, destination main "
            + "channel (legacy)")
        .run(ws, probe);
    assertEquals(0, r.report().get("devices").get(0).get("bytesSent").asLong(),
        r.report().toString());
  }

  @Test
  void aDeviceKindMismatchIsRefusedAtSetup() throws Exception {
    MigrationScenario.Result r = MigrationScenario.named("device kind mismatch")
        .sourceDevices(Device.synthetic(DEV, "16 MiB", 41))
        .destinationDevices(Device.configOnly(DEV, 8, 41))
        .expect(Outcome.REJECTED_AT_SETUP)
        .errorContains(DEV + ": device kind: expected config-only, got synthetic")
        .run(ws, probe);
    assertEquals(0, r.report().get("devices").get(0).get("bytesSent").asLong(),
        r.report().toString());
  }
}

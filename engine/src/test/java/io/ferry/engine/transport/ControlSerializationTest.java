package io.ferry.engine.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import com.typesafe.config.ConfigFactory;
import io.ferry.engine.config.MigrationParameters;
import io.ferry.engine.coordinator.MigrationCoordinator;
import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.coordinator.MigrationRequest;
import io.ferry.engine.coordinator.MigrationStatus;
import io.ferry.engine.device.StateDigest;
import io.ferry.engine.incoming.IncomingMigration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every message that crosses nodes survives Jackson CBOR, and never uses Java serialization. */
class ControlSerializationTest {
  // A node's real configuration: remote provider, so ActorRefs serialize with their address.
  private static final ActorTestKit testKit =
      ActorTestKit.create(io.ferry.engine.config.FerryConfig.load(ConfigFactory.empty()));

  @AfterAll
  static void cleanup() {
    testKit.shutdownTestKit();
  }

  static Stream<Object> messages() {
    ActorRef<MigrationCoordinator.Command> source = testKit.<MigrationCoordinator.Command>
        createTestProbe().getRef();
    ActorRef<IncomingMigration.Command> incoming = testKit.<IncomingMigration.Command>
        createTestProbe().getRef();
    UUID id = UUID.fromString("0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0");
    MigrationParameters params = MigrationParameters.fromConfig(
        ConfigFactory.load().getConfig("ferry.migration")).withChannels(4);
    StateDigest digest = new StateDigest("xor-mix64", "00ff", 1L << 30, "abcd");
    return Stream.of(
        new Control.PrepareIncoming(id, params,
            List.of(new Control.DeviceSetup("0000:00:03.0/vfio", 0, "synthetic", true, 1),
                new Control.DeviceSetup("nic0", 1, "config-only", false, 2)), source),
        new Control.IncomingReady(id, incoming, "127.0.0.1", 40123, 256L << 20),
        new Control.GrantCredit(id, "0000:00:03.0/vfio", 4L << 20),
        new Control.SwitchoverAck(id),
        new Control.IncomingAborted(id),
        new io.ferry.engine.node.FerryNode.SetDowntimeLimit(id, java.time.Duration.ofSeconds(2)),
        new io.ferry.engine.coordinator.MigrationEvent.PrecopyPass(id, 120, 3, 1 << 20, 4 << 20,
            500_000_000L, 150_000_000L, 8),
        new io.ferry.engine.coordinator.MigrationEvent.StatusChanged(id, 5,
            MigrationStatus.SETUP, MigrationStatus.ACTIVE),
        new Control.IncomingRejected(id, "unknown device 'x'"),
        new Control.IncomingLoaded(id, Map.of("nic0", digest), Map.of("nic0", 4096L), 123L),
        new Control.IncomingCommitted(id),
        new Control.IncomingFailed(id, "multifd channel 1 failed: reset", false),
        new Control.Commit(id),
        new Control.AbortIncoming(id, "cancelled: user", true),
        new MigrationRequest("akka://ferry@127.0.0.1:25520", List.of("nic0"), params),
        new MigrationInfo(id, MigrationStatus.COMPLETED, 12, 3400, 250, 1L << 30, 4096,
            List.of(1L, 2L), 512.5, List.of(new MigrationInfo.DeviceReport("nic0", "config-only",
                false, true, 8192, 70000, 69632, 3, 65536, 4096, digest, digest, 0)), null));
  }

  @ParameterizedTest
  @MethodSource("messages")
  void roundTripsThroughJacksonCbor(Object message) throws Exception {
    Serialization serialization = SerializationExtension.get(testKit.system());
    Serializer serializer = serialization.findSerializerFor(message);
    assertEquals("akka.serialization.jackson.JacksonCborSerializer",
        serializer.getClass().getName());
    // serialize() sets the transport information that ActorRef fields need.
    byte[] bytes = serialization.serialize(message).get();
    String manifest = Serializers.manifestFor(serializer, message);
    Object back = serialization.deserialize(bytes, serializer.identifier(), manifest).get();
    assertEquals(message, back);
    assertTrue(bytes.length < 4096, "control messages stay small: " + bytes.length);
  }
}

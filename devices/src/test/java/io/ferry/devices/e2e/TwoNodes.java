package io.ferry.devices.e2e;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ferry.devices.node.FerryNodeHost;
import io.ferry.engine.config.MigrationParameters;
import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.coordinator.MigrationRequest;
import java.time.Duration;
import java.util.List;

/** A source and a destination node on loopback, each its own ActorSystem talking over Artery. */
final class TwoNodes implements AutoCloseable {
  final FerryNodeHost source;
  final FerryNodeHost destination;

  /** {@code devices} is the HOCON list body shared by both nodes; roles differ per node. */
  TwoNodes(String devices) {
    this(devices, devices);
  }

  TwoNodes(String sourceDevices, String destinationDevices) {
    this(sourceDevices, destinationDevices, "");
  }

  /** {@code destinationSettings}: extra HOCON for the destination node (its own knobs). */
  TwoNodes(String sourceDevices, String destinationDevices, String destinationSettings) {
    source = FerryNodeHost.start("ferry-src", config("source", sourceDevices));
    FerryNodeHost dst;
    try {
      dst = FerryNodeHost.start("ferry-dst", ConfigFactory.parseString(destinationSettings)
          .withFallback(config("destination", destinationDevices)));
    } catch (RuntimeException e) {
      source.close();
      throw e;
    }
    destination = dst;
  }

  static Config config(String role, String devices) {
    return ConfigFactory.parseString(
            "akka.remote.artery.canonical.port = 0\n"
                + "ferry.node.devices-role = " + role + "\n"
                + "ferry.devices = [" + devices + "]\n");
  }

  MigrationParameters params() {
    return MigrationParameters.fromConfig(ConfigFactory.load().getConfig("ferry.migration"));
  }

  MigrationInfo migrate(MigrationParameters params, List<String> devices) {
    return source.migrate(new MigrationRequest(destination.address(), devices, params),
        Duration.ofMinutes(3));
  }

  @Override
  public void close() {
    try {
      source.close();
    } finally {
      destination.close();
    }
  }
}

package io.ferry.it;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ferry.devices.node.FerryNodeHost;
import io.ferry.engine.config.MigrationParameters;
import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.coordinator.MigrationRequest;
import io.ferry.it.proxy.FaultProxy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

/**
 * A source and a destination node in this JVM whose data channels all pass through a
 * {@link FaultProxy}: the destination binds a fixed port and advertises the proxy's.
 */
final class ProxiedNodes implements AutoCloseable {
  final FerryNodeHost source;
  final FerryNodeHost destination;
  final FaultProxy proxy;

  ProxiedNodes(String devices, String extraConfig) throws IOException {
    int dataPort;
    try (ServerSocket s = new ServerSocket(0)) {
      dataPort = s.getLocalPort();
    }
    proxy = new FaultProxy(new InetSocketAddress("127.0.0.1", dataPort)).start();
    source = FerryNodeHost.start("ferry-src", config("source", devices, extraConfig, ""));
    try {
      destination = FerryNodeHost.start("ferry-dst", config("destination", devices, extraConfig,
          "ferry.node.data-port = " + dataPort + "\nferry.node.advertised-data-port = "
              + proxy.port() + "\n"));
    } catch (RuntimeException e) {
      source.close();
      proxy.close();
      throw e;
    }
  }

  private static Config config(String role, String devices, String extra, String node) {
    return ConfigFactory.parseString("akka.remote.artery.canonical.port = 0\n"
            + "ferry.node.devices-role = " + role + "\n" + node + extra + "\n"
            + "ferry.devices = [" + devices + "]\n");
  }

  MigrationParameters params() {
    return MigrationParameters.fromConfig(ConfigFactory.load().getConfig("ferry.migration"));
  }

  MigrationInfo migrate(MigrationParameters params, List<String> devices) {
    return source.migrate(new MigrationRequest(destination.address(), devices, params),
        Duration.ofMinutes(2));
  }

  @Override
  public void close() {
    try {
      source.close();
    } finally {
      try {
        destination.close();
      } finally {
        proxy.close();
      }
    }
  }
}

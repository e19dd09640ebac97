package io.ferry.app;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import ch.qos.logback.classic.Level;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.ferry.devices.node.FerryNodeHost;
import io.ferry.engine.device.DeviceDescriptor;
import io.ferry.engine.node.FerryNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ferry node}: one node in this process, with the devices of its config file, serving
 * migrations until SIGINT or SIGTERM (Akka's coordinated shutdown runs from the JVM's shutdown
 * hook). Once the Artery endpoint and the data port are bound and every device is registered, it
 * prints one line a harness can wait for:
 *
 * <pre>
 * ready address=akka://ferry@127.0.0.1:25520 data=127.0.0.1:41234 devices=nic0,disk0
 * </pre>
 */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    versionProvider = FerryCli.Version.class,
    sortOptions = false,
    description = {
      "Run a Ferry node with the devices of a config file until SIGINT or SIGTERM.",
      "",
      "The file holds ferry.devices (a list of { id, instance, multifd-transfer, role, "
          + "model { type, ... } }), ferry.node.devices-role (source or destination) and any "
          + "other ferry.* or akka.* setting. Once bound it prints its devices and then one line "
          + "'ready address=ADDR data=HOST:PORT devices=ID,...'; ADDR is what --from, --to and "
          + "--node take."
    },
    footer = {
      "",
      "Examples:",
      "  ferry node --config src.conf --port 25520",
      "  ferry node --config dst.conf --name ferry-dst --port 25521 --data-port 7000"
    })
final class NodeCommand implements Callable<Integer> {
  @ParentCommand FerryCli cli;
  @Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", required = true,
      description = "The node's settings and devices.")
  Path config;

  @Option(names = "--name", paramLabel = "NAME", defaultValue = "ferry",
      description = "ActorSystem name, part of the address akka://NAME@HOST:PORT "
          + "(default: ${DEFAULT-VALUE}).")
  String name;

  @Option(names = "--host", paramLabel = "HOST",
      description = "Address to bind Artery and the data port to "
          + "(default: akka.remote.artery.canonical.hostname, 127.0.0.1).")
  String host;

  @Option(names = "--port", paramLabel = "PORT", converter = Converters.Port.class,
      description = "Artery port, 0 = a free one (default: akka.remote.artery.canonical.port, 0).")
  Integer port;

  @Option(names = "--data-port", paramLabel = "PORT", converter = Converters.Port.class,
      description = "Port for migration data channels, 0 = a free one "
          + "(default: ferry.node.data-port, 0).")
  Integer dataPort;

  @Option(names = {"-v", "--verbose"}, description = "Log INFO messages to stderr (default: WARN).")
  boolean verbose;

  @Override
  public Integer call() {
    FerryNodeHost host = start();
    host.system().getWhenTerminated().toCompletableFuture().join();
    spec.commandLine().getErr().println("ferry node " + host.address() + ": stopped");
    return 0;
  }

  /**
   * Starts the node and prints its devices and the ready line. Until then nothing is logged
   * (unless -v): a node that cannot start says why in the one error line of the command.
   */
  FerryNodeHost start() {
    Logging.configure(verbose, Level.OFF);
    Config settings = FerryConfig.load(config, cli.workingDir()).config();
    Config overrides = ConfigFactory.empty();
    if (host != null) {
      overrides = overrides
          .withValue("akka.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(host))
          .withValue("ferry.node.data-host", ConfigValueFactory.fromAnyRef(host));
    }
    if (port != null) {
      overrides = overrides.withValue("akka.remote.artery.canonical.port",
          ConfigValueFactory.fromAnyRef(port));
    }
    if (dataPort != null) {
      overrides = overrides.withValue("ferry.node.data-port",
          ConfigValueFactory.fromAnyRef(dataPort));
    }
    overrides = overrides.withValue("akka.stdout-loglevel", ConfigValueFactory.fromAnyRef("OFF"));
    FerryNodeHost node;
    try {
      node = FerryNodeHost.start(name, overrides.withFallback(settings));
    } catch (IllegalStateException e) {
      if (e.getCause() instanceof java.util.concurrent.TimeoutException) {
        // The node actor stops if it cannot bind its data port; registering a device then fails.
        Config c = overrides.withFallback(settings);
        String data = c.getString("ferry.node.data-host") + ":" + c.getInt("ferry.node.data-port");
        throw new CliException("cannot start node " + name + ": its node actor stopped while "
            + "starting; the usual cause is a data port in use (" + data + "); -v shows the reason",
            e);
      }
      throw e;
    } catch (IllegalArgumentException | CliException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CliException("cannot start node " + name + ": " + e.getMessage(), e);
    }
    FerryNode.NodeInfo info = node.info();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // Runs first when the node stops (SIGINT, SIGTERM): say so, and keep the warnings Artery logs
    // about the connections it is closing out of the way (unless -v).
    CoordinatedShutdown.get(node.system()).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(),
        "ferry-node-stopping", () -> {
          if (!verbose) {
            Logging.level(Level.ERROR);
          }
          err.println("ferry node " + info.address() + ": stopping");
          err.flush();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    out.println("ferry node " + info.address() + ", data port " + info.dataHost() + ":"
        + info.dataPort() + ", settings " + config);
    List<String> ids = new ArrayList<>();
    for (DeviceDescriptor d : info.devices()) {
      out.println("  device " + d.deviceId() + " (" + d.kind() + ", instance " + d.instanceId()
          + ", multifd-transfer " + d.multifdTransfer().name().toLowerCase(Locale.ROOT) + ")");
      ids.add(d.deviceId());
    }
    out.println("ready address=" + info.address() + " data=" + info.dataHost() + ":"
        + info.dataPort() + " devices=" + String.join(",", ids));
    out.flush();
    if (!verbose) {
      Logging.level(Level.WARN);
    }
    return node;
  }
}

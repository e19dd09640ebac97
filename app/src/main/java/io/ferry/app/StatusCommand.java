package io.ferry.app;

import ch.qos.logback.classic.Level;
import io.ferry.app.report.MigrationReport;
import io.ferry.app.report.ReportJson;
import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.device.DeviceDescriptor;
import io.ferry.engine.node.FerryNode;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code ferry status}: a node's info (address, data port, devices, running migrations), or with
 * {@code --id} one migration's info as the node reports it: live while it runs, final for one of
 * the node's last {@link FerryNode#HISTORY} ended outgoing migrations.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    versionProvider = FerryCli.Version.class,
    sortOptions = false,
    description = {
      "Show a node's devices and migrations, or one migration (--id) as query-migrate would.",
      "",
      "Exit status 1 if the node does not answer or does not know the id."
    },
    footer = {
      "",
      "Examples:",
      "  ferry status --node akka://ferry-src@127.0.0.1:25520",
      "  ferry status --node akka://ferry-src@127.0.0.1:25520 \\",
      "               --id 0b6f3c1e-52a4-4f0e-9d1a-7c3e2f9a8b10 --json"
    })
final class StatusCommand implements Callable<Integer> {
  @ParentCommand FerryCli cli;
  @Spec CommandSpec spec;

  @Option(names = "--node", paramLabel = "ADDR", required = true,
      converter = Converters.Address.class,
      description = "The node, akka://SYSTEM@HOST:PORT as `ferry node` prints it.")
  NodeAddress node;

  @Option(names = "--id", paramLabel = "UUID",
      description = "A migration of this node (an outgoing one, running or recently ended).")
  UUID id;

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  @Option(names = {"-v", "--verbose"}, description = "Log Akka INFO messages to stderr.")
  boolean verbose;

  @Mixin ClientOptions client;

  @Override
  public Integer call() {
    Logging.configure(verbose, Level.OFF);
    PrintWriter out = spec.commandLine().getOut();
    try (NodeClient nodes = NodeClient.start(
        FerryConfig.load(client.config, cli.workingDir()).config(), client.clientHost,
        client.timeout)) {
      if (id != null) {
        MigrationInfo info = lookup(nodes, node, id);
        if (info == null) {
          throw new CliException("node " + node + " does not know migration " + id
              + " (it keeps outgoing migrations, and the last " + FerryNode.HISTORY
              + " that ended)");
        }
        out.println(json ? ReportJson.write(ReportJson.migration(info, null))
            : MigrationReport.text(info, null).stripTrailing());
        return 0;
      }
      FerryNode.NodeInfo info = nodes.ask(node, FerryNode.GetNodeInfo::new, "node info");
      if (json) {
        out.println(ReportJson.write(ReportJson.node(info)));
        return 0;
      }
      out.println("node " + info.address());
      out.println("  data:      " + info.dataHost() + ":" + info.dataPort());
      if (info.devices().isEmpty()) {
        out.println("  devices:   none");
      }
      String label = "  devices:   ";
      for (DeviceDescriptor d : info.devices()) {
        out.println(label + d.deviceId() + " (" + d.kind() + ", instance " + d.instanceId()
            + ", multifd-transfer " + d.multifdTransfer().name().toLowerCase(Locale.ROOT) + ")");
        label = "             ";
      }
      if (info.outgoing().isEmpty()) {
        out.println("  outgoing:  none");
      }
      label = "  outgoing:  ";
      for (UUID m : info.outgoing()) {
        MigrationInfo mi = lookup(nodes, node, m);
        out.println(label + m + (mi == null ? "" : " " + mi.status() + ", "
            + Units.bytes(mi.totalBytes()) + " sent"));
        label = "             ";
      }
      out.println("  incoming:  " + (info.incoming().isEmpty() ? "none"
          : String.join(", ", info.incoming().stream().map(UUID::toString).toList())));
      return 0;
    } finally {
      out.flush();
    }
  }

  static MigrationInfo lookup(NodeClient nodes, NodeAddress node, UUID id) {
    FerryNode.MigrationLookup lookup = nodes.ask(node,
        (akka.actor.typed.ActorRef<FerryNode.MigrationLookup> replyTo) ->
            new FerryNode.GetMigration(id, replyTo), "migration " + id);
    return lookup.info();
  }
}

package io.ferry.app;

import ch.qos.logback.classic.Level;
import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.node.FerryNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code ferry cancel}: QEMU's {@code migrate_cancel}. Sends {@code CancelMigration} to the node
 * that runs the migration; for an outgoing one, waits until it has ended (the source devices are
 * then RUNNING again with their state unchanged) and prints its final status.
 */
@Command(
    name = "cancel",
    mixinStandardHelpOptions = true,
    versionProvider = FerryCli.Version.class,
    sortOptions = false,
    description = {
      "Cancel a running migration on a node (the source, or the destination of an incoming one).",
      "",
      "Exit status 0 once an outgoing migration has ended CANCELLED or an incoming one has been "
          + "told; 1 if the node does not answer, does not know the id, or the migration had "
          + "already ended."
    },
    footer = {
      "",
      "Example:",
      "  ferry cancel --node akka://ferry-src@127.0.0.1:25520 \\",
      "               --id 0b6f3c1e-52a4-4f0e-9d1a-7c3e2f9a8b10"
    })
final class CancelCommand implements Callable<Integer> {
  /** How long an outgoing migration may take to end once cancelled. */
  static final Duration END_WAIT = Duration.ofSeconds(30);

  @ParentCommand FerryCli cli;
  @Spec CommandSpec spec;

  @Option(names = "--node", paramLabel = "ADDR", required = true,
      converter = Converters.Address.class,
      description = "The node running the migration, akka://SYSTEM@HOST:PORT.")
  NodeAddress node;

  @Option(names = "--id", paramLabel = "UUID", required = true,
      description = "The migration to cancel.")
  UUID id;

  @Option(names = "--reason", paramLabel = "TEXT", defaultValue = "cancelled with ferry cancel",
      description = "Recorded as the migration's error (default: ${DEFAULT-VALUE}).")
  String reason;

  @Option(names = {"-v", "--verbose"}, description = "Log Akka INFO messages to stderr.")
  boolean verbose;

  @Mixin ClientOptions client;

  @Override
  public Integer call() throws InterruptedException {
    Logging.configure(verbose, Level.OFF);
    PrintWriter out = spec.commandLine().getOut();
    try (NodeClient nodes = NodeClient.start(
        FerryConfig.load(client.config, cli.workingDir()).config(), client.clientHost,
        client.timeout)) {
      FerryNode.NodeInfo info = nodes.ask(node, FerryNode.GetNodeInfo::new, "node info");
      boolean outgoing = info.outgoing().contains(id);
      if (!outgoing && !info.incoming().contains(id)) {
        MigrationInfo ended = StatusCommand.lookup(nodes, node, id);
        if (ended != null) {
          throw new CliException("migration " + id + " has already ended: " + ended.status());
        }
        throw new CliException("node " + node + " runs no migration " + id);
      }
      nodes.tell(node, new FerryNode.CancelMigration(id, reason));
      if (!outgoing) {
        out.println("migration " + id + ": cancel sent to the destination " + node);
        return 0;
      }
      long deadline = System.nanoTime() + END_WAIT.toNanos();
      while (true) {
        MigrationInfo now = StatusCommand.lookup(nodes, node, id);
        if (now != null && now.status().isFinal()) {
          out.println("migration " + id + ": " + now.status()
              + (now.error() != null ? " (" + now.error() + ")" : ""));
          if (now.status() != io.ferry.engine.coordinator.MigrationStatus.CANCELLED) {
            throw new CliException("migration " + id + " ended " + now.status()
                + " before the cancel reached it");
          }
          return 0;
        }
        if (System.nanoTime() > deadline) {
          throw new CliException("migration " + id + " did not end within "
              + Units.duration(END_WAIT) + " of the cancel");
        }
        Thread.sleep(100);
      }
    } finally {
      out.flush();
    }
  }
}

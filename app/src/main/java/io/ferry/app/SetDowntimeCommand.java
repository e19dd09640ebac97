package io.ferry.app;

import ch.qos.logback.classic.Level;
import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.coordinator.MigrationStatus;
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
 * {@code ferry set-downtime}: QEMU's {@code migrate-set-parameters downtime-limit} for a running
 * migration. Sends {@code FerryNode.SetDowntimeLimit} to the source node; the next precopy pass
 * compares its pending bytes with the new limit. The node does not answer the message itself, so
 * the command asks for the migration afterwards (the node handles the two in order) and checks
 * that the limit took.
 */
@Command(
    name = "set-downtime",
    mixinStandardHelpOptions = true,
    versionProvider = FerryCli.Version.class,
    sortOptions = false,
    description = {
      "Change the downtime limit of a running migration on its source node (QEMU's "
          + "migrate-set-parameters downtime-limit); the next precopy pass uses it.",
      "",
      "Exit status 1 if the node does not answer, does not know the id, or the migration has "
          + "already ended."
    },
    footer = {
      "",
      "Example:",
      "  ferry set-downtime --node akka://ferry-src@127.0.0.1:25520 \\",
      "                     --id 0b6f3c1e-52a4-4f0e-9d1a-7c3e2f9a8b10 --limit 1s"
    })
final class SetDowntimeCommand implements Callable<Integer> {
  @ParentCommand FerryCli cli;
  @Spec CommandSpec spec;

  @Option(names = "--node", paramLabel = "ADDR", required = true,
      converter = Converters.Address.class,
      description = "The source node of the migration, akka://SYSTEM@HOST:PORT.")
  NodeAddress node;

  @Option(names = "--id", paramLabel = "UUID", required = true,
      description = "The migration.")
  UUID id;

  @Option(names = "--limit", paramLabel = "DURATION", required = true,
      converter = Converters.DowntimeLimit.class,
      description = "The new downtime limit, e.g. 500ms, 2s (up to 2000s).")
  Duration limit;

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
      MigrationInfo before = StatusCommand.lookup(nodes, node, id);
      if (before == null) {
        throw new CliException("node " + node + " does not know migration " + id
            + " (the downtime limit is set on the source node)");
      }
      if (before.status().isFinal()) {
        throw new CliException("migration " + id + " has already ended: " + before.status());
      }
      nodes.tell(node, new FerryNode.SetDowntimeLimit(id, limit));
      MigrationInfo after = StatusCommand.lookup(nodes, node, id);
      if (after == null || after.status().isFinal()) {
        throw new CliException("migration " + id + " ended before the new limit reached it"
            + (after == null ? "" : ": " + after.status()));
      }
      long now = after.precopy().downtimeLimitMs();
      if (now != limit.toMillis()) {
        throw new CliException("migration " + id + " still reports a downtime limit of "
            + Units.millis(now) + " after the change to " + Units.duration(limit));
      }
      out.println("migration " + id + ": downtime limit "
          + Units.millis(before.precopy().downtimeLimitMs()) + " -> " + Units.duration(limit)
          + " (" + after.status() + phase(after) + ")");
      return 0;
    } finally {
      out.flush();
    }
  }

  private static String phase(MigrationInfo info) {
    MigrationInfo.PrecopyStats p = info.precopy();
    if (info.status() != MigrationStatus.ACTIVE) {
      return info.status() == MigrationStatus.DEVICE ? ", already switching over: no effect" : "";
    }
    if (p.passes() == 0) {
      return "";
    }
    return ", after pass " + p.passes() + (p.expectedDowntimeMs() >= 0
        ? ": expected downtime " + Units.millis(p.expectedDowntimeMs()) : "");
  }
}

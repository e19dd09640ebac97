package io.ferry.app;

import ch.qos.logback.classic.Level;
import io.ferry.app.FerryConfig.Loaded;
import akka.actor.typed.ActorRef;
import io.ferry.app.progress.EventProgressFeed;
import io.ferry.app.progress.ProgressDisplay;
import io.ferry.app.report.RunSettings;
import io.ferry.engine.config.MigrationParameters;
import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.coordinator.MigrationRequest;
import io.ferry.engine.node.FerryNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code ferry migrate}: QEMU's {@code migrate} from a separate client process. Starts a client
 * ActorSystem, sends {@code StartMigration} to the source node over Artery, then follows the
 * migration like the demo (or, with {@code --detach}, prints its id and exits). The migration runs
 * on the nodes: a client that exits or is interrupted leaves it running.
 */
@Command(
    name = "migrate",
    mixinStandardHelpOptions = true,
    versionProvider = FerryCli.Version.class,
    sortOptions = false,
    description = {
      "Migrate devices from a source node to a destination node, both started with `ferry node`; "
          + "show progress and the report, or print the migration id with --detach.",
      "",
      "Parameters are ferry.migration of the settings (--config FILE, ./application.conf or the "
          + "built-in one) with the options below on top. Exit status 0 only if the migration "
          + "COMPLETED and every destination digest matches its source."
    },
    footer = {
      "",
      "Examples:",
      "  ferry migrate --from akka://ferry-src@127.0.0.1:25520 \\",
      "                --to akka://ferry-dst@127.0.0.1:25521 --device nic0 --device disk0",
      "  ferry migrate --from ADDR --to ADDR --device gpu0 --channels 8 --detach"
    })
final class MigrateCommand implements Callable<Integer> {
  @ParentCommand FerryCli cli;
  @Spec CommandSpec spec;

  @Option(names = "--from", paramLabel = "ADDR", required = true,
      converter = Converters.Address.class,
      description = "Source node, akka://SYSTEM@HOST:PORT as `ferry node` prints it.")
  NodeAddress from;

  @Option(names = "--to", paramLabel = "ADDR", required = true,
      converter = Converters.Address.class, description = "Destination node.")
  NodeAddress to;

  @Option(names = "--device", paramLabel = "ID", required = true, split = ",",
      description = "A device of the source node to migrate (repeatable, or comma-separated); "
          + "sections go in this order.")
  List<String> devices = new ArrayList<>();

  @Option(names = "--detach",
      description = "Print the migration id (with --json: {\"migrationId\": ...}) once the source "
          + "has accepted the migration, and exit 0.")
  boolean detach;

  @Mixin MigrationOptions migration;
  @Mixin OutputOptions output;
  @Mixin ClientOptions client;

  @Override
  public Integer call() throws InterruptedException {
    Logging.configure(output.verbose, Level.OFF);
    if (devices.stream().distinct().count() != devices.size()) {
      throw new ParameterException(spec.commandLine(),
          "--device: each device may be given once, got " + devices);
    }
    PrintWriter out = spec.commandLine().getOut();
    Loaded loaded = FerryConfig.load(client.config, cli.workingDir());
    MigrationParameters params = migration.apply(
        MigrationParameters.fromConfig(loaded.config().getConfig("ferry.migration")));
    MigrationRequest request = new MigrationRequest(to.toString(), devices, params);
    RunSettings settings = new RunSettings(from.toString(), to.toString(), params);

    try (NodeClient nodes = NodeClient.start(loaded.config(), client.clientHost,
        client.timeout)) {
      CompletableFuture<MigrationInfo> end = new CompletableFuture<>();
      var onEnd = detach ? null
          : nodes.<MigrationInfo>receiver("migration-end-" + UUID.randomUUID(), end::complete);
      // The event subscriber lives in this client's system and is sent to the source over
      // Artery; subscribed before the start, it misses nothing.
      EventProgressFeed.Inbox events = detach ? null
          : output.subscribe(nodes.system(), nodes.node(from), from.toString(), client.timeout);
      try {
        return run(nodes, request, settings, onEnd, end, events);
      } finally {
        if (events != null) {
          events.close();
        }
      }
    }
  }

  private int run(NodeClient nodes, MigrationRequest request, RunSettings settings,
      ActorRef<MigrationInfo> onEnd, CompletableFuture<MigrationInfo> end,
      EventProgressFeed.Inbox events) throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    MigrationParameters params = request.params();
    FerryNode.Started started = nodes.ask(from,
        (ActorRef<FerryNode.Started> replyTo) ->
            new FerryNode.StartMigration(request, replyTo, onEnd), "start a migration");
    if (started.error() != null) {
      throw new CliException("source " + from + " refused the migration: " + started.error());
    }
    UUID id = started.migrationId();
    if (detach) {
      out.println(output.json ? "{\"migrationId\":\"" + id + "\"}" : id.toString());
      out.flush();
      return 0;
    }
    if (!output.json) {
      out.println("migration " + id + " started: " + from + " -> " + to + ", devices "
          + String.join(", ", devices));
      out.println("  " + Reports.parameters(params));
      out.println("  precopy: " + Reports.precopyParameters(params));
      out.println();
      out.flush();
    }
    ProgressDisplay display = output.display(out, cli.terminal());
    MigrationInfo info;
    try (InterruptNotice notice = new InterruptNotice(spec.commandLine().getErr(), display,
        spec.qualifiedName() + ": interrupted; migration " + id + " goes on on the source ("
            + "ferry cancel --node " + from + " --id " + id + " stops it)")) {
      info = output.feed(events, nodes.system(), nodes.node(from), from.toString(), id,
          client.timeout, end).follow(display);
    }
    display.close();
    return Reports.finish(spec.qualifiedName(), out, spec.commandLine().getErr(), info,
        settings, output.json);
  }
}

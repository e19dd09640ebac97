package io.ferry.app;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import io.ferry.app.progress.BarDisplay;
import io.ferry.app.progress.EventProgressFeed;
import io.ferry.app.progress.LineDisplay;
import io.ferry.app.progress.PollingProgressFeed;
import io.ferry.app.progress.ProgressDisplay;
import io.ferry.app.progress.ProgressFeed;
import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.node.FerryNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Option;

/** How a command follows a migration and shows its progress and report. */
public final class OutputOptions {
  /** {@code --progress}: auto = bars on a terminal, lines otherwise, none with --json. */
  enum Progress { AUTO, BARS, LINES, NONE }

  /** {@code --progress-source}: the engine's events (default) or polling. */
  enum Source { EVENTS, POLL }

  /** Time between two polls with {@code --progress-source poll}. */
  static final Duration POLL_INTERVAL = Duration.ofMillis(200);

  @Option(names = "--json",
      description = "Print the report as one JSON object on stdout, and no progress.")
  boolean json;

  @Option(names = "--progress", paramLabel = "auto|bars|lines|none", defaultValue = "auto",
      description = "Progress display: bars redrawn in place (terminal), a line per second, or "
          + "none (default: ${DEFAULT-VALUE}: bars on a terminal, else lines).")
  Progress progress;

  @Option(names = "--progress-source", paramLabel = "events|poll", defaultValue = "events",
      description = "Where progress comes from: the source node's migration events, with a "
          + "poll every 500 ms for per-device bytes, or a poll of the whole migration every "
          + "200 ms (default: ${DEFAULT-VALUE}).")
  Source source;

  @Option(names = {"-v", "--verbose"}, description = "Log engine and Akka INFO messages to stderr.")
  boolean verbose;

  /** The display these options ask for on {@code out}. */
  ProgressDisplay display(PrintWriter out, FerryCli.Terminal terminal) {
    Progress p = progress;
    if (p == Progress.AUTO) {
      p = json ? Progress.NONE : terminal.interactive() ? Progress.BARS : Progress.LINES;
    }
    return switch (p) {
      case BARS -> new BarDisplay(out, terminal.columns());
      case LINES -> new LineDisplay(out);
      default -> ProgressDisplay.NONE;
    };
  }

  /**
   * With events as the source: subscribes to the node's events from {@code system}, which must
   * happen before the migration starts. Null with polling.
   */
  EventProgressFeed.Inbox subscribe(ActorSystem<?> system, ActorRef<FerryNode.Command> node,
      String name, Duration timeout) throws InterruptedException {
    return source == Source.EVENTS ? EventProgressFeed.subscribe(system, node, name, timeout)
        : null;
  }

  /**
   * The feed for migration {@code id}.
   *
   * @param events what {@link #subscribe} returned
   * @param end completed with the final info when the migration ends
   */
  ProgressFeed feed(EventProgressFeed.Inbox events, ActorSystem<?> system,
      ActorRef<FerryNode.Command> node, String name, UUID id, Duration timeout,
      CompletableFuture<MigrationInfo> end) {
    if (events != null) {
      return EventProgressFeed.ofNode(events, system, node, name, id, timeout, end);
    }
    return PollingProgressFeed.ofNode(system, node, name, id, POLL_INTERVAL, timeout, end);
  }
}

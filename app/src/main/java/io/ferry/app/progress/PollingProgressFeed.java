package io.ferry.app.progress;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import io.ferry.app.CliException;
import io.ferry.app.Units;
import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.node.FerryNode;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Follows a migration by asking its source node for it ({@code FerryNode.GetMigration}) every
 * {@code interval}. If the caller also holds the migration's end notification ({@code
 * StartMigration.onEnd}), that is the final info; otherwise the first snapshot with a final status
 * is.
 *
 * <p>A node that does not answer within {@code answerTimeout} ends the follow with a {@link
 * CliException}. A node that answers "unknown id" is given {@link #FORGET_GRACE}: between a
 * coordinator's stop and its final info reaching the node's history the id is briefly unknown.
 */
public final class PollingProgressFeed implements ProgressFeed {
  /** How long an id may stay unknown before the node is taken to have forgotten it. */
  static final Duration FORGET_GRACE = Duration.ofSeconds(2);

  /** How long to wait for the end notification once a poll has seen a final status. */
  static final Duration END_GRACE = Duration.ofSeconds(5);

  /** One round trip: the migration's current info, or null if the node does not know the id. */
  @FunctionalInterface
  public interface Poll {
    CompletionStage<MigrationInfo> next();
  }

  private final Poll poll;
  private final String node;
  private final UUID migrationId;
  private final Duration interval;
  private final Duration answerTimeout;
  private final CompletableFuture<MigrationInfo> end;

  /**
   * @param poll one round trip to the node
   * @param node the node's name for error messages
   * @param migrationId the migration followed
   * @param interval time between polls
   * @param answerTimeout how long one poll may take
   * @param end completed with the final info when the migration ends; null if not available
   */
  public PollingProgressFeed(Poll poll, String node, UUID migrationId, Duration interval,
      Duration answerTimeout, CompletableFuture<MigrationInfo> end) {
    this.poll = poll;
    this.node = node;
    this.migrationId = migrationId;
    this.interval = interval;
    this.answerTimeout = answerTimeout;
    this.end = end;
  }

  /** A feed that asks {@code nodeRef}, in-process or over Artery, from {@code system}. */
  public static PollingProgressFeed ofNode(ActorSystem<?> system,
      ActorRef<FerryNode.Command> nodeRef, String node, UUID migrationId, Duration interval,
      Duration answerTimeout, CompletableFuture<MigrationInfo> end) {
    return new PollingProgressFeed(askNode(system, nodeRef, migrationId, answerTimeout), node,
        migrationId, interval, answerTimeout, end);
  }

  /** One {@code GetMigration} round trip to {@code nodeRef} from {@code system}. */
  static Poll askNode(ActorSystem<?> system, ActorRef<FerryNode.Command> nodeRef,
      UUID migrationId, Duration answerTimeout) {
    return () -> AskPattern.<FerryNode.Command, FerryNode.MigrationLookup>ask(nodeRef,
            replyTo -> new FerryNode.GetMigration(migrationId, replyTo), answerTimeout,
            system.scheduler())
        .thenApply(FerryNode.MigrationLookup::info);
  }

  @Override
  public MigrationInfo follow(ProgressDisplay display) throws InterruptedException {
    long unknownSince = -1;
    while (true) {
      if (end != null && end.isDone()) {
        return ended(display, end.join());
      }
      MigrationInfo info = pollOnce();
      if (info == null) {
        long now = System.nanoTime();
        if (unknownSince < 0) {
          unknownSince = now;
        } else if (now - unknownSince > FORGET_GRACE.toNanos()) {
          throw new CliException("node " + node + " does not know migration " + migrationId);
        }
      } else {
        unknownSince = -1;
        display.update(ProgressSnapshot.of(info));
        if (info.status().isFinal()) {
          if (end == null) {
            return info;
          }
          try {
            return ended(display, end.get(END_GRACE.toMillis(), TimeUnit.MILLISECONDS));
          } catch (TimeoutException | ExecutionException e) {
            return info;
          }
        }
      }
      if (end == null) {
        Thread.sleep(interval.toMillis());
      } else {
        try {
          return ended(display, end.get(interval.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
          // Still running: poll again.
        } catch (ExecutionException e) {
          throw new CliException("migration " + migrationId + ": " + e.getCause().getMessage(),
              e.getCause());
        }
      }
    }
  }

  private MigrationInfo ended(ProgressDisplay display, MigrationInfo info) {
    display.update(ProgressSnapshot.of(info));
    return info;
  }

  private MigrationInfo pollOnce() throws InterruptedException {
    try {
      // The ask has its own timeout; the extra second only guards against a poll that never ends.
      return poll.next().toCompletableFuture()
          .get(answerTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TimeoutException)) {
        throw new CliException("asking node " + node + " for migration " + migrationId
            + " failed: " + e.getCause().getMessage(), e.getCause());
      }
      throw noAnswer(e.getCause());
    } catch (TimeoutException e) {
      throw noAnswer(e);
    }
  }

  private CliException noAnswer(Throwable cause) {
    return new CliException("no answer from node " + node + " within "
        + Units.duration(answerTimeout) + " while following migration " + migrationId
        + " (is the node still running?)", cause);
  }
}

package io.ferry.app.progress;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import io.ferry.app.CliException;
import io.ferry.app.Units;
import io.ferry.engine.coordinator.MigrationEvent;
import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.node.FerryNode;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Follows a migration through the engine's events ({@code FerryNode.SubscribeEvents}): status
 * changes, precopy passes, device states and channel progress drive the display as they happen,
 * and {@code Ended} carries the final info. The events carry channel totals, not per-device ones,
 * so the source node is also asked for the migration ({@code GetMigration}) every {@code
 * devicePollInterval} (500 ms), and at once after a status change, for the per-device figures;
 * {@link EventProgressState} says which figure comes from where.
 *
 * <p>The subscription is node-wide and must be in place before the migration starts, so that no
 * event is missed: {@link #subscribe} first (an {@link Inbox} that collects every event of the
 * node), then start the migration, then {@link #EventProgressFeed follow} its id; events of other
 * migrations are dropped.
 *
 * <p>The end is the first of: the {@code Ended} event, the caller's end notification ({@code
 * StartMigration.onEnd}), or, should neither come within {@link
 * PollingProgressFeed#END_GRACE}, a poll with a final status. A node that does not answer a poll
 * within {@code answerTimeout} ends the follow with a {@link CliException}, as does one that keeps
 * not knowing the id for {@link PollingProgressFeed#FORGET_GRACE}.
 */
public final class EventProgressFeed implements ProgressFeed {
  /** The default time between the per-device polls. */
  public static final Duration DEVICE_POLL_INTERVAL = Duration.ofMillis(500);

  /** The display is redrawn at most this often (a status change or a pass at once). */
  static final Duration DRAW_INTERVAL = Duration.ofMillis(100);

  /** Events (and poll results) as they arrive, for the following thread. */
  public static final class Inbox implements AutoCloseable {
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Runnable onClose;
    private volatile boolean closed;

    /**
     * @param onClose ends the subscription (stops the subscriber); run once by {@link #close}
     */
    public Inbox(Runnable onClose) {
      this.onClose = onClose;
    }

    /** An event has arrived. Thread-safe; ignored once closed. */
    public void offer(MigrationEvent event) {
      if (!closed) {
        queue.add(event);
      }
    }

    void offerResult(Object result) {
      if (!closed) {
        queue.add(result);
      }
    }

    Object poll(long millis) throws InterruptedException {
      return queue.poll(Math.max(0, millis), TimeUnit.MILLISECONDS);
    }

    /** Ends the subscription; later events are dropped. */
    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        queue.clear();
        onClose.run();
      }
    }
  }

  /** A poll's answer (null info: the node does not know the id). */
  private record Polled(MigrationInfo info) {}

  /** A poll that failed. */
  private record PollFailed(Throwable cause) {}

  private static final Object STOP = new Object();

  /**
   * Subscribes to the events of the node {@code nodeRef} with an actor in {@code system} (a system
   * actor; over Artery when the node is in another process) and waits until the node has taken
   * the subscription: it answers a {@code GetNodeInfo} sent after it.
   *
   * @param node the node's name for error messages
   * @throws CliException if the node does not answer within {@code answerTimeout}
   */
  public static Inbox subscribe(ActorSystem<?> system, ActorRef<FerryNode.Command> nodeRef,
      String node, Duration answerTimeout) throws InterruptedException {
    AtomicReference<ActorRef<Object>> ref = new AtomicReference<>();
    Inbox inbox = new Inbox(() -> ref.get().tell(STOP));
    ref.set(system.systemActorOf(
        Behaviors.receiveMessage(m -> {
          if (m == STOP) {
            return Behaviors.stopped();
          }
          if (m instanceof MigrationEvent e) {
            inbox.offer(e);
          }
          return Behaviors.same();
        }), "ferry-migration-events-" + UUID.randomUUID(), Props.empty()));
    ActorRef<Object> subscriber = ref.get();
    nodeRef.tell(new FerryNode.SubscribeEvents(subscriber.narrow()));
    try {
      AskPattern.ask(nodeRef, FerryNode.GetNodeInfo::new, answerTimeout, system.scheduler())
          .toCompletableFuture().get(answerTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      inbox.close();
      throw new CliException("no answer from node " + node + " within "
          + Units.duration(answerTimeout) + " (subscribing to migration events); is it "
          + "running, and is this the address it printed?", e);
    } catch (InterruptedException e) {
      inbox.close();
      throw e;
    }
    return inbox;
  }

  private final Inbox inbox;
  private final UUID migrationId;
  private final PollingProgressFeed.Poll poll;
  private final String node;
  private final Duration devicePollInterval;
  private final Duration answerTimeout;
  private final CompletableFuture<MigrationInfo> end;

  /**
   * @param inbox the node's events, subscribed before the migration started
   * @param migrationId the migration followed
   * @param poll one {@code GetMigration} round trip, for the per-device figures
   * @param node the node's name for error messages
   * @param devicePollInterval time between polls
   * @param answerTimeout how long one poll may take
   * @param end completed with the final info when the migration ends; null if not available
   */
  public EventProgressFeed(Inbox inbox, UUID migrationId, PollingProgressFeed.Poll poll,
      String node, Duration devicePollInterval, Duration answerTimeout,
      CompletableFuture<MigrationInfo> end) {
    this.inbox = inbox;
    this.migrationId = migrationId;
    this.poll = poll;
    this.node = node;
    this.devicePollInterval = devicePollInterval;
    this.answerTimeout = answerTimeout;
    this.end = end;
  }

  /** A feed whose polls ask {@code nodeRef} from {@code system}. */
  public static EventProgressFeed ofNode(Inbox inbox, ActorSystem<?> system,
      ActorRef<FerryNode.Command> nodeRef, String node, UUID migrationId, Duration answerTimeout,
      CompletableFuture<MigrationInfo> end) {
    return new EventProgressFeed(inbox, migrationId,
        PollingProgressFeed.askNode(system, nodeRef, migrationId, answerTimeout), node,
        DEVICE_POLL_INTERVAL, answerTimeout, end);
  }

  @Override
  public MigrationInfo follow(ProgressDisplay display) throws InterruptedException {
    EventProgressState state = new EventProgressState(migrationId);
    long pollInterval = devicePollInterval.toNanos();
    long drawInterval = DRAW_INTERVAL.toNanos();
    long nextPoll = System.nanoTime();
    long pollDeadline = 0;
    boolean polling = false;
    boolean pollAgain = false;
    long unknownSince = -1;
    long finalSince = -1;
    MigrationInfo polledFinal = null;
    long lastDraw = 0;
    boolean dirty = false;
    while (true) {
      if (end != null && end.isDone()) {
        return ended(display, state, endInfo());
      }
      long now = System.nanoTime();
      if (polledFinal != null && now - finalSince > PollingProgressFeed.END_GRACE.toNanos()) {
        // Neither Ended nor the end notification came: the polled final info is the result.
        return ended(display, state, polledFinal);
      }
      if (!polling && now >= nextPoll) {
        polling = true;
        pollDeadline = now + answerTimeout.toNanos() + TimeUnit.SECONDS.toNanos(1);
        poll.next().whenComplete((info, error) ->
            inbox.offerResult(error == null ? new Polled(info) : new PollFailed(error)));
      }
      if (polling && now > pollDeadline) {
        // The ask has its own timeout; this only guards against a poll that never ends.
        throw noAnswer(new TimeoutException("poll did not end"));
      }
      long waitNanos = Math.min(polling ? pollDeadline - now : nextPoll - now, drawInterval);
      Object item = inbox.poll(TimeUnit.NANOSECONDS.toMillis(waitNanos) + 1);
      boolean drawNow = false;
      if (item instanceof MigrationEvent e) {
        if (!e.migrationId().equals(migrationId)) {
          continue;
        }
        if (e instanceof MigrationEvent.Ended ended) {
          return ended(display, state, ended.info());
        }
        state.apply(e);
        dirty = true;
        drawNow = e instanceof MigrationEvent.StatusChanged
            || e instanceof MigrationEvent.PrecopyPass;
        if (e instanceof MigrationEvent.StatusChanged) {
          // The devices' figures change most at a status change: fetch them now, or right after
          // the poll in flight.
          if (polling) {
            pollAgain = true;
          } else {
            nextPoll = System.nanoTime();
          }
        }
      } else if (item instanceof Polled p) {
        polling = false;
        nextPoll = System.nanoTime() + (pollAgain ? 0 : pollInterval);
        pollAgain = false;
        if (p.info() == null) {
          long t = System.nanoTime();
          if (unknownSince < 0) {
            unknownSince = t;
          } else if (t - unknownSince > PollingProgressFeed.FORGET_GRACE.toNanos()) {
            throw new CliException("node " + node + " does not know migration " + migrationId);
          }
        } else {
          unknownSince = -1;
          state.apply(p.info());
          dirty = true;
          if (p.info().status().isFinal() && polledFinal == null) {
            polledFinal = p.info();
            finalSince = System.nanoTime();
          }
        }
      } else if (item instanceof PollFailed f) {
        Throwable cause = f.cause() instanceof CompletionException && f.cause().getCause() != null
            ? f.cause().getCause() : f.cause();
        if (cause instanceof TimeoutException) {
          throw noAnswer(cause);
        }
        throw new CliException("asking node " + node + " for migration " + migrationId
            + " failed: " + cause.getMessage(), cause);
      }
      long t = System.nanoTime();
      if (dirty && state.polled() && (drawNow || t - lastDraw >= drawInterval)) {
        display.update(state.snapshot());
        lastDraw = t;
        dirty = false;
      }
    }
  }

  private MigrationInfo endInfo() {
    try {
      return end.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new CliException("migration " + migrationId + ": " + cause.getMessage(), cause);
    }
  }

  private static MigrationInfo ended(ProgressDisplay display, EventProgressState state,
      MigrationInfo info) {
    display.update(state.last(info));
    return info;
  }

  private CliException noAnswer(Throwable cause) {
    return new CliException("no answer from node " + node + " within "
        + Units.duration(answerTimeout) + " while following migration " + migrationId
        + " (is the node still running?)", cause);
  }
}

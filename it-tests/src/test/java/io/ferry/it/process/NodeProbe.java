package io.ferry.it.process;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import io.ferry.engine.config.FerryConfig;
import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.coordinator.MigrationStatus;
import io.ferry.engine.device.DeviceMigration;
import io.ferry.engine.node.FerryNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The test JVM's own Artery endpoint ({@code ferry-it-probe} on 127.0.0.1) for fast, frequent
 * questions to node processes: polling a migration's status to time a fault, reading a node's
 * {@link FerryNode.NodeInfo}, and asking a device actor for its state and digest.
 *
 * <p>The client commands answer the first two as well, but each costs a client ActorSystem (and,
 * as a process, a JVM); the scenarios use the probe to trigger faults at the right moment and the
 * commands for what they check. Device state and digest are not reported by {@code ferry status}
 * at all, so the probe asks the device actor ({@code /user/device-<UUID of the id>}, as {@code
 * FerryNodeHost} names it) with {@link DeviceMigration.Describe}; that needs the serialization
 * bindings of {@link NodeSpec#PROBE_BINDINGS} on both sides.
 *
 * <p>One probe per test class; {@link #close()} terminates its ActorSystem.
 */
public final class NodeProbe implements AutoCloseable {
  private static final Duration ASK = Duration.ofSeconds(5);
  private static final long POLL_MILLIS = 25;

  private final ActorSystem<Void> system;

  private NodeProbe(ActorSystem<Void> system) {
    this.system = system;
  }

  public static NodeProbe start() {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "ferry-it-probe",
        FerryConfig.load(ConfigFactory.parseString(NodeSpec.PROBE_BINDINGS
            + "akka.loglevel = WARNING\nakka.stdout-loglevel = OFF\n")));
    return new NodeProbe(system);
  }

  /** What {@code ferry status --node ADDR} prints: address, data port, devices, migrations. */
  public FerryNode.NodeInfo nodeInfo(String node) {
    return ask(node(node), FerryNode.GetNodeInfo::new, "node info of " + node);
  }

  /** A migration as its source node reports it (live or final); null for an unknown id. */
  public MigrationInfo migration(String sourceNode, UUID id) {
    FerryNode.MigrationLookup lookup = ask(node(sourceNode),
        (ActorRef<FerryNode.MigrationLookup> replyTo) -> new FerryNode.GetMigration(id, replyTo),
        "migration " + id + " on " + sourceNode);
    return lookup.info();
  }

  /**
   * A device's state (MigrationState name), digest (null while a migration owns the device) and
   * the migration it is busy with (null when idle).
   */
  public DeviceMigration.DeviceInfo device(String node, String deviceId) {
    String path = node + "/user/device-"
        + UUID.nameUUIDFromBytes(deviceId.getBytes(StandardCharsets.UTF_8));
    ActorRef<DeviceMigration.DeviceCommand> device =
        ActorRefResolver.get(system).resolveActorRef(path);
    return ask(device, (ActorRef<DeviceMigration.DeviceInfo> replyTo) ->
        new DeviceMigration.Describe(0, replyTo), "device " + deviceId + " on " + node
        + " (actor " + path + ")");
  }

  /** Waits until the device satisfies {@code condition}; returns its last info either way. */
  public DeviceMigration.DeviceInfo awaitDevice(String node, String deviceId,
      Predicate<DeviceMigration.DeviceInfo> condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      DeviceMigration.DeviceInfo info = device(node, deviceId);
      if (condition.test(info) || System.nanoTime() > deadline) {
        return info;
      }
      Thread.sleep(POLL_MILLIS * 4);
    }
  }

  /**
   * Polls the migration until {@code condition} holds and returns that snapshot.
   *
   * @throws AssertionError if the migration ended, or the timeout passed, first
   */
  public MigrationInfo awaitMigration(String sourceNode, UUID id, String what,
      Predicate<MigrationInfo> condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    MigrationInfo last = null;
    while (System.nanoTime() < deadline) {
      last = migration(sourceNode, id);
      if (last != null && condition.test(last)) {
        return last;
      }
      if (last != null && last.status().isFinal()) {
        throw new AssertionError("migration " + id + " ended " + last.status() + " before "
            + what + ": " + last.error());
      }
      Thread.sleep(POLL_MILLIS);
    }
    throw new AssertionError("migration " + id + " did not reach " + what + " within " + timeout
        + "; last seen " + (last == null ? "nothing" : last.status() + ", " + last.totalBytes()
        + " bytes"));
  }

  /** Waits until the migration is in {@code status} with at least {@code minBytes} sent. */
  public MigrationInfo awaitStatus(String sourceNode, UUID id, MigrationStatus status,
      long minBytes, Duration timeout) throws InterruptedException {
    return awaitMigration(sourceNode, id, status + " with " + minBytes + " bytes sent",
        m -> m.status() == status && m.totalBytes() >= minBytes, timeout);
  }

  /** Waits until the node lists no incoming and no outgoing migration; returns its last info. */
  public FerryNode.NodeInfo awaitIdle(String node, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      FerryNode.NodeInfo info = nodeInfo(node);
      if ((info.incoming().isEmpty() && info.outgoing().isEmpty())
          || System.nanoTime() > deadline) {
        return info;
      }
      Thread.sleep(POLL_MILLIS * 4);
    }
  }

  private ActorRef<FerryNode.Command> node(String address) {
    return ActorRefResolver.get(system).resolveActorRef(address + "/user/ferry");
  }

  private <T, R> R ask(ActorRef<T> target, Function<ActorRef<R>, T> request, String what) {
    try {
      return AskPattern.ask(target, request::apply, ASK, system.scheduler())
          .toCompletableFuture().get(ASK.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError("no answer about " + what + " within " + ASK + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while asking about " + what, e);
    }
  }

  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      // The JVM ends after the suite anyway; a slow Artery shutdown must not fail the tests.
    }
  }
}

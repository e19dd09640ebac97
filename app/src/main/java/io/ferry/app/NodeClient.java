package io.ferry.app;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.ferry.engine.node.FerryNode;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A small ActorSystem ({@code ferry-client}, Artery on a free port) from which {@code migrate},
 * {@code status} and {@code cancel} talk to nodes: it resolves a node actor by its path
 * ({@code ActorRefResolver}, no cluster) and asks it with a timeout. Every request and reply is a
 * {@code ControlMessage}, serialized with Jackson CBOR.
 */
final class NodeClient implements AutoCloseable {
  private final ActorSystem<Void> system;
  private final String actorName;
  private final Duration timeout;

  private NodeClient(ActorSystem<Void> system, String actorName, Duration timeout) {
    this.system = system;
    this.actorName = actorName;
    this.timeout = timeout;
  }

  /** Starts the client system from the loaded settings. */
  static NodeClient start(Config settings, String host, Duration timeout) {
    Config config = ConfigFactory.empty()
        .withValue("akka.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(host))
        .withValue("akka.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(0))
        .withValue("akka.stdout-loglevel", ConfigValueFactory.fromAnyRef("OFF"))
        .withFallback(settings);
    try {
      ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "ferry-client", config);
      return new NodeClient(system, config.getString("ferry.node.actor-name"), timeout);
    } catch (RuntimeException e) {
      throw new CliException("cannot start the client endpoint on " + host + ": "
          + e.getMessage(), e);
    }
  }

  ActorSystem<Void> system() {
    return system;
  }

  Duration timeout() {
    return timeout;
  }

  /** The node actor of the node at {@code address}. */
  ActorRef<FerryNode.Command> node(NodeAddress address) {
    return ActorRefResolver.get(system).resolveActorRef(address.actorPath(actorName));
  }

  /** A local actor that nodes can send {@code T} to, handing each message to {@code onMessage}. */
  <T> ActorRef<T> receiver(String name, java.util.function.Consumer<T> onMessage) {
    Behavior<T> behavior = Behaviors.receiveMessage(m -> {
      onMessage.accept(m);
      return Behaviors.same();
    });
    return system.systemActorOf(behavior, name, Props.empty());
  }

  /**
   * Asks the node at {@code address} and waits for the answer.
   *
   * @param what what was asked, for the error message
   * @throws CliException if no answer comes within the timeout
   */
  <T> T ask(NodeAddress address, Function<ActorRef<T>, FerryNode.Command> request, String what) {
    try {
      return AskPattern.ask(node(address), request::apply, timeout, system.scheduler())
          .toCompletableFuture().get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TimeoutException) {
        throw noAnswer(address, what, e.getCause());
      }
      throw new CliException(what + " on " + address + " failed: " + e.getCause().getMessage(),
          e.getCause());
    } catch (TimeoutException e) {
      throw noAnswer(address, what, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted while waiting for " + address, e);
    }
  }

  private CliException noAnswer(NodeAddress address, String what, Throwable cause) {
    return new CliException("no answer from node " + address + " within "
        + Units.duration(timeout) + " (" + what + "); is it running, and is this the address "
        + "it printed?", cause);
  }

  /** Sends without waiting for an answer. */
  void tell(NodeAddress address, FerryNode.Command message) {
    node(address).tell(message);
  }

  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // The process is about to exit; a slow Artery shutdown must not turn success into failure.
    }
  }
}

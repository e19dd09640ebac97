package io.ferry.it.process;

import io.ferry.it.proxy.FaultProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * One test's processes and files: a directory {@code target/it-processes/<suite>/<test>/} (node
 * configs, node logs, client output), the node processes and proxies the test started, and the
 * clients that run commands there. {@link #close()} in {@code @AfterEach} kills every node that
 * still runs (SIGKILL, waited for) and closes every proxy, whatever the test did.
 *
 * <pre>{@code
 * try (Workspace ws = Workspace.open("CliProcessIT", "aMigrationBetweenTwoNodeProcesses")) {
 *   List<FerryNodeProcess> n = ws.startNodes(NodeSpec.source(...), NodeSpec.destination(...));
 *   CommandResult r = ws.client(FerryClient.Mode.PROCESS).status(n.get(0).address());
 * }
 * }</pre>
 */
public final class Workspace implements AutoCloseable {
  private final Path dir;
  private final List<FerryNodeProcess> nodes = new CopyOnWriteArrayList<>();
  private final List<FaultProxy> proxies = new CopyOnWriteArrayList<>();
  private final List<Process> clients = new CopyOnWriteArrayList<>();
  private final AtomicInteger clientRuns = new AtomicInteger();

  private Workspace(Path dir) {
    this.dir = dir;
  }

  /** A fresh, empty directory for {@code suite}/{@code test} under {@code ferry.it.output}. */
  public static Workspace open(String suite, String test) {
    String root = System.getProperty("ferry.it.output");
    Path base = root != null && !root.isBlank() ? Path.of(root)
        : FerryJar.moduleDir().resolve("target/it-processes");
    Path dir = base.resolve(suite).resolve(test.replaceAll("[^A-Za-z0-9._-]", "_"))
        .toAbsolutePath();
    try {
      if (Files.exists(dir)) {
        try (Stream<Path> old = Files.walk(dir)) {
          for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(p);
          }
        }
      }
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + dir, e);
    }
    return new Workspace(dir);
  }

  public Path dir() {
    return dir;
  }

  /** Writes {@code text} to {@code name} in this test's directory. */
  public Path writeFile(String name, String text) {
    Path file = dir.resolve(name);
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    return file;
  }

  /** Starts one node process and waits for its ready line. */
  public FerryNodeProcess startNode(NodeSpec spec) {
    try {
      FerryNodeProcess node = FerryNodeProcess.start(spec, dir);
      nodes.add(node);
      return node;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start node " + spec.name(), e);
    }
  }

  /** Starts the nodes in parallel (a node takes 2-4 s to be ready) and waits for all of them. */
  public List<FerryNodeProcess> startNodes(NodeSpec... specs) {
    List<CompletableFuture<FerryNodeProcess>> starting = new ArrayList<>();
    for (NodeSpec spec : specs) {
      // One thread each: the common pool has a single thread on a two-core machine.
      starting.add(CompletableFuture.supplyAsync(() -> startNode(spec), r -> {
        Thread t = new Thread(r, "ferry-it-start-" + spec.name());
        t.setDaemon(true);
        t.start();
      }));
    }
    List<FerryNodeProcess> started = new ArrayList<>();
    RuntimeException failure = null;
    for (CompletableFuture<FerryNodeProcess> f : starting) {
      try {
        started.add(f.join());
      } catch (CompletionException e) {
        if (failure == null) {
          failure = e.getCause() instanceof RuntimeException r ? r : e;
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
    return started;
  }

  /** A client whose commands run in this test's directory (so no ./application.conf applies). */
  public FerryClient client(FerryClient.Mode mode) {
    return new FerryClient(dir, mode, null, null, clientRuns, clients::add);
  }

  /**
   * A {@link FaultProxy} on 127.0.0.1 to {@code targetPort} on 127.0.0.1, closed with the
   * workspace.
   */
  public FaultProxy proxy(int targetPort) {
    try {
      FaultProxy proxy = new FaultProxy(new InetSocketAddress("127.0.0.1", targetPort)).start();
      proxies.add(proxy);
      return proxy;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a fault proxy to port " + targetPort, e);
    }
  }

  /**
   * A port of 127.0.0.1 that was free a moment ago: for a node's fixed data port behind a proxy
   * (the proxy must know its target before the node starts).
   */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  /** The node processes this test started, in start order. */
  public List<FerryNodeProcess> nodes() {
    return List.copyOf(nodes);
  }

  /**
   * Kills every node and client process that still runs (a client outlives its test when a hook
   * failed while it was running) and closes every proxy.
   *
   * @throws IllegalStateException if a node survived SIGKILL
   */
  @Override
  public void close() {
    IllegalStateException failure = null;
    for (Process client : clients) {
      if (client.isAlive() && !ProcessRegistry.kill(client, Duration.ofSeconds(10))) {
        failure = new IllegalStateException("client pid " + client.pid() + " survived SIGKILL");
      }
    }
    for (FerryNodeProcess node : nodes) {
      try {
        node.close();
        if (node.isAlive()) {
          throw new IllegalStateException(node + " is still alive after SIGKILL");
        }
      } catch (IllegalStateException e) {
        failure = failure == null ? e : failure;
      }
    }
    for (FaultProxy proxy : proxies) {
      proxy.close();
    }
    if (failure != null) {
      throw failure;
    }
  }
}

package io.ferry.it.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code ferry node} running as a separate JVM ({@code java -jar ferry-app.jar node --config
 * FILE --name NAME}), started by {@link Workspace#startNode} and killed by the workspace at the end
 * of the test whatever happened.
 *
 * <p>Its stdout and stderr go to {@code <name>.log} in the test's directory; {@link #start} waits
 * (bounded) for the {@code ready address=... data=... devices=...} line the node prints once its
 * Artery endpoint and data port are bound and its devices registered (docs/cli.md), and parses it.
 */
public final class FerryNodeProcess implements AutoCloseable {
  /** How long a node may take to print its ready line (JVM start, Artery, device models). */
  static final Duration READY_TIMEOUT = Duration.ofSeconds(45);

  /**
   * Nodes log INFO ({@code -v}) unless {@code -Dferry.it.node-verbose=false}: the logs under
   * target/it-processes are how a failed process test is diagnosed.
   */
  private static final boolean VERBOSE =
      !"false".equals(System.getProperty("ferry.it.node-verbose"));

  private static final Duration EXIT_WAIT = Duration.ofSeconds(15);
  private static final String READY = "ready ";

  private final NodeSpec spec;
  private final Process process;
  private final Path log;
  private final String address;
  private final String dataHost;
  private final int dataPort;
  private final List<String> deviceIds;

  private FerryNodeProcess(NodeSpec spec, Process process, Path log, String readyLine) {
    this.spec = spec;
    this.process = process;
    this.log = log;
    String address = null;
    String data = null;
    String devices = null;
    for (String field : readyLine.substring(READY.length()).trim().split(" ")) {
      if (field.startsWith("address=")) {
        address = field.substring("address=".length());
      } else if (field.startsWith("data=")) {
        data = field.substring("data=".length());
      } else if (field.startsWith("devices=")) {
        devices = field.substring("devices=".length());
      }
    }
    if (address == null || data == null || devices == null || data.lastIndexOf(':') < 0) {
      throw new IllegalStateException("node " + spec.name() + ": malformed ready line '"
          + readyLine + "' (expected 'ready address=ADDR data=HOST:PORT devices=ID,...')");
    }
    this.address = address;
    this.dataHost = data.substring(0, data.lastIndexOf(':'));
    this.dataPort = Integer.parseInt(data.substring(data.lastIndexOf(':') + 1));
    this.deviceIds = devices.isEmpty() ? List.of() : Arrays.asList(devices.split(","));
  }

  /**
   * Writes the node's config into {@code dir}, starts the process and waits for its ready line.
   *
   * @throws IllegalStateException if the node exits or prints no ready line within {@link
   *     #READY_TIMEOUT}; the message holds the end of its log. The process is killed then.
   */
  static FerryNodeProcess start(NodeSpec spec, Path dir) throws IOException {
    Path config = dir.resolve(spec.name() + ".conf");
    Files.writeString(config, spec.configText(), StandardCharsets.UTF_8);
    Path log = uniqueLog(dir, spec.name());
    List<String> args = new ArrayList<>(List.of("node", "--config", config.toString(),
        "--name", spec.name()));
    if (spec.host() != null) {
      args.addAll(List.of("--host", spec.host()));
    }
    if (VERBOSE) {
      args.add("-v");
    }
    ProcessBuilder pb = new ProcessBuilder(
        FerryJar.command(spec.netns(), FerryJar.NODE_JVM_OPTIONS, args))
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    Process process = pb.start();
    ProcessRegistry.register(process);
    try {
      String ready = awaitReady(spec, process, log);
      return new FerryNodeProcess(spec, process, log, ready);
    } catch (RuntimeException | InterruptedException e) {
      ProcessRegistry.kill(process, EXIT_WAIT);
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw e instanceof RuntimeException r ? r
          : new IllegalStateException("interrupted while starting node " + spec.name(), e);
    }
  }

  private static Path uniqueLog(Path dir, String name) {
    Path log = dir.resolve(name + ".log");
    for (int i = 2; Files.exists(log); i++) {
      log = dir.resolve(name + "-" + i + ".log");
    }
    return log;
  }

  private static String awaitReady(NodeSpec spec, Process process, Path log)
      throws InterruptedException, IOException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (true) {
      for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
        if (line.startsWith(READY)) {
          return line;
        }
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("node " + spec.name() + " exited with status "
            + process.exitValue() + " before its ready line; log " + log + ":\n" + tail(log));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("node " + spec.name() + " printed no ready line within "
            + READY_TIMEOUT.toSeconds() + " s; log " + log + ":\n" + tail(log));
      }
      Thread.sleep(50);
    }
  }

  /** The last lines of a log, for failure messages. */
  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  public NodeSpec spec() {
    return spec;
  }

  public String name() {
    return spec.name();
  }

  /** The Artery address from the ready line: for {@code --from}, {@code --to}, {@code --node}. */
  public String address() {
    return address;
  }

  /** The data host from the ready line (the advertised one, if the spec sets it). */
  public String dataHost() {
    return dataHost;
  }

  /** The data port from the ready line (the advertised one, if the spec sets it). */
  public int dataPort() {
    return dataPort;
  }

  public List<String> deviceIds() {
    return deviceIds;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The node's stdout and stderr. */
  public Path log() {
    return log;
  }

  /** The end of the log, for assertion messages. */
  public String logTail() {
    return tail(log);
  }

  /**
   * {@code kill -9} of the node and anything it started (Process.destroyForcibly on the whole
   * process tree), waiting until the JVM is gone: its sockets are closed by the kernel, its peers
   * see the connections reset, and it runs no shutdown hook.
   *
   * @throws IllegalStateException if it is still alive after the wait
   */
  public void kill9() {
    if (!ProcessRegistry.kill(process, EXIT_WAIT)) {
      throw new IllegalStateException("node " + name() + " (pid " + pid() + ") survived SIGKILL");
    }
  }

  /**
   * SIGTERM: Akka's coordinated shutdown runs from the JVM's shutdown hook and the node prints
   * {@code stopping} and {@code stopped}. Waits for the exit; kills the node if it takes longer
   * than {@code wait}.
   *
   * @return the exit status
   * @throws IllegalStateException if the node did not exit within {@code wait} (it is killed)
   */
  public int stop(Duration wait) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
      ProcessRegistry.kill(process, EXIT_WAIT);
      throw new IllegalStateException("node " + name() + " did not exit within " + wait
          + " of SIGTERM; killed. Log " + log + ":\n" + logTail());
    }
    ProcessRegistry.unregister(process);
    return process.exitValue();
  }

  /** Kills the node if it still runs; idempotent. */
  @Override
  public void close() {
    if (process.isAlive()) {
      ProcessRegistry.kill(process, EXIT_WAIT);
    } else {
      ProcessRegistry.unregister(process);
    }
  }

  @Override
  public String toString() {
    return "node " + name() + " " + address + " data " + dataHost + ":" + dataPort + " (pid "
        + pid() + ", log " + log + ")";
  }
}

package io.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.coordinator.MigrationStatus;
import io.ferry.engine.device.DeviceMigration;
import io.ferry.engine.device.StateDigest;
import io.ferry.it.process.CommandResult;
import io.ferry.it.process.Device;
import io.ferry.it.process.FerryClient;
import io.ferry.it.process.FerryNodeProcess;
import io.ferry.it.process.NodeProbe;
import io.ferry.it.process.NodeSpec;
import io.ferry.it.process.Workspace;
import io.ferry.it.proxy.Fault;
import io.ferry.it.proxy.FaultProxy;
import io.ferry.protocol.packet.ChannelHello;
import io.ferry.protocol.packet.HelloStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One migration between two {@code ferry node} processes, declared as data: the devices of each
 * node, the {@code ferry migrate} options, an optional {@link FaultProxy} fault between them, an
 * optional {@link Hook} that acts while the migration runs (kill a node, cancel, cut a channel),
 * and the {@link Outcome} it must have. {@link #run} starts the nodes, runs the migration with a
 * {@link FerryClient}, and then makes the checks every scenario of that outcome needs:
 *
 * <ul>
 *   <li>the migration ends within its timeout ({@link #within}), with the exit status and report
 *       status of the outcome and, for a failure, an error naming the cause;
 *   <li>after a failure or cancel: each source device is RUNNING, idle, with the digest it had
 *       before the migration; the source lists no running migration ({@code ferry status --json});
 *   <li>the destination has no orphaned state: {@code ferry status --json} lists no incoming
 *       migration, no device is RESUMING or still owned by a migration, and each device has the
 *       digest it had before (a failed load leaves nothing behind);
 *   <li>the surviving nodes run a new migration afterwards, to a fresh destination process (or
 *       from a fresh source process) if the hook killed one, and it succeeds with the source's
 *       original digests.
 * </ul>
 *
 * <p>Device state and digest come from {@link NodeProbe#device}, because {@code ferry status}
 * reports neither (see docs/testing.md).
 *
 * <pre>{@code
 * MigrationScenario.named("read error")
 *     .sourceDevices(Device.faulty(DEV, "read-error-after = 8 MiB", INNER))
 *     .destinationDevices(Device.synthetic(DEV, "32 MiB", 9))
 *     .expect(Outcome.FAILS_SOURCE_KEEPS_RUNNING).errorContains(DEV + ": read: ")
 *     .run(workspace, probe);
 * }</pre>
 */
public final class MigrationScenario {

  /** What the migration must end with, and so which checks apply. */
  public enum Outcome {
    /** COMPLETED, exit 0, every digest matches; the destination devices run the source's state. */
    SUCCEEDS,
    /** FAILED, exit 1; source runs on unchanged, destination is clean, both migrate again. */
    FAILS_SOURCE_KEEPS_RUNNING,
    /** The hook killed the destination: FAILED; the source runs on and migrates to a new node. */
    DESTINATION_KILLED_SOURCE_KEEPS_RUNNING,
    /** The hook killed the source: the destination cleans up and accepts a new source process. */
    SOURCE_KILLED_DESTINATION_CLEANS_UP,
    /** CANCELLED, exit 1; the source runs on unchanged, the destination is clean. */
    CANCELLED_SOURCE_KEEPS_RUNNING,
    /** The destination refuses the migration at setup (a compatibility check): FAILED, exit 1. */
    REJECTED_AT_SETUP,
    /**
     * No migration: a raw channel hello is refused with a {@link HelloStatus} and the connection
     * closed; the node then serves a normal migration.
     */
    REJECTED_AT_HANDSHAKE
  }

  /** Acts while the migration runs, from the test thread. */
  @FunctionalInterface
  public interface Hook {
    void during(Run run) throws Exception;
  }

  /**
   * Where the scenarios' client commands run unless a scenario asks for processes: {@code
   * -Dferry.it.client=process} runs every scenario's commands as separate JVMs (slower).
   */
  static final FerryClient.Mode DEFAULT_CLIENT_MODE =
      "process".equals(System.getProperty("ferry.it.client"))
          ? FerryClient.Mode.PROCESS : FerryClient.Mode.IN_PROCESS;

  /** Grace for the end of a command beyond the scenario's timeout before it is killed. */
  private static final Duration KILL_GRACE = Duration.ofSeconds(30);

  /** How long a destination may take to show its cleanup after the source reported the end. */
  private static final Duration DESTINATION_CLEANUP = Duration.ofSeconds(5);

  /**
   * How long a source may list an ended migration as outgoing: its coordinator waits for the
   * destination's cleanup confirmation, and for a dead destination that is the control timeout
   * (10 s) when Artery's death watch (10 s heartbeat pause) has not fired first.
   */
  private static final Duration SOURCE_STOP = Duration.ofSeconds(15);

  /** How long a destination may take to notice a dead source and clean up. */
  private static final Duration ORPHAN_CLEANUP = Duration.ofSeconds(30);

  private final String name;
  private List<Device> sourceDevices = List.of();
  private List<Device> destinationDevices;
  private List<String> migrate;
  private List<String> options = List.of();
  private Outcome expected = Outcome.SUCCEEDS;
  private String errorContains;
  private Duration within = Duration.ofSeconds(60);
  private Fault proxyFault;
  private String nodeConfig = "";
  private String clientConfig;
  private Hook hook;
  private Hook beforeMigration;
  private FerryClient.Mode clientMode = DEFAULT_CLIENT_MODE;
  private ChannelHello hello;
  private HelloStatus helloStatus;

  private MigrationScenario(String name) {
    this.name = name;
  }

  public static MigrationScenario named(String name) {
    return new MigrationScenario(name);
  }

  /** The source node's devices. */
  public MigrationScenario sourceDevices(Device... devices) {
    this.sourceDevices = List.of(devices);
    return this;
  }

  /** The destination node's devices (default: the source's). */
  public MigrationScenario destinationDevices(Device... devices) {
    this.destinationDevices = List.of(devices);
    return this;
  }

  /** The devices to migrate, in section order (default: every source device). */
  public MigrationScenario migrate(String... deviceIds) {
    this.migrate = List.of(deviceIds);
    return this;
  }

  /** {@code ferry migrate} options, e.g. {@code "--channels", "8"}, {@code "--multifd", "off"}. */
  public MigrationScenario options(String... migrateOptions) {
    this.options = List.of(migrateOptions);
    return this;
  }

  public MigrationScenario expect(Outcome outcome) {
    this.expected = Objects.requireNonNull(outcome, "outcome");
    return this;
  }

  /** Text the migration's error (report and stderr line) must contain. */
  public MigrationScenario errorContains(String text) {
    this.errorContains = text;
    return this;
  }

  /** The time the migration (from the client's start to its exit) may take. */
  public MigrationScenario within(Duration timeout) {
    this.within = timeout;
    return this;
  }

  /**
   * Puts a {@link FaultProxy} with {@code fault} armed on every connection between the source and
   * the destination's data port (the destination binds a fixed port and advertises the proxy's).
   */
  public MigrationScenario throughProxy(Fault fault) {
    this.proxyFault = Objects.requireNonNull(fault, "fault");
    return this;
  }

  /** HOCON for both nodes, e.g. {@code ferry.migration.timeouts.channel-idle = 2 s}. */
  public MigrationScenario nodeConfig(String hocon) {
    this.nodeConfig = nodeConfig + "\n" + hocon;
    return this;
  }

  /** HOCON for the client's {@code --config} file: the migration parameters it sends. */
  public MigrationScenario clientConfig(String hocon) {
    this.clientConfig = hocon;
    return this;
  }

  /** Runs once the nodes are up, before the migration starts (e.g. a baseline, arming a fault). */
  public MigrationScenario beforeMigration(Hook h) {
    this.beforeMigration = h;
    return this;
  }

  /** Runs while the migration runs, right after the client command started. */
  public MigrationScenario hook(Hook h) {
    this.hook = h;
    return this;
  }

  /** Runs the client commands as separate JVMs (default: in the test JVM). */
  public MigrationScenario clientProcesses() {
    this.clientMode = FerryClient.Mode.PROCESS;
    return this;
  }

  /**
   * Instead of a migration, sends {@code h} on a raw connection to the destination's data port and
   * expects the reply {@code status} ({@link Outcome#REJECTED_AT_HANDSHAKE}).
   */
  public MigrationScenario hello(ChannelHello h, HelloStatus status) {
    this.hello = h;
    this.helloStatus = status;
    this.expected = Outcome.REJECTED_AT_HANDSHAKE;
    return this;
  }

  /** The live scenario, for hooks. */
  public final class Run {
    private final Workspace ws;
    private final NodeProbe probe;
    private final FerryClient client;
    private final FaultProxy proxy;
    private final List<UUID> knownOutgoing;
    private FerryNodeProcess source;
    private FerryNodeProcess destination;
    private UUID migrationId;
    private FerryClient.Running migrating;

    private Run(Workspace ws, NodeProbe probe, FerryClient client, FaultProxy proxy,
        FerryNodeProcess source, FerryNodeProcess destination) {
      this.ws = ws;
      this.probe = probe;
      this.client = client;
      this.proxy = proxy;
      this.source = source;
      this.destination = destination;
      this.knownOutgoing = new ArrayList<>(probe.nodeInfo(source.address()).outgoing());
    }

    public FerryNodeProcess source() {
      return source;
    }

    public FerryNodeProcess destination() {
      return destination;
    }

    public NodeProbe probe() {
      return probe;
    }

    public FerryClient client() {
      return client;
    }

    public Workspace workspace() {
      return ws;
    }

    /** The proxy between the nodes; fails if the scenario has none. */
    public FaultProxy proxy() {
      assertNotNull(proxy, "scenario '" + name + "' has no proxy (throughProxy)");
      return proxy;
    }

    /**
     * The id of the migration the client started, once the source lists it.
     *
     * @throws AssertionError if the client ended first (with what it printed), or after 30 s
     */
    public UUID migrationId() throws InterruptedException {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (migrationId == null) {
        for (UUID id : probe.nodeInfo(source.address()).outgoing()) {
          if (!knownOutgoing.contains(id)) {
            migrationId = id;
          }
        }
        if (migrationId == null) {
          if (migrating != null && migrating.isDone()) {
            fail("the migration client ended before the source listed a migration: "
                + migrating.await(Duration.ofSeconds(1)));
          }
          if (System.nanoTime() > deadline) {
            fail("no new outgoing migration on " + source.address() + " within 30 s");
          }
          Thread.sleep(25);
        }
      }
      return migrationId;
    }

    /** Waits until the migration is in {@code status} with at least {@code minBytes} sent. */
    public MigrationInfo awaitStatus(MigrationStatus status, long minBytes)
        throws InterruptedException {
      return probe.awaitStatus(source.address(), migrationId(), status, minBytes,
          Duration.ofSeconds(60));
    }

    /** {@code kill -9} of the destination node process. */
    public void killDestination() {
      destination.kill9();
    }

    /** {@code kill -9} of the source node process. */
    public void killSource() {
      source.kill9();
    }

    /** {@code ferry cancel --node NODE --id ID} with this scenario's client. */
    public CommandResult cancelOn(FerryNodeProcess node, String reason)
        throws InterruptedException {
      return client.cancel(node.address(), migrationId(), reason);
    }
  }

  /**
   * What a scenario run produced, for checks beyond the outcome's.
   *
   * @param migrate the {@code ferry migrate} run (null for {@link Outcome#REJECTED_AT_HANDSHAKE})
   * @param report its JSON report (null where the client got none: a killed source, a handshake)
   * @param sourceDigestsBefore each migrated device's digest on the source before the migration
   * @param migratedAgain the migration afterwards (null for {@link Outcome#SUCCEEDS})
   * @param source the source node at the end (a new process if the hook killed the first)
   * @param destination the destination node at the end (likewise)
   * @param proxy the proxy between the first two nodes, or null
   * @param faultedConnections the proxy connections whose fault had fired when the migration
   *     ended (before the proxy was disarmed for the migration afterwards)
   */
  public record Result(
      CommandResult migrate,
      JsonNode report,
      Map<String, StateDigest> sourceDigestsBefore,
      CommandResult migratedAgain,
      FerryNodeProcess source,
      FerryNodeProcess destination,
      FaultProxy proxy,
      List<Integer> faultedConnections) {}

  /** Starts the nodes, runs the migration and checks the outcome; the workspace kills the nodes. */
  public Result run(Workspace ws, NodeProbe probe) throws Exception {
    List<Device> dstDevices = destinationDevices != null ? destinationDevices : sourceDevices;
    List<String> ids = migrate != null ? migrate : sourceDevices.stream().map(Device::id).toList();
    NodeSpec srcSpec = NodeSpec.source("ferry-src", sourceDevices).withExtraConfig(nodeConfig);
    NodeSpec dstSpec = NodeSpec.destination("ferry-dst", dstDevices).withExtraConfig(nodeConfig);
    FaultProxy proxy = null;
    if (proxyFault != null) {
      int dataPort = Workspace.freePort();
      proxy = ws.proxy(dataPort);
      proxy.armAll(proxyFault);
      dstSpec = dstSpec.withDataPorts(dataPort, proxy.port());
    }
    FerryClient client = ws.client(clientMode);
    // The checks' status commands and the migration afterwards: in-process unless every command
    // must be a process (-Dferry.it.client=process), so a scenario pays JVM starts only for the
    // commands it is about.
    FerryClient checks = ws.client(DEFAULT_CLIENT_MODE);
    if (clientConfig != null) {
      Path file = ws.writeFile("client.conf", clientConfig);
      client = client.withConfig(file);
      checks = checks.withConfig(file);
    }
    List<FerryNodeProcess> nodes = ws.startNodes(srcSpec, dstSpec);
    FerryNodeProcess source = nodes.get(0);
    FerryNodeProcess destination = nodes.get(1);

    Map<String, StateDigest> before = new LinkedHashMap<>();
    Map<String, StateDigest> destinationBefore = new LinkedHashMap<>();
    for (String id : ids) {
      before.put(id, idleDigest(probe, source, id, "RUNNING", "source before the migration"));
      destinationBefore.put(id, idleDigest(probe, destination, id, null,
          "destination before the migration"));
    }

    if (expected == Outcome.REJECTED_AT_HANDSHAKE) {
      return handshake(probe, checks, source, destination, ids, before);
    }

    Run run = new Run(ws, probe, client, proxy, source, destination);
    if (beforeMigration != null) {
      beforeMigration.during(run);
      run.knownOutgoing.addAll(probe.nodeInfo(source.address()).outgoing());
    }
    long started = System.nanoTime();
    FerryClient.Running migrating =
        client.startMigrate(source.address(), destination.address(), ids, options);
    run.migrating = migrating;
    if (hook != null) {
      hook.during(run);
    }
    CommandResult result = migrating.await(within.plus(KILL_GRACE));
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertTrue(took.compareTo(within) <= 0, name + ": the migration ended after "
        + took.toMillis() + " ms, expected within " + within.toMillis() + " ms: " + result);
    source = run.source;
    destination = run.destination;
    List<Integer> faulted = new ArrayList<>();
    for (int i = 0; proxy != null && i < proxy.connectionsAccepted(); i++) {
      if (proxy.faultTriggered(i)) {
        faulted.add(i);
      }
    }

    if (expected == Outcome.SOURCE_KILLED_DESTINATION_CLEANS_UP) {
      return sourceKilled(ws, probe, checks, result, srcSpec, destination, ids, before,
          destinationBefore);
    }
    JsonNode report = result.json();
    String context = name + ": " + result + "\nsource log " + source.log() + "\ndestination log "
        + destination.log();
    if (expected == Outcome.SUCCEEDS) {
      checkSucceeded(probe, checks, result, report, source, destination, ids, before, context);
      return new Result(result, report, before, null, source, destination, proxy, faulted);
    }

    MigrationStatus status = expected == Outcome.CANCELLED_SOURCE_KEEPS_RUNNING
        ? MigrationStatus.CANCELLED : MigrationStatus.FAILED;
    assertEquals(1, result.exitCode(), "exit status; " + context);
    assertEquals(status.name(), report.get("status").asText(), context);
    assertFalse(report.get("succeeded").asBoolean(), context);
    String error = report.get("error").asText();
    if (errorContains != null) {
      assertTrue(error.contains(errorContains), "error '" + error + "' should contain '"
          + errorContains + "'; " + context);
    }
    List<String> stderr = result.stderrLines();
    assertEquals(1, stderr.size(), "one error line on stderr; " + context);
    assertTrue(stderr.get(0).startsWith("ferry migrate: ") && stderr.get(0).contains(error),
        "stderr line names the error; " + context);

    checkSourceUnchanged(probe, checks, source, ids, before, context);
    if (expected == Outcome.DESTINATION_KILLED_SOURCE_KEEPS_RUNNING) {
      assertFalse(destination.isAlive(), "the hook should have killed the destination");
      FerryNodeProcess fresh = ws.startNode(NodeSpec.destination("ferry-dst2", dstDevices)
          .withExtraConfig(nodeConfig));
      CommandResult again = migrateAgain(checks, source, fresh, ids, before);
      return new Result(result, report, before, again, source, fresh, proxy, faulted);
    }
    checkDestinationClean(probe, checks, destination, ids, destinationBefore, DESTINATION_CLEANUP,
        context);
    if (expected == Outcome.REJECTED_AT_SETUP) {
      // The refusing destination never can take these devices: migrate to a compatible one.
      FerryNodeProcess fresh = ws.startNode(NodeSpec.destination("ferry-dst2", sourceDevices)
          .withExtraConfig(nodeConfig));
      CommandResult again = migrateAgain(checks, source, fresh, ids, before);
      return new Result(result, report, before, again, source, fresh, proxy, faulted);
    }
    if (proxy != null) {
      proxy.armAll(Fault.none());
      for (int i = 0; i < proxy.connectionsAccepted(); i++) {
        proxy.release(i);
      }
    }
    CommandResult again = migrateAgain(checks, source, destination, ids, before);
    return new Result(result, report, before, again, source, destination, proxy, faulted);
  }

  private static StateDigest idleDigest(NodeProbe probe, FerryNodeProcess node, String id,
      String expectedState, String what) {
    DeviceMigration.DeviceInfo d = probe.device(node.address(), id);
    assertNull(d.busyWith(), what + ": device " + id + " busy with " + d.busyWith());
    if (expectedState != null) {
      assertEquals(expectedState, d.state(), what + ": device " + id + " state");
    }
    assertNotNull(d.digest(), what + ": device " + id + " digest");
    return d.digest();
  }

  private void checkSucceeded(NodeProbe probe, FerryClient client, CommandResult result,
      JsonNode report, FerryNodeProcess source, FerryNodeProcess destination, List<String> ids,
      Map<String, StateDigest> before, String context) throws InterruptedException {
    assertEquals(0, result.exitCode(), "exit status; " + context);
    assertEquals("COMPLETED", report.get("status").asText(), context);
    assertTrue(report.get("succeeded").asBoolean(), context);
    assertTrue(report.get("error").isNull(), context);
    assertEquals(ids, deviceIds(report), "report devices in section order; " + context);
    for (JsonNode d : report.get("devices")) {
      String id = d.get("deviceId").asText();
      assertTrue(d.get("digestsMatch").asBoolean(), id + ": " + context);
      assertEquals(before.get(id), digest(d.get("sourceDigest")),
          id + ": the source digest at stop is the digest the device had; " + context);
      assertEquals(before.get(id), digest(d.get("destinationDigest")), id + ": " + context);
      DeviceMigration.DeviceInfo dst = probe.device(destination.address(), id);
      assertEquals("RUNNING", dst.state(), id + " on the destination; " + context);
      assertNull(dst.busyWith(), id + " on the destination; " + context);
      assertEquals(before.get(id), dst.digest(), id + " on the destination; " + context);
      // The source's devices stay stopped after the switchover (QEMU's source VM does too).
      DeviceMigration.DeviceInfo src = probe.awaitDevice(source.address(), id,
          i -> i.busyWith() == null, DESTINATION_CLEANUP);
      assertNull(src.busyWith(), id + " on the source; " + context);
      assertEquals("STOP", src.state(), id + " on the source; " + context);
    }
    assertNodeIdle(client, source, context);
    assertNodeIdle(client, destination, context);
  }

  private static void checkSourceUnchanged(NodeProbe probe, FerryClient client,
      FerryNodeProcess source, List<String> ids, Map<String, StateDigest> before, String context)
      throws InterruptedException {
    // The source reports the end only after FinishSave(false): its devices must be back now.
    for (String id : ids) {
      DeviceMigration.DeviceInfo d = probe.device(source.address(), id);
      assertNull(d.busyWith(), id + " on the source still owned by a migration; " + context);
      assertEquals("RUNNING", d.state(), id + " on the source; " + context);
      assertEquals(before.get(id), d.digest(), id + ": source state changed; " + context);
    }
    // The coordinator is listed until it stops, which can be after the client has its answer:
    // with a dead destination it waits for the destination's cleanup until the control timeout.
    probe.awaitIdle(source.address(), SOURCE_STOP);
    assertNodeIdle(client, source, context);
  }

  private static void checkDestinationClean(NodeProbe probe, FerryClient client,
      FerryNodeProcess destination, List<String> ids, Map<String, StateDigest> before,
      Duration wait, String context) throws InterruptedException {
    probe.awaitIdle(destination.address(), wait);
    assertNodeIdle(client, destination, context);
    for (String id : ids) {
      DeviceMigration.DeviceInfo d = probe.awaitDevice(destination.address(), id,
          i -> i.busyWith() == null, wait);
      assertNull(d.busyWith(), id + " on the destination still owned by a migration; "
          + context);
      assertNotEquals("RESUMING", d.state(), id + " left RESUMING on the destination; "
          + context);
      assertEquals(before.get(id), d.digest(),
          id + ": the destination kept state from a failed load; " + context);
    }
  }

  /** {@code ferry status --json}: no outgoing and no incoming migration listed. */
  private static void assertNodeIdle(FerryClient client, FerryNodeProcess node, String context)
      throws InterruptedException {
    CommandResult status = client.status(node.address());
    assertEquals(0, status.exitCode(), status.toString());
    JsonNode info = status.json();
    assertEquals(node.address(), info.get("address").asText(), status.toString());
    assertEquals(0, info.get("outgoing").size(), node.name() + " lists an outgoing migration: "
        + info + "; " + context);
    assertEquals(0, info.get("incoming").size(), node.name() + " lists an incoming migration: "
        + info + "; " + context);
  }

  private CommandResult migrateAgain(FerryClient client, FerryNodeProcess source,
      FerryNodeProcess destination, List<String> ids, Map<String, StateDigest> before)
      throws InterruptedException {
    CommandResult again = client.startMigrate(source.address(), destination.address(), ids,
        options).await(within.plus(KILL_GRACE));
    String context = name + ", migration after the " + expected + " one: " + again;
    assertEquals(0, again.exitCode(), context);
    JsonNode report = again.json();
    assertEquals("COMPLETED", report.get("status").asText(), context);
    for (JsonNode d : report.get("devices")) {
      String id = d.get("deviceId").asText();
      assertTrue(d.get("digestsMatch").asBoolean(), id + ": " + context);
      assertEquals(before.get(id), digest(d.get("sourceDigest")),
          id + ": the source's state is what it was before the first migration; " + context);
    }
    return again;
  }

  private Result sourceKilled(Workspace ws, NodeProbe probe, FerryClient client,
      CommandResult result, NodeSpec srcSpec, FerryNodeProcess destination, List<String> ids,
      Map<String, StateDigest> before, Map<String, StateDigest> destinationBefore)
      throws InterruptedException {
    String context = name + ": " + result + "\ndestination log " + destination.log();
    // The client loses the node it follows: it must say so and fail, not hang.
    assertEquals(1, result.exitCode(), "exit status; " + context);
    assertEquals(1, result.stderrLines().size(), "one error line on stderr; " + context);
    checkDestinationClean(probe, client, destination, ids, destinationBefore, ORPHAN_CLEANUP,
        context);
    FerryNodeProcess fresh = ws.startNode(new NodeSpec("ferry-src2", "source",
        srcSpec.devices(), 0, 0, null, null, srcSpec.extraConfig()));
    for (String id : ids) {
      assertEquals(before.get(id), idleDigest(probe, fresh, id, "RUNNING", "new source"));
    }
    CommandResult again = migrateAgain(client, fresh, destination, ids, before);
    return new Result(result, null, before, again, fresh, destination, null, List.of());
  }

  private Result handshake(NodeProbe probe, FerryClient client,
      FerryNodeProcess source, FerryNodeProcess destination, List<String> ids,
      Map<String, StateDigest> before) throws Exception {
    String context = name + ": destination log " + destination.log();
    RawHello.Answer answer = RawHello.send(destination.dataHost(), destination.dataPort(), hello,
        Duration.ofSeconds(10));
    assertEquals(helloStatus, answer.reply().status(), answer + "; " + context);
    assertFalse(answer.reply().reason().isEmpty(), "a refusal says why; " + context);
    if (errorContains != null) {
      assertTrue(answer.reply().reason().contains(errorContains), answer + "; " + context);
    }
    assertTrue(answer.closed(), "the refused connection is closed within 10 s; " + context);
    assertEquals(0, answer.trailingBytes(), "nothing follows a refusal; " + context);
    assertNodeIdle(client, destination, context);
    for (String id : ids) {
      DeviceMigration.DeviceInfo d = probe.device(destination.address(), id);
      assertNull(d.busyWith(), context);
      assertNotEquals("RESUMING", d.state(), context);
    }
    CommandResult again = migrateAgain(client, source, destination, ids, before);
    return new Result(null, null, before, again, source, destination, null, List.of());
  }

  /** The device ids of a report, in order. */
  public static List<String> deviceIds(JsonNode report) {
    List<String> ids = new ArrayList<>();
    report.get("devices").forEach(d -> ids.add(d.get("deviceId").asText()));
    return ids;
  }

  /** A report's digest object as the engine's record. */
  public static StateDigest digest(JsonNode d) {
    assertNotNull(d, "digest");
    assertFalse(d.isNull(), "digest is null");
    return new StateDigest(d.get("algorithm").asText(), d.get("stateDigest").asText(),
        d.get("stateBytes").asLong(), d.get("configDigest").asText());
  }

  @Override
  public String toString() {
    return name + " (" + expected + ")";
  }
}

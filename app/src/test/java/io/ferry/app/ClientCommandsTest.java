package io.ferry.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.devices.node.FerryNodeHost;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code node}, {@code migrate}, {@code status} and {@code cancel} against two nodes started in
 * this JVM through {@code ferry node}'s own start path; the client commands run their own
 * ActorSystem and reach the nodes over Artery, as separate processes would.
 */
class ClientCommandsTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern READY =
      Pattern.compile(
          "(?m)^ready address=(akka://\\S+) data=127\\.0\\.0\\.1:(\\d+) devices=(\\S+)$");

  @TempDir static Path dir;

  static FerryNodeHost source;
  static FerryNodeHost destination;
  static String sourceReady;

  /**
   * A device set with a slow device (2 MiB/s over 64 MiB) that stays running until cancelled, and
   * small precopy devices, one of which dirties its memory (each test migrates its own devices).
   */
  private static String devices(String role, Path file, boolean createFile) {
    return "ferry.node.devices-role = " + role + "\n"
        + "ferry.devices = [\n"
        + "  { id = nic0, model { type = config-only, queues = 4 } }\n"
        + "  { id = disk0, model { type = file, path = \"" + file + "\""
        + (createFile ? ", size = 2 MiB" : "") + " } }\n"
        + "  { id = slow0, model { type = faulty, rate-limit = 2 MiB,"
        + " inner { type = synthetic, size = 64 MiB } } }\n"
        + "  { id = pre0, model { type = synthetic, size = 16 MiB, precopy = on,"
        + " dirty-rate = 8 MiB, hot-fraction = 0.1 } }\n"
        + "  { id = pre1, model { type = synthetic, size = 4 MiB, precopy = on } }\n"
        + "]\n";
  }

  private static FerryNodeHost startNode(String name, String settings, StringWriter out)
      throws IOException {
    Path conf = Files.writeString(dir.resolve(name + ".conf"), settings);
    FerryCli cli = new FerryCli(dir, new FerryCli.Terminal(false, 80));
    CommandLine cmd = FerryCli.commandLine(cli, new PrintWriter(out, true),
        new PrintWriter(new StringWriter(), true));
    CommandLine.ParseResult parsed =
        cmd.parseArgs("node", "--config", conf.toString(), "--name", name, "--port", "0");
    NodeCommand node = (NodeCommand) parsed.subcommand().commandSpec().userObject();
    return node.start();
  }

  @BeforeAll
  static void startNodes() throws IOException {
    StringWriter out = new StringWriter();
    source = startNode("ferry-src", devices("source", dir.resolve("src.img"), true), out);
    sourceReady = out.toString();
    destination = startNode("ferry-dst", devices("destination", dir.resolve("dst.img"), false),
        new StringWriter());
  }

  @AfterAll
  static void stopNodes() {
    if (destination != null) {
      destination.close();
    }
    if (source != null) {
      source.close();
    }
  }

  @Test
  void aNodePrintsItsDevicesAndThenAReadyLineWithItsAddress() {
    Matcher m = READY.matcher(sourceReady);
    assertTrue(m.find(), sourceReady);
    assertEquals(source.address(), m.group(1));
    assertEquals(source.info().dataPort(), Integer.parseInt(m.group(2)));
    assertEquals("nic0,disk0,slow0,pre0,pre1", m.group(3));
    assertTrue(sourceReady.contains("  device nic0 (config-only, instance 0, multifd-transfer "
        + "auto)"), sourceReady);
    String last = sourceReady.lines().reduce((a, b) -> b).orElseThrow();
    assertTrue(last.startsWith("ready "), "the ready line comes last:\n" + sourceReady);
  }

  @Test
  void migrateRunsAMigrationFromAnotherActorSystemAndStatusFindsItAfterwards() throws Exception {
    CliRun r = CliRun.run(dir, "migrate", "--from", source.address(), "--to",
        destination.address(), "--device", "nic0,disk0,pre0", "--channels", "3", "--json");
    assertEquals(0, r.exit(), r::toString);
    JsonNode report = MAPPER.readTree(r.out());
    assertEquals("COMPLETED", report.get("status").asText());
    assertEquals(3, report.get("multifdChannelBytes").size());
    assertEquals(3, report.get("devices").size());
    assertTrue(report.get("devices").get(1).get("digestsMatch").asBoolean());
    assertTrue(report.get("devices").get(2).get("digestsMatch").asBoolean());
    assertTrue(report.get("devices").get(2).get("precopy").asBoolean());
    assertTrue(report.get("precopy").get("passes").asInt() >= 1, report.toString());
    assertEquals(-1, Files.mismatch(dir.resolve("src.img"), dir.resolve("dst.img")));

    String id = report.get("migrationId").asText();
    CliRun status = CliRun.run(dir, "status", "--node", source.address(), "--id", id, "--json");
    assertEquals(0, status.exit(), status::toString);
    JsonNode s = MAPPER.readTree(status.out());
    assertEquals(id, s.get("migrationId").asText());
    assertEquals("COMPLETED", s.get("status").asText());
    assertEquals(report.get("devices").get(0).get("sourceDigest"),
        s.get("devices").get(0).get("destinationDigest"));

    CliRun text = CliRun.run(dir, "status", "--node", source.address(), "--id", id);
    assertEquals(0, text.exit(), text::toString);
    assertTrue(text.out().contains("  status:              COMPLETED"), text.out());
  }

  @Test
  void statusOfANodeListsItsDevices() throws Exception {
    CliRun r = CliRun.run(dir, "status", "--node", destination.address(), "--json");
    assertEquals(0, r.exit(), r::toString);
    JsonNode n = MAPPER.readTree(r.out());
    assertEquals(destination.address(), n.get("address").asText());
    assertEquals(5, n.get("devices").size());
    assertEquals("slow0", n.get("devices").get(2).get("deviceId").asText());

    CliRun text = CliRun.run(dir, "status", "--node", destination.address());
    assertTrue(text.out().startsWith("node " + destination.address() + "\n"), text.out());
    assertTrue(text.out().contains("  devices:   nic0 (config-only"), text.out());
  }

  @Test
  void aDetachedMigrationCanBeCancelledAndTheSourceDeviceKeepsRunning() throws Exception {
    // slow0 does not precopy: its 64 MiB count as pending, so precopy of pre1 never converges
    // at 1 ms, or at 5 ms: the migration stays ACTIVE until cancelled.
    CliRun started = CliRun.run(dir, "migrate", "--from", source.address(), "--to",
        destination.address(), "--device", "pre1,slow0", "--downtime-limit", "1ms", "--detach");
    assertEquals(0, started.exit(), started::toString);
    UUID id = UUID.fromString(started.out().strip());

    CliRun set = CliRun.run(dir, "set-downtime", "--node", source.address(), "--id",
        id.toString(), "--limit", "5ms");
    assertEquals(0, set.exit(), set::toString);
    assertTrue(set.out().startsWith("migration " + id + ": downtime limit 1 ms -> 5 ms ("),
        set.out());
    JsonNode running = MAPPER.readTree(CliRun.run(dir, "status", "--node", source.address(),
        "--id", id.toString(), "--json").out());
    assertEquals(5, running.get("precopy").get("downtimeLimitMs").asLong(), running.toString());

    CliRun cancel = CliRun.run(dir, "cancel", "--node", source.address(), "--id", id.toString(),
        "--reason", "test says stop");
    assertEquals(0, cancel.exit(), cancel::toString);
    assertEquals("migration " + id + ": CANCELLED (cancelled: test says stop)\n", cancel.out());

    CliRun again = CliRun.run(dir, "cancel", "--node", source.address(), "--id", id.toString());
    assertEquals(FerryCli.FAILURE, again.exit(), again::toString);
    assertEquals("ferry cancel: migration " + id + " has already ended: CANCELLED\n",
        again.err());
    CliRun late = CliRun.run(dir, "set-downtime", "--node", source.address(), "--id",
        id.toString(), "--limit", "1s");
    assertEquals(FerryCli.FAILURE, late.exit(), late::toString);
    assertEquals("ferry set-downtime: migration " + id + " has already ended: CANCELLED\n",
        late.err());
  }

  @Test
  void aMigrationTheSourceRefusesIsOneErrorLine() {
    CliRun r = CliRun.run(dir, "migrate", "--from", source.address(), "--to",
        destination.address(), "--device", "gpu9");
    assertEquals(FerryCli.FAILURE, r.exit(), r::toString);
    assertEquals(1, r.errLines().length, r::toString);
    assertTrue(r.err().startsWith("ferry migrate: source " + source.address()
        + " refused the migration: unknown device 'gpu9'"), r.err());
  }

  @Test
  void anUnknownMigrationIdIsOneErrorLine() {
    UUID id = UUID.randomUUID();
    CliRun status = CliRun.run(dir, "status", "--node", source.address(), "--id", id.toString());
    assertEquals(FerryCli.FAILURE, status.exit(), status::toString);
    assertTrue(status.err().startsWith("ferry status: node " + source.address()
        + " does not know migration " + id), status.err());
    CliRun cancel = CliRun.run(dir, "cancel", "--node", source.address(), "--id", id.toString());
    assertEquals(FerryCli.FAILURE, cancel.exit(), cancel::toString);
    assertEquals("ferry cancel: node " + source.address() + " runs no migration " + id + "\n",
        cancel.err());
  }

  @Test
  void anUnreachableNodeIsOneErrorLineAfterTheTimeout() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    String nowhere = "akka://ferry@127.0.0.1:" + closedPort;
    long start = System.nanoTime();
    CliRun r = CliRun.run(dir, "status", "--node", nowhere, "--timeout", "1s");
    assertEquals(FerryCli.FAILURE, r.exit(), r::toString);
    assertEquals(1, r.errLines().length, r::toString);
    assertTrue(r.err().startsWith("ferry status: no answer from node " + nowhere
        + " within 1000 ms (node info)"), r.err());
    assertEquals("", r.out());
    assertTrue(System.nanoTime() - start < 15_000_000_000L, "gave up in time");
  }
}

package io.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.it.process.CommandResult;
import io.ferry.it.process.Device;
import io.ferry.it.process.FerryClient;
import io.ferry.it.process.FerryNodeProcess;
import io.ferry.it.process.NodeSpec;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The {@code ferry} command as an operator uses it (docs/cli.md): two {@code ferry node}
 * processes, and {@code ferry migrate}, {@code status} and {@code cancel} each as its own JVM.
 * Checks the report fields, the digests, the exit statuses and one-line errors, and that a node
 * stops cleanly on SIGTERM.
 */
class CliProcessIT extends ProcessSuite {
  private static final String GPU = "0000:00:03.0/vfio";
  private static final String NIC = "nic0";
  private static final String DISK = "disk0";
  private static final Duration MIGRATE = Duration.ofSeconds(90);

  /** The issue-6 scenario: every command a separate process. */
  @Test
  void twoNodeProcessesMigrateDrivenBySeparateClientProcesses() throws Exception {
    List<FerryNodeProcess> nodes = ws.startNodes(
        NodeSpec.source("ferry-src", List.of(Device.synthetic(GPU, "64 MiB", 42),
            Device.configOnly(NIC, 8, 7),
            new Device(DISK, null, "type = file, path = \"src-disk0.img\", size = 8 MiB, "
                + "seed = 3"))),
        NodeSpec.destination("ferry-dst", List.of(Device.synthetic(GPU, "64 MiB", 42),
            Device.configOnly(NIC, 8, 7),
            new Device(DISK, null, "type = file, path = \"dst-disk0.img\""))));
    FerryNodeProcess src = nodes.get(0);
    FerryNodeProcess dst = nodes.get(1);
    FerryClient cli = ws.client(FerryClient.Mode.PROCESS);

    CommandResult before = cli.status(src.address());
    assertEquals(0, before.exitCode(), before.toString());
    assertEquals("", before.stderr(), before.toString());
    JsonNode node = before.json();
    assertEquals(src.address(), node.get("address").asText());
    assertEquals(src.dataHost(), node.get("dataHost").asText());
    assertEquals(src.dataPort(), node.get("dataPort").asInt());
    assertEquals(List.of(GPU, NIC, DISK), ids(node.get("devices")));
    assertEquals("synthetic", node.get("devices").get(0).get("kind").asText());
    assertEquals("config-only", node.get("devices").get(1).get("kind").asText());
    assertEquals("file", node.get("devices").get(2).get("kind").asText());
    node.get("devices").forEach(d -> {
      assertEquals(0, d.get("instanceId").asInt());
      assertEquals("auto", d.get("multifdTransfer").asText());
    });
    assertEquals(0, node.get("outgoing").size());
    assertEquals(0, node.get("incoming").size());

    CommandResult migrate = cli.startMigrate(src.address(), dst.address(),
        List.of(GPU, NIC, DISK), List.of("--channels", "3")).await(MIGRATE);
    assertEquals(0, migrate.exitCode(), migrate.toString());
    assertEquals("", migrate.stderr(), migrate.toString());
    JsonNode report = migrate.json();
    UUID id = UUID.fromString(report.get("migrationId").asText());
    assertEquals(src.address(), report.get("source").asText());
    assertEquals(dst.address(), report.get("destination").asText());
    assertEquals("COMPLETED", report.get("status").asText());
    assertTrue(report.get("succeeded").asBoolean());
    assertTrue(report.get("error").isNull());
    long setup = report.get("setupTimeMs").asLong();
    long total = report.get("totalTimeMs").asLong();
    long downtime = report.get("downtimeMs").asLong();
    assertTrue(setup >= 0 && downtime >= 0 && setup + downtime <= total + 1, report.toString());
    assertEquals(3, report.get("multifdChannelBytes").size());
    long sum = report.get("mainChannelBytes").asLong();
    for (JsonNode c : report.get("multifdChannelBytes")) {
      sum += c.asLong();
    }
    assertEquals(report.get("totalBytes").asLong(), sum);
    assertTrue(report.get("totalBytes").asLong() > (72L << 20), report.toString());
    assertTrue(report.get("throughputMiBps").asDouble() > 0);
    JsonNode params = report.get("parameters");
    assertTrue(params.get("multifd").asBoolean());
    assertEquals(3, params.get("multifdChannels").asInt());
    assertEquals(1 << 20, params.get("chunkSize").asInt());
    assertEquals(300, params.get("downtimeLimitMs").asInt());
    assertFalse(params.get("maxBandwidthApplied").asBoolean());
    assertEquals(List.of(GPU, NIC, DISK), ids(report.get("devices")));
    long[] stateBytes = {64L << 20, 48L << 10, 8L << 20};
    String[] kinds = {"synthetic", "config-only", "file"};
    for (int i = 0; i < 3; i++) {
      JsonNode d = report.get("devices").get(i);
      assertEquals(kinds[i], d.get("kind").asText());
      assertEquals("multifd", d.get("mode").asText());
      assertTrue(d.get("chunks").asLong() > 0, d.toString());
      assertTrue(d.get("dataBytes").asLong() >= stateBytes[i], d.toString());
      assertTrue(d.get("configBytes").asLong() > 0, d.toString());
      assertTrue(d.get("bytesSent").asLong()
          >= d.get("dataBytes").asLong() + d.get("configBytes").asLong(), d.toString());
      assertTrue(d.get("digestsMatch").asBoolean(), d.toString());
      assertEquals(d.get("sourceDigest"), d.get("destinationDigest"), d.toString());
      assertEquals(stateBytes[i], d.get("sourceDigest").get("stateBytes").asLong(), d.toString());
      assertTrue(d.get("destinationPeakQueuedBytes").asLong() > 0, d.toString());
    }
    assertEquals(-1, Files.mismatch(ws.dir().resolve("src-disk0.img"),
        ws.dir().resolve("dst-disk0.img")), "the disk file arrived intact");

    CommandResult status = cli.status(src.address(), id);
    assertEquals(0, status.exitCode(), status.toString());
    JsonNode ended = status.json();
    assertEquals(id.toString(), ended.get("migrationId").asText());
    assertEquals("COMPLETED", ended.get("status").asText());
    assertFalse(ended.has("source") || ended.has("destination") || ended.has("parameters"),
        "only the command that started the migration knows those: " + ended);
    assertEquals(report.get("devices"), ended.get("devices"));
    assertEquals(report.get("totalBytes"), ended.get("totalBytes"));

    CommandResult dstStatus = cli.status(dst.address());
    assertEquals(0, dstStatus.exitCode(), dstStatus.toString());
    assertEquals(0, dstStatus.json().get("incoming").size(), dstStatus.toString());

    CommandResult cancel = cli.cancel(src.address(), id, "too late");
    assertEquals(1, cancel.exitCode(), cancel.toString());
    assertEquals(List.of("ferry cancel: migration " + id + " has already ended: COMPLETED"),
        cancel.stderrLines());
  }

  @Test
  void clientErrorsAreOneLineWithExitStatusOneOrTwo() throws Exception {
    FerryNodeProcess src = ws.startNode(NodeSpec.source("ferry-src",
        List.of(Device.synthetic(GPU, "1 MiB", 1))));
    FerryClient cli = ws.client(FerryClient.Mode.PROCESS);

    CommandResult unknownDevice = cli.run(MIGRATE, "migrate", "--from", src.address(),
        "--to", "akka://ferry-dst@127.0.0.1:1", "--device", "gpu9");
    assertEquals(1, unknownDevice.exitCode(), unknownDevice.toString());
    assertEquals(List.of("ferry migrate: source " + src.address() + " refused the migration: "
        + "unknown device 'gpu9': expected one of [" + GPU + "]"), unknownDevice.stderrLines());

    UUID nobody = UUID.randomUUID();
    CommandResult unknownId = cli.status(src.address(), nobody);
    assertEquals(1, unknownId.exitCode(), unknownId.toString());
    assertEquals(1, unknownId.stderrLines().size(), unknownId.toString());
    assertTrue(unknownId.stderr().startsWith("ferry status: node " + src.address()
        + " does not know migration " + nobody), unknownId.toString());

    CommandResult usage = cli.run(MIGRATE, "migrate", "--from", src.address());
    assertEquals(2, usage.exitCode(), usage.toString());
    assertEquals(1, usage.stderrLines().size(), usage.toString());
    assertTrue(usage.stderr().startsWith("ferry migrate: Missing required option"),
        usage.toString());
  }

  @Test
  void aNodeStopsOnSigtermAndNoLongerAnswers() throws Exception {
    FerryNodeProcess src = ws.startNode(NodeSpec.source("ferry-src",
        List.of(Device.synthetic(GPU, "1 MiB", 1))));
    // SIGTERM runs Akka's coordinated shutdown from the JVM's shutdown hook: 128 + 15.
    assertEquals(143, src.stop(Duration.ofSeconds(30)));
    String log = Files.readString(src.log());
    assertTrue(log.contains("ferry node " + src.address() + ": stopping"), log);
    // Not checked: the "stopped" line docs/cli.md promises. The main thread prints it after the
    // ActorSystem terminated, racing the JVM's halt once the shutdown hooks are done, and it is
    // missing from some runs (reported in docs/testing.md).
    CommandResult status = ws.client(FerryClient.Mode.IN_PROCESS).run(Duration.ofSeconds(30),
        "status", "--node", src.address(), "--timeout", "1s");
    assertEquals(1, status.exitCode(), status.toString());
    assertTrue(status.stderr().startsWith("ferry status: no answer from node " + src.address()),
        status.toString());
  }

  private static List<String> ids(JsonNode devices) {
    return java.util.stream.StreamSupport.stream(devices.spliterator(), false)
        .map(d -> d.get("deviceId").asText()).toList();
  }
}

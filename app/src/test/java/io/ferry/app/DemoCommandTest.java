package io.ferry.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry demo} in-process with a small device set: two ActorSystems on loopback, a real
 * migration, the report checked field by field.
 */
class DemoCommandTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** A small GPU-like device that precopies while it dirties 16 MiB/s into a 5 % hot set. */
  private static final String GPU = "0000:00:03.0/vfio:synthetic:size=96MiB,seed=5,precopy=on,"
      + "dirty-rate=16MiB,hot-fraction=0.05";

  @TempDir Path dir;

  private CliRun demo(String... extra) {
    List<String> args = new ArrayList<>(List.of("demo",
        "--work-dir", dir.resolve("work").toString(),
        "--no-config-devices",
        "--device", GPU,
        "--device", "nic0:config-only:queues=4",
        "--device", "disk0:file:path=disk0.img,size=1MiB,seed=11"));
    args.addAll(List.of(extra));
    return CliRun.run(dir, args.toArray(String[]::new));
  }

  @Test
  void aSmallDemoOverTwoChannelsMigratesEveryDeviceIntact() throws Exception {
    CliRun r = demo("--channels", "2");
    assertEquals(0, r.exit(), r::toString);
    assertEquals("", r.err(), r::toString);
    String out = r.out();
    assertTrue(out.startsWith("ferry demo (settings: built-in application.conf"), out);
    assertTrue(out.contains("  devices      0000:00:03.0/vfio (synthetic, precopy), nic0 "
        + "(config-only), disk0 (file)"), out);
    assertTrue(out.contains("multifd on, 2 channels, chunk 1.00 MiB"), out);
    assertTrue(out.contains("  precopy      switchover-ack off, max passes no limit"), out);
    assertTrue(out.contains("\nprogress t="), "progress lines when not on a terminal:\n" + out);
    assertTrue(out.contains("  status:              COMPLETED\n"), out);
    String passes = field(out, "precopy passes");
    assertTrue(Integer.parseInt(passes) >= 1, out);
    assertTrue(field(out, "precopy bytes").endsWith(" B)"), "some bytes precopied:\n" + out);
    assertTrue(field(out, "expected downtime").endsWith(" ms (after the last precopy pass)"),
        out);
    assertEquals("no (off)", field(out, "switchover-ack"), out);
    assertTrue(out.contains("  multifd channel 1:"), out);
    assertFalse(out.contains("  multifd channel 2:"), out);
    for (String device : new String[] {"0000:00:03.0/vfio", "nic0 ", "disk0 "}) {
      String row = out.lines().filter(l -> l.startsWith("  " + device)).reduce((a, b) -> b)
          .orElseThrow(() -> new AssertionError("no report row for " + device + " in\n" + out));
      assertTrue(row.contains(" multifd "), row);
      assertTrue(row.endsWith("  yes"), row);
      assertEquals(device.startsWith("0000"), !row.contains(" off "), "precopy column: " + row);
    }
    Path work = dir.resolve("work");
    assertEquals(1 << 20, Files.size(work.resolve("source/disk0.img")));
    assertEquals(-1, Files.mismatch(work.resolve("source/disk0.img"),
        work.resolve("destination/disk0.img")), "the destination file is the source's");
  }

  @Test
  void jsonIsOneObjectWithTheReportsFieldsAndMultifdOffUsesTheMainChannel() throws Exception {
    CliRun r = demo("--json", "--multifd", "off", "--chunk-size", "512KiB", "--max-bandwidth",
        "1GiB/s", "--downtime-limit", "2s", "--switchover-ack", "--max-passes", "50",
        "--max-precopy-time", "30s", "--progress-source", "poll");
    assertEquals(0, r.exit(), r::toString);
    assertEquals(1, r.out().lines().count(), "stdout is exactly the JSON object:\n" + r.out());
    JsonNode n = MAPPER.readTree(r.out());
    assertEquals("COMPLETED", n.get("status").asText());
    assertTrue(n.get("succeeded").asBoolean());
    assertTrue(n.get("source").asText().startsWith("akka://ferry-src@127.0.0.1:"), n.toString());
    assertTrue(n.get("destination").asText().startsWith("akka://ferry-dst@127.0.0.1:"));
    assertEquals(0, n.get("multifdChannelBytes").size());
    assertTrue(n.get("mainChannelBytes").asLong() > 97L << 20, n.toString());
    assertEquals(n.get("mainChannelBytes").asLong(), n.get("totalBytes").asLong());
    assertTrue(n.get("downtimeMs").asLong() >= 0);
    JsonNode p = n.get("parameters");
    assertFalse(p.get("multifd").asBoolean());
    assertEquals(512 * 1024, p.get("chunkSize").asInt());
    assertEquals(1L << 30, p.get("maxBandwidth").asLong());
    assertEquals(2000, p.get("downtimeLimitMs").asLong());
    assertTrue(p.get("switchoverAck").asBoolean());
    assertEquals(50, p.get("maxPasses").asInt());
    assertEquals(30_000, p.get("maxPrecopyTimeMs").asLong());
    JsonNode precopy = n.get("precopy");
    assertTrue(precopy.get("passes").asInt() >= 1, precopy.toString());
    assertTrue(precopy.get("switchoverAcked").asBoolean(), "the destination acknowledged");
    assertTrue(precopy.get("expectedDowntimeMs").asLong() >= 0, precopy.toString());
    assertEquals(2000, precopy.get("downtimeLimitMs").asLong());
    assertEquals(3, n.get("devices").size());
    for (JsonNode d : n.get("devices")) {
      assertEquals("main", d.get("mode").asText(), d.toString());
      assertTrue(d.get("digestsMatch").asBoolean(), d.toString());
      assertEquals(d.get("sourceDigest"), d.get("destinationDigest"), d.toString());
      assertTrue(d.get("chunks").asLong() > 0, d.toString());
    }
    JsonNode gpu = n.get("devices").get(0);
    assertTrue(gpu.get("precopy").asBoolean(), gpu.toString());
    assertTrue(gpu.get("precopyBytes").asLong() > 0, gpu.toString());
    assertEquals(precopy.get("bytes").asLong(), gpu.get("precopyBytes").asLong(),
        "the only precopy device");
    for (int i = 1; i < 3; i++) {
      JsonNode d = n.get("devices").get(i);
      assertFalse(d.get("precopy").asBoolean(), d.toString());
      assertEquals(0, d.get("precopyBytes").asLong(), d.toString());
    }
  }

  private static String field(String report, String name) {
    String prefix = String.format("  %-20s ", name + ":");
    return report.lines().filter(l -> l.startsWith(prefix)).findFirst()
        .map(l -> l.substring(prefix.length()))
        .orElseThrow(() -> new AssertionError("no '" + name + "' in\n" + report));
  }

  @Test
  void aDeviceThatFailsToSaveFailsTheDemoWithOneErrorLine() {
    CliRun r = CliRun.run(dir, "demo", "--work-dir", dir.resolve("work").toString(),
        "--no-config-devices", "--device", "nic0:config-only",
        "--device", "bad0:faulty:inner.type=synthetic,inner.size=4MiB,read-error-after=1MiB");
    assertEquals(FerryCli.FAILURE, r.exit(), r::toString);
    assertEquals(1, r.errLines().length, r::toString);
    assertTrue(r.err().startsWith("ferry demo: migration "), r.err());
    assertTrue(r.err().contains(" FAILED: "), r.err());
    assertTrue(r.err().contains("bad0"), r.err());
    assertTrue(r.out().contains("  status:              FAILED\n"), r.out());
  }
}

package io.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.it.process.CommandResult;
import io.ferry.it.process.Device;
import io.ferry.it.process.FerryClient;
import io.ferry.it.process.FerryNodeProcess;
import io.ferry.it.process.NodeSpec;
import io.ferry.it.process.Workspace;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A migration between two nodes that do not share a network stack: each node runs in its own
 * network namespace, joined by a veth pair with addresses that exist only inside the two
 * namespaces (10.231.0.1/30 and 10.231.0.2/30), so Artery and every data channel cross the veth
 * link instead of loopback. The client commands run inside the namespaces too.
 *
 * <p>Needs {@code ip netns} (root, or CAP_SYS_ADMIN); without it the test is skipped with the
 * reason logged. The namespaces and the veth pair are removed after the test, and also before it
 * in case an earlier run was killed before its cleanup.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NetnsProcessIT {
  private static final Logger LOG = LoggerFactory.getLogger(NetnsProcessIT.class);
  private static final String PROBE_NS = "ferry-it-test";
  private static final String SRC_NS = "ferry-it-src";
  private static final String DST_NS = "ferry-it-dst";
  private static final String SRC_VETH = "ferry-it-v0";
  private static final String DST_VETH = "ferry-it-v1";
  private static final String SRC_IP = "10.231.0.1";
  private static final String DST_IP = "10.231.0.2";
  private static final String DEV = "0000:00:09.0/vfio";

  private static String unavailable;

  @BeforeAll
  static void checkNamespaces() throws Exception {
    removeNamespaces();
    String added = ip("netns", "add", PROBE_NS);
    if (added != null) {
      unavailable = "`ip netns add " + PROBE_NS + "` failed: " + added;
      LOG.warn("NetnsProcessIT skipped: {}", unavailable);
      return;
    }
    String deleted = ip("netns", "del", PROBE_NS);
    if (deleted != null) {
      unavailable = "`ip netns del " + PROBE_NS + "` failed: " + deleted;
      LOG.warn("NetnsProcessIT skipped: {}", unavailable);
    }
  }

  @AfterAll
  static void removeNamespaces() throws Exception {
    for (String ns : List.of(PROBE_NS, SRC_NS, DST_NS)) {
      if (namespaceExists(ns)) {
        String error = ip("netns", "del", ns);
        if (error != null) {
          throw new IllegalStateException("cannot remove namespace " + ns + ": " + error);
        }
      }
    }
    // A veth end left in this namespace by a setup that failed half-way.
    if (ip("link", "show", SRC_VETH) == null) {
      ip("link", "del", SRC_VETH);
    }
  }

  @Test
  void aMigrationBetweenNodesInTwoNetworkNamespaces(TestInfo test) throws Exception {
    Assumptions.assumeTrue(unavailable == null, () -> "network namespaces unavailable: "
        + unavailable);
    try (Workspace ws = Workspace.open(getClass().getSimpleName(),
        test.getTestMethod().orElseThrow().getName())) {
      createNamespaces();
      List<Device> devices = List.of(Device.synthetic(DEV, "48 MiB", 51),
          Device.configOnly("nic0", 4, 52));
      List<FerryNodeProcess> nodes = ws.startNodes(
          NodeSpec.source("ferry-src", devices).inNamespace(SRC_NS, SRC_IP),
          NodeSpec.destination("ferry-dst", devices).inNamespace(DST_NS, DST_IP));
      FerryNodeProcess src = nodes.get(0);
      FerryNodeProcess dst = nodes.get(1);
      assertTrue(src.address().contains("@" + SRC_IP + ":"), src.toString());
      assertTrue(dst.address().contains("@" + DST_IP + ":"), dst.toString());
      assertEquals(DST_IP, dst.dataHost(), dst.toString());
      // The addresses exist only inside the namespaces: the test JVM cannot reach them.
      assertThrows(IOException.class, () -> {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(DST_IP, dst.dataPort()), 1000);
        }
      });

      CommandResult migrate = ws.client(FerryClient.Mode.PROCESS).inNamespace(SRC_NS)
          .run(Duration.ofSeconds(90), "migrate", "--from", src.address(), "--to",
              dst.address(), "--device", DEV + ",nic0", "--channels", "2", "--json",
              "--client-host", SRC_IP, "--timeout", FerryClient.MIGRATE_TIMEOUT);
      assertEquals(0, migrate.exitCode(), migrate.toString());
      JsonNode report = migrate.json();
      assertEquals("COMPLETED", report.get("status").asText(), migrate.toString());
      assertEquals(2, report.get("multifdChannelBytes").size());
      for (JsonNode d : report.get("devices")) {
        assertTrue(d.get("digestsMatch").asBoolean(), d.toString());
        assertEquals(d.get("sourceDigest"), d.get("destinationDigest"), d.toString());
      }

      CommandResult status = ws.client(FerryClient.Mode.PROCESS).inNamespace(DST_NS)
          .run(Duration.ofSeconds(30), "status", "--node", dst.address(), "--json",
              "--client-host", DST_IP);
      assertEquals(0, status.exitCode(), status.toString());
      assertEquals(0, status.json().get("incoming").size(), status.toString());
    } finally {
      removeNamespaces();
    }
  }

  private static void createNamespaces() throws Exception {
    String[][] steps = {
      {"netns", "add", SRC_NS},
      {"netns", "add", DST_NS},
      {"link", "add", SRC_VETH, "type", "veth", "peer", "name", DST_VETH},
      {"link", "set", SRC_VETH, "netns", SRC_NS},
      {"link", "set", DST_VETH, "netns", DST_NS},
      {"-n", SRC_NS, "addr", "add", SRC_IP + "/30", "dev", SRC_VETH},
      {"-n", DST_NS, "addr", "add", DST_IP + "/30", "dev", DST_VETH},
      {"-n", SRC_NS, "link", "set", "lo", "up"},
      {"-n", DST_NS, "link", "set", "lo", "up"},
      {"-n", SRC_NS, "link", "set", SRC_VETH, "up"},
      {"-n", DST_NS, "link", "set", DST_VETH, "up"},
    };
    for (String[] step : steps) {
      String error = ip(step);
      if (error != null) {
        throw new IllegalStateException("`ip " + String.join(" ", step) + "` failed: " + error);
      }
    }
  }

  private static boolean namespaceExists(String ns) throws Exception {
    return ip("netns", "exec", ns, "true") == null;
  }

  /** Runs {@code ip args...}; null on success, else its exit status and output. */
  private static String ip(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add("ip");
    cmd.addAll(List.of(args));
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      return "cannot run ip: " + e.getMessage();
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return "timed out";
    }
    return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + out;
  }
}

package io.ferry.app.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.app.TestingInfos;
import io.ferry.engine.config.MultifdTransfer;
import io.ferry.engine.device.DeviceDescriptor;
import io.ferry.engine.node.FerryNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportJsonTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void theMigrationReportIsOneLineOfJsonWithFullDigests() throws Exception {
    String json = ReportJson.write(ReportJson.migration(
        TestingInfos.completed(TestingInfos.DIGEST), MigrationReportTest.SETTINGS));
    assertFalse(json.contains("\n"));
    JsonNode n = MAPPER.readTree(json);
    assertEquals(TestingInfos.ID.toString(), n.get("migrationId").asText());
    assertEquals("COMPLETED", n.get("status").asText());
    assertTrue(n.get("succeeded").asBoolean());
    assertEquals(120, n.get("downtimeMs").asLong());
    assertEquals(2, n.get("multifdChannelBytes").size());
    assertEquals(100L << 20, n.get("parameters").get("maxBandwidth").asLong());
    assertTrue(n.get("parameters").get("maxBandwidthApplied").asBoolean());
    assertFalse(n.get("parameters").get("switchoverAck").asBoolean());
    assertEquals(0, n.get("parameters").get("maxPasses").asInt());
    assertEquals(120_000, n.get("parameters").get("maxPrecopyTimeMs").asLong());
    assertEquals(0, n.get("precopy").get("passes").asInt());
    assertEquals(-1, n.get("precopy").get("expectedDowntimeMs").asLong());
    JsonNode gpu = n.get("devices").get(0);
    assertEquals("multifd", gpu.get("mode").asText());
    assertEquals("ab".repeat(32), gpu.get("sourceDigest").get("stateDigest").asText());
    assertTrue(gpu.get("digestsMatch").asBoolean());
    assertTrue(n.get("error").isNull());
    assertFalse(gpu.get("precopy").asBoolean());
    assertEquals(0, gpu.get("precopyBytes").asLong());
  }

  @Test
  void aPrecopyMigrationHasItsPrecopyFiguresAndPerDevicePrecopy() throws Exception {
    JsonNode n = MAPPER.readTree(ReportJson.write(ReportJson.migration(
        TestingInfos.completedWithPrecopy(), MigrationReportTest.ACK_SETTINGS)));
    JsonNode p = n.get("precopy");
    assertEquals(4, p.get("passes").asInt());
    assertEquals(1L << 30, p.get("bytes").asLong());
    assertEquals(78, p.get("expectedDowntimeMs").asLong());
    assertEquals(250, n.get("downtimeMs").asLong());
    assertEquals(70L << 20, p.get("pendingBytes").asLong());
    assertEquals(900L << 20, p.get("bandwidthBytesPerSecond").asLong());
    assertEquals(300, p.get("downtimeLimitMs").asLong());
    assertTrue(p.get("switchoverAcked").asBoolean());
    JsonNode params = n.get("parameters");
    assertTrue(params.get("switchoverAck").asBoolean());
    assertEquals(8, params.get("maxPasses").asInt());
    assertEquals(30_000, params.get("maxPrecopyTimeMs").asLong());
    assertFalse(params.get("maxBandwidthApplied").asBoolean());
    JsonNode gpu = n.get("devices").get(0);
    assertTrue(gpu.get("precopy").asBoolean());
    assertEquals(1L << 30, gpu.get("precopyBytes").asLong());
    JsonNode nic = n.get("devices").get(1);
    assertFalse(nic.get("precopy").asBoolean());
    assertEquals(0, nic.get("precopyBytes").asLong());
  }

  @Test
  void unknownDigestsAreNullAndAStatusReportHasNoSettings() throws Exception {
    JsonNode n = MAPPER.readTree(ReportJson.write(
        ReportJson.migration(TestingInfos.failed("boom"), null)));
    assertFalse(n.has("parameters"));
    assertFalse(n.has("source"));
    assertTrue(n.get("devices").get(0).get("destinationDigest").isNull());
    assertEquals("boom", n.get("error").asText());
    assertFalse(n.get("succeeded").asBoolean());
  }

  @Test
  void nodeInfoListsDevicesAndMigrations() throws Exception {
    FerryNode.NodeInfo info = new FerryNode.NodeInfo("akka://n@127.0.0.1:1", "127.0.0.1", 7000,
        List.of(new DeviceDescriptor("nic0", 0, "config-only", MultifdTransfer.AUTO)),
        List.of(TestingInfos.ID), List.of());
    JsonNode n = MAPPER.readTree(ReportJson.write(ReportJson.node(info)));
    assertEquals(7000, n.get("dataPort").asInt());
    assertEquals("auto", n.get("devices").get(0).get("multifdTransfer").asText());
    assertEquals(TestingInfos.ID.toString(), n.get("outgoing").get(0).asText());
    assertEquals(0, n.get("incoming").size());
  }
}

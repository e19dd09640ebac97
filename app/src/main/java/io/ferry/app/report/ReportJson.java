package io.ferry.app.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferry.engine.config.MigrationParameters;
import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.device.StateDigest;
import io.ferry.engine.node.FerryNode;

/**
 * The machine-readable forms of the reports: one JSON object each, with the same fields as the
 * text and full digests. Field names follow {@code MigrationInfo}; {@code succeeded} is {@code
 * MigrationInfo.succeeded()}, the command's exit status.
 */
public final class ReportJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ReportJson() {}

  /** A migration's report; {@code settings} may be null ({@code ferry status}). */
  public static ObjectNode migration(MigrationInfo info, RunSettings settings) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("migrationId", info.migrationId().toString());
    if (settings != null) {
      o.put("source", settings.source());
      o.put("destination", settings.destination());
    }
    o.put("status", info.status().name());
    o.put("succeeded", info.succeeded());
    o.put("setupTimeMs", info.setupTimeMs());
    o.put("totalTimeMs", info.totalTimeMs());
    o.put("downtimeMs", info.downtimeMs());
    o.put("totalBytes", info.totalBytes());
    o.put("mainChannelBytes", info.mainChannelBytes());
    ArrayNode channels = o.putArray("multifdChannelBytes");
    info.multifdChannelBytes().forEach(channels::add);
    o.put("throughputMiBps", info.throughputMiBps());
    MigrationInfo.PrecopyStats pre = info.precopy();
    ObjectNode precopy = o.putObject("precopy");
    precopy.put("passes", pre.passes());
    precopy.put("bytes", pre.bytes());
    precopy.put("expectedDowntimeMs", pre.expectedDowntimeMs());
    precopy.put("pendingBytes", pre.pendingBytes());
    precopy.put("bandwidthBytesPerSecond", pre.bandwidthBytesPerSecond());
    precopy.put("downtimeLimitMs", pre.downtimeLimitMs());
    precopy.put("switchoverAcked", pre.switchoverAcked());
    if (settings != null) {
      MigrationParameters params = settings.params();
      ObjectNode p = o.putObject("parameters");
      p.put("multifd", params.multifd());
      p.put("multifdChannels", params.multifdChannels());
      p.put("chunkSize", params.chunkSize());
      p.put("downtimeLimitMs", params.downtimeLimit().toMillis());
      p.put("maxBandwidth", settings.maxBandwidth());
      // A cap was in force: the engine applies it to every precopy pass (never the switchover).
      p.put("maxBandwidthApplied", settings.maxBandwidth() > 0);
      p.put("switchoverAck", params.precopy().switchoverAck());
      p.put("maxPasses", params.precopy().maxPasses());
      p.put("maxPrecopyTimeMs", params.precopy().maxTime().toMillis());
    }
    ArrayNode devices = o.putArray("devices");
    for (MigrationInfo.DeviceReport d : info.devices()) {
      ObjectNode n = devices.addObject();
      n.put("deviceId", d.deviceId());
      n.put("kind", d.kind());
      n.put("mode", d.multifd() ? "multifd" : "main");
      n.put("precopy", d.precopy());
      n.put("precopyBytes", d.precopyBytes());
      n.put("stopCopyEstimate", d.stopCopyEstimate());
      n.put("bytesSent", d.bytesSent());
      n.put("chunks", d.chunks());
      n.put("dataBytes", d.dataBytes());
      n.put("configBytes", d.configBytes());
      n.set("sourceDigest", digest(d.sourceDigest()));
      n.set("destinationDigest", digest(d.destinationDigest()));
      n.put("digestsMatch", d.digestsMatch());
      n.put("destinationPeakQueuedBytes", d.destinationPeakQueuedBytes());
    }
    if (info.error() == null) {
      o.putNull("error");
    } else {
      o.put("error", info.error());
    }
    return o;
  }

  /** A node's info ({@code ferry status --node}). */
  public static ObjectNode node(FerryNode.NodeInfo info) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("address", info.address());
    o.put("dataHost", info.dataHost());
    o.put("dataPort", info.dataPort());
    ArrayNode devices = o.putArray("devices");
    info.devices().forEach(d -> {
      ObjectNode n = devices.addObject();
      n.put("deviceId", d.deviceId());
      n.put("instanceId", d.instanceId());
      n.put("kind", d.kind());
      n.put("multifdTransfer", d.multifdTransfer().name().toLowerCase(java.util.Locale.ROOT));
    });
    ArrayNode out = o.putArray("outgoing");
    info.outgoing().forEach(id -> out.add(id.toString()));
    ArrayNode in = o.putArray("incoming");
    info.incoming().forEach(id -> in.add(id.toString()));
    return o;
  }

  /** One line of JSON. */
  public static String write(ObjectNode node) {
    return node.toString();
  }

  private static ObjectNode digest(StateDigest d) {
    if (d == null) {
      return null;
    }
    ObjectNode n = MAPPER.createObjectNode();
    n.put("algorithm", d.algorithm());
    n.put("stateDigest", d.stateDigest());
    n.put("stateBytes", d.stateBytes());
    n.put("configDigest", d.configDigest());
    return n;
  }
}

package io.ferry.app.report;

import io.ferry.app.Units;
import io.ferry.engine.config.MigrationParameters;
import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.coordinator.MigrationStatus;
import io.ferry.engine.device.StateDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The end-of-migration report as text, laid out like QEMU's {@code info migrate}: the migration's
 * figures, then a table with one row per device and its digests, e.g.
 *
 * <pre>
 *   device             mode      precopy  chunks     bytes  digest          source        destination   match
 *   0000:00:03.0/vfio  multifd  2.19 GiB      42  41.3 MiB  ferry-synth-v1  07f85212613b  07f85212613b  yes
 *   nic0               multifd       off       1  52.1 KiB  sha-256         f3b2d88da4cc  f3b2d88da4cc  yes
 * </pre>
 * {@link #errorLine} is the single
 * stderr line of a migration that did not succeed.
 */
public final class MigrationReport {
  /**
   * Hex digits of a digest shown in the table (48 bits: enough to compare by eye; the match column
   * compares every field, and the JSON report has the full digests).
   */
  static final int DIGEST_CHARS = 12;

  private MigrationReport() {}

  /**
   * The report.
   *
   * @param info the migration's (final) info
   * @param settings how it was asked for; null when unknown ({@code ferry status})
   */
  public static String text(MigrationInfo info, RunSettings settings) {
    StringBuilder b = new StringBuilder();
    b.append("migration ").append(info.migrationId()).append('\n');
    if (settings != null) {
      field(b, "source", settings.source());
      field(b, "destination", settings.destination());
    }
    field(b, "status", info.status().name());
    field(b, "setup", millis(info.setupTimeMs()));
    field(b, "total time", millis(info.totalTimeMs()));
    field(b, "downtime", millis(info.downtimeMs()));
    MigrationInfo.PrecopyStats precopy = info.precopy();
    field(b, "expected downtime", precopy.expectedDowntimeMs() < 0 ? "-"
        : millis(precopy.expectedDowntimeMs()) + " (after the last precopy pass)");
    field(b, "precopy passes", Integer.toString(precopy.passes()));
    field(b, "precopy bytes", bytes(precopy.bytes()));
    field(b, "switchover-ack", switchoverAck(info, settings));
    field(b, "total bytes", bytes(info.totalBytes()));
    field(b, "main channel", bytes(info.mainChannelBytes()));
    List<Long> channels = info.multifdChannelBytes();
    if (channels.isEmpty()) {
      field(b, "multifd channels", "none");
    }
    for (int i = 0; i < channels.size(); i++) {
      field(b, "multifd channel " + i, bytes(channels.get(i)));
    }
    field(b, "throughput", Units.mibps(info.throughputMiBps()));
    if (settings != null) {
      MigrationParameters p = settings.params();
      field(b, "multifd", (p.multifd() ? "on" : "off") + ", " + p.multifdChannels()
          + " channels, chunk " + Units.bytes(p.chunkSize()));
      String limit = Units.duration(p.downtimeLimit());
      if (precopy.downtimeLimitMs() >= 0 && precopy.downtimeLimitMs() != p.downtimeLimit()
          .toMillis()) {
        limit += " (" + millis(precopy.downtimeLimitMs()) + " at the end)";
      }
      field(b, "downtime limit", limit);
      field(b, "max bandwidth", Units.rate(settings.maxBandwidth())
          + (settings.maxBandwidth() > 0 ? " (precopy only)" : ""));
      field(b, "precopy limits", (p.precopy().maxPasses() == 0 ? "no pass limit"
          : "max " + p.precopy().maxPasses() + " passes") + ", max time "
          + Units.duration(p.precopy().maxTime()));
    } else if (precopy.downtimeLimitMs() >= 0) {
      field(b, "downtime limit", millis(precopy.downtimeLimitMs()));
    }
    b.append('\n');
    b.append(table(info));
    if (info.error() != null) {
      b.append('\n');
      field(b, "error", info.error());
    }
    return b.toString();
  }

  /**
   * {@code yes} if the destination acknowledged the switchover (QEMU's switchover-ack); otherwise
   * {@code no}, with why when the settings are known.
   */
  static String switchoverAck(MigrationInfo info, RunSettings settings) {
    if (info.precopy().switchoverAcked()) {
      return "yes";
    }
    if (settings == null) {
      return "no";
    }
    return settings.params().precopy().switchoverAck() ? "no (requested, not received)"
        : "no (off)";
  }

  /**
   * The device table: transfer mode, precopy ({@code off}, or the bytes sent in precopy passes),
   * stop-copy chunks and bytes saved (data and config), the digest algorithm, both digests and
   * whether they match.
   */
  static String table(MigrationInfo info) {
    String[] head = {"device", "mode", "precopy", "chunks", "bytes", "digest", "source",
        "destination", "match"};
    List<String[]> rows = new ArrayList<>();
    rows.add(head);
    for (MigrationInfo.DeviceReport d : info.devices()) {
      StateDigest known = d.sourceDigest() != null ? d.sourceDigest() : d.destinationDigest();
      rows.add(new String[] {d.deviceId(), d.multifd() ? "multifd" : "main",
          d.precopy() ? Units.bytes(d.precopyBytes()) : "off",
          Long.toString(d.chunks()), Units.bytes(d.dataBytes() + d.configBytes()),
          known == null ? "-" : known.algorithm(), digest(d.sourceDigest()),
          digest(d.destinationDigest()), d.digestsMatch() ? "yes" : "no"});
    }
    int[] width = new int[head.length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    StringBuilder b = new StringBuilder();
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder(" ");
      for (int i = 0; i < r.length; i++) {
        boolean right = i >= 2 && i <= 4;
        line.append(' ').append(right ? pad(r[i], width[i], true) : pad(r[i], width[i], false))
            .append(' ');
      }
      b.append(line.toString().stripTrailing()).append('\n');
    }
    return b.toString();
  }

  /** The one stderr line for a migration that did not succeed, or null if it succeeded. */
  public static String errorLine(MigrationInfo info) {
    if (info.succeeded()) {
      return null;
    }
    if (info.status() == MigrationStatus.COMPLETED) {
      List<String> differ = new ArrayList<>();
      for (MigrationInfo.DeviceReport d : info.devices()) {
        if (!d.digestsMatch()) {
          differ.add(d.deviceId());
        }
      }
      return "migration " + info.migrationId() + " completed but the destination state differs"
          + " for " + String.join(", ", differ);
    }
    return "migration " + info.migrationId() + " " + info.status()
        + (info.error() != null ? ": " + info.error() : "");
  }

  static String digest(StateDigest d) {
    if (d == null) {
      return "-";
    }
    String hex = d.stateDigest();
    return hex.length() > DIGEST_CHARS ? hex.substring(0, DIGEST_CHARS) : hex;
  }

  private static void field(StringBuilder b, String name, String value) {
    b.append(String.format(Locale.ROOT, "  %-20s %s%n", name + ":", value));
  }

  private static String millis(long ms) {
    return ms < 0 ? "-" : Units.duration(Duration.ofMillis(ms));
  }

  private static String bytes(long n) {
    return n < 1024 ? n + " B" : Units.bytes(n) + " (" + n + " B)";
  }

  private static String pad(String s, int width, boolean right) {
    String fill = " ".repeat(Math.max(0, width - s.length()));
    return right ? fill + s : s + fill;
  }
}

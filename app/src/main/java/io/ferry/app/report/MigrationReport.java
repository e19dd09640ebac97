package io.ferry.app.report;

import io.ferry.app.Units;
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
 *   device             mode     chunks     bytes  digest          source        destination   match
 *   0000:00:03.0/vfio  multifd    2049  2.00 GiB  ferry-synth-v1  07f85212613b  07f85212613b  yes
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
      field(b, "multifd", (settings.params().multifd() ? "on" : "off") + ", "
          + settings.params().multifdChannels() + " channels, chunk "
          + Units.bytes(settings.params().chunkSize()));
      field(b, "downtime limit", Units.duration(settings.params().downtimeLimit()));
      field(b, "max bandwidth", Units.rate(settings.maxBandwidth())
          + (settings.maxBandwidth() > 0 ? " (precopy only)" : ""));
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
   * The device table: transfer mode, chunks, bytes saved (data and config), the digest algorithm,
   * both digests and whether they match.
   */
  static String table(MigrationInfo info) {
    String[] head = {"device", "mode", "chunks", "bytes", "digest", "source", "destination",
        "match"};
    List<String[]> rows = new ArrayList<>();
    rows.add(head);
    for (MigrationInfo.DeviceReport d : info.devices()) {
      StateDigest known = d.sourceDigest() != null ? d.sourceDigest() : d.destinationDigest();
      rows.add(new String[] {d.deviceId(), d.multifd() ? "multifd" : "main",
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
        boolean right = i == 2 || i == 3;
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

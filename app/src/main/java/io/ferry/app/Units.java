package io.ferry.app;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes, durations and rates as the command line writes them, and how reports print them. Binary
 * units follow HOCON ({@code K}, {@code KiB}, {@code M}, {@code MiB}... are powers of 1024;
 * {@code KB}, {@code MB}... powers of 1000), so a value means the same on the command line and in
 * application.conf. Every parse error names the value and what was expected.
 */
public final class Units {
  private Units() {}

  private static final Pattern SIZE =
      Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*([a-zA-Z]*)");
  private static final Pattern DURATION =
      Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*([a-zA-Z]*)");

  /**
   * Parses a byte size such as {@code 1MiB}, {@code 512 KiB}, {@code 4096}, {@code 1.5G}.
   *
   * @throws IllegalArgumentException if it is not a non-negative size that fits in a long
   */
  public static long parseSize(String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "expected a size such as 1MiB, 512KiB or 4096 (bytes), got '" + text + "'");
    }
    long unit = sizeUnit(m.group(2), text);
    BigDecimal value = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
    try {
      return value.longValueExact();
    } catch (ArithmeticException e) {
      boolean whole = value.stripTrailingZeros().scale() <= 0;
      throw new IllegalArgumentException(whole
          ? "size '" + text + "' is too large"
          : "size '" + text + "' is not a whole number of bytes");
    }
  }

  private static long sizeUnit(String unit, String text) {
    switch (unit) {
      case "":
      case "b":
      case "B":
      case "byte":
      case "bytes":
        return 1;
      case "k":
      case "K":
      case "Ki":
      case "KiB":
        return 1L << 10;
      case "m":
      case "M":
      case "Mi":
      case "MiB":
        return 1L << 20;
      case "g":
      case "G":
      case "Gi":
      case "GiB":
        return 1L << 30;
      case "t":
      case "T":
      case "Ti":
      case "TiB":
        return 1L << 40;
      case "kB":
      case "KB":
        return 1_000L;
      case "MB":
        return 1_000_000L;
      case "GB":
        return 1_000_000_000L;
      case "TB":
        return 1_000_000_000_000L;
      default:
        throw new IllegalArgumentException("unknown size unit '" + unit + "' in '" + text
            + "': expected B, KiB, MiB, GiB, TiB (or K, M, G, T), KB, MB, GB, TB");
    }
  }

  /**
   * Parses a duration such as {@code 300ms}, {@code 2s}, {@code 1.5 s}, {@code 5m}; a bare number
   * is milliseconds (as {@code downtime-limit} is in QEMU).
   */
  public static Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "expected a duration such as 300ms, 2s or 1m, got '" + text + "'");
    }
    double value = Double.parseDouble(m.group(1));
    double nanosPerUnit;
    switch (m.group(2).toLowerCase(Locale.ROOT)) {
      case "":
      case "ms":
      case "millis":
        nanosPerUnit = 1e6;
        break;
      case "us":
      case "micros":
        nanosPerUnit = 1e3;
        break;
      case "s":
      case "sec":
      case "seconds":
        nanosPerUnit = 1e9;
        break;
      case "m":
      case "min":
      case "minutes":
        nanosPerUnit = 60e9;
        break;
      case "h":
      case "hours":
        nanosPerUnit = 3600e9;
        break;
      default:
        throw new IllegalArgumentException("unknown duration unit '" + m.group(2) + "' in '"
            + text + "': expected ms, s, m or h");
    }
    return Duration.ofNanos(Math.round(value * nanosPerUnit));
  }

  /**
   * Parses a bandwidth such as {@code 100MiB/s}, {@code 1 GiB/s} or {@code 0} (unlimited), in
   * bytes per second; {@code /s} is optional.
   */
  public static long parseRate(String text) {
    String t = text.trim();
    if (t.endsWith("/s")) {
      t = t.substring(0, t.length() - 2);
    }
    try {
      return parseSize(t);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "expected a rate such as 100MiB/s, 1GiB/s or 0 (unlimited), got '" + text + "'");
    }
  }

  /** {@code 2.00 GiB}, {@code 48.0 KiB}, {@code 512 B}: three significant digits. */
  public static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = n;
    int i = -1;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    String format = v >= 100 ? "%.0f %s" : v >= 10 ? "%.1f %s" : "%.2f %s";
    return String.format(Locale.ROOT, format, v, units[i]);
  }

  /** A rate in MiB/s with one decimal. */
  public static String mibps(double mibPerSecond) {
    return String.format(Locale.ROOT, "%.1f MiB/s", mibPerSecond);
  }

  /** A bandwidth as given to {@code --max-bandwidth}, or {@code unlimited} for 0. */
  public static String rate(long bytesPerSecond) {
    return bytesPerSecond == 0 ? "unlimited" : bytes(bytesPerSecond) + "/s";
  }

  /** {@link #duration} of a number of milliseconds. */
  public static String millis(long ms) {
    return duration(Duration.ofMillis(ms));
  }

  /** {@code 300 ms}, {@code 2.5 s}. */
  public static String duration(Duration d) {
    long ms = d.toMillis();
    if (ms < 10_000 && d.toNanos() % 1_000_000 == 0) {
      return ms + " ms";
    }
    if (ms < 10_000) {
      return String.format(Locale.ROOT, "%.3f ms", d.toNanos() / 1e6);
    }
    return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
  }
}

package io.ferry.app;

import io.ferry.engine.config.MigrationParameters;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Picocli converters for the command's value types. Each rejects a bad value with a message that
 * says what was expected; picocli turns it into a usage error (exit 2) naming the option.
 */
final class Converters {
  private Converters() {}

  /** {@code --channels N}: 1..255, as {@code multifd-channels}. */
  static final class Channels implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      int n;
      try {
        n = Integer.parseInt(value.trim());
      } catch (NumberFormatException e) {
        throw new TypeConversionException("expected a number of channels 1..255, got '" + value
            + "'");
      }
      if (n < 1 || n > 255) {
        throw new TypeConversionException("expected 1..255 channels, got " + n);
      }
      return n;
    }
  }

  /** {@code --max-passes N}: 0 (no limit) or more. */
  static final class MaxPasses implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      int n;
      try {
        n = Integer.parseInt(value.trim());
      } catch (NumberFormatException e) {
        throw new TypeConversionException("expected a number of passes (0 = no limit), got '"
            + value + "'");
      }
      if (n < 0) {
        throw new TypeConversionException("expected 0 (no limit) or more passes, got " + n);
      }
      return n;
    }
  }

  /** {@code --chunk-size SIZE}: 1 KiB..16 MiB, as {@code chunk-size}. */
  static final class ChunkSize implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      long bytes = size(value);
      if (bytes < 1024 || bytes > MigrationParameters.MAX_CHUNK_SIZE) {
        throw new TypeConversionException(
            "expected a chunk size of 1KiB..16MiB, got " + value + " (" + bytes + " bytes)");
      }
      return (int) bytes;
    }
  }

  /** {@code --downtime-limit DURATION}: positive, at most 2000 s (QEMU's range). */
  static final class DowntimeLimit implements ITypeConverter<Duration> {
    static final Duration MAX = Duration.ofSeconds(2000);

    @Override
    public Duration convert(String value) {
      Duration d = new Timeout().convert(value);
      if (d.compareTo(MAX) > 0) {
        throw new TypeConversionException("expected at most 2000s (QEMU's downtime-limit range), "
            + "got '" + value + "'");
      }
      return d;
    }
  }

  /** A timeout such as {@code 5s}: positive. */
  static final class Timeout implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      Duration d = duration(value);
      if (d.isZero() || d.isNegative()) {
        throw new TypeConversionException("expected a positive duration, got '" + value + "'");
      }
      return d;
    }
  }

  /** {@code --max-bandwidth RATE}: bytes per second, 0 = unlimited. */
  static final class Rate implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      try {
        return Units.parseRate(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** {@code on|off} (also true/false, yes/no). */
  static final class OnOff implements ITypeConverter<Boolean> {
    @Override
    public Boolean convert(String value) {
      switch (value.trim().toLowerCase(Locale.ROOT)) {
        case "on":
        case "true":
        case "yes":
          return true;
        case "off":
        case "false":
        case "no":
          return false;
        default:
          throw new TypeConversionException("expected on or off, got '" + value + "'");
      }
    }
  }

  /**
   * The value of an on/off option whose value is optional ({@code --switchover-ack} alone is on):
   * picocli takes only true/false after a boolean option, so on/off needs a type of its own.
   */
  record Toggle(boolean on) {}

  /** {@code on|off} (also true/false, yes/no) for a {@link Toggle}. */
  static final class ToggleValue implements ITypeConverter<Toggle> {
    @Override
    public Toggle convert(String value) {
      return new Toggle(new OnOff().convert(value));
    }
  }

  /** A node address {@code akka://SYSTEM@HOST:PORT}. */
  static final class Address implements ITypeConverter<NodeAddress> {
    @Override
    public NodeAddress convert(String value) {
      try {
        return NodeAddress.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** A migration id. */
  static final class MigrationId implements ITypeConverter<java.util.UUID> {
    @Override
    public java.util.UUID convert(String value) {
      try {
        return java.util.UUID.fromString(value.trim());
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(
            "expected a migration id (a UUID, as migrate prints it), got '" + value + "'");
      }
    }
  }

  /** A TCP port, 0 = pick a free one. */
  static final class Port implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      int p;
      try {
        p = Integer.parseInt(value.trim());
      } catch (NumberFormatException e) {
        throw new TypeConversionException("expected a port 0..65535, got '" + value + "'");
      }
      if (p < 0 || p > 65535) {
        throw new TypeConversionException("expected a port 0..65535, got " + p);
      }
      return p;
    }
  }

  /** {@code --device ID:TYPE[:KEY=VALUE,...]}. */
  static final class Device implements ITypeConverter<DeviceSpec> {
    @Override
    public DeviceSpec convert(String value) {
      try {
        return DeviceSpec.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  private static long size(String value) {
    try {
      return Units.parseSize(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }

  private static Duration duration(String value) {
    try {
      return Units.parseDuration(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}

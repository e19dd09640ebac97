package io.ferry.devices.model;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueType;
import io.ferry.devices.model.faulty.FaultPlan;
import io.ferry.devices.model.faulty.FaultyDevice;
import io.ferry.devices.model.file.FileBackedDevice;
import io.ferry.devices.model.nic.ConfigOnlyDevice;
import io.ferry.devices.model.synthetic.SyntheticDevice;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * Creates device models from HOCON config (keys and defaults in docs/devices.md). Unknown keys are
 * rejected so that a typo does not silently fall back to a default.
 *
 * <pre>
 * type = synthetic | config-only | file | faulty
 * </pre>
 */
public final class DeviceModels {

  private static final Config SYNTHETIC_DEFAULTS =
      ConfigFactory.parseString(
          "size = 64 MiB\n"
              + "page-size = 64 KiB\n"
              + "seed = 1\n"
              + "precopy = off\n"
              + "p2p = on\n"
              + "dirty-rate = 0\n"
              + "hot-fraction = 0.1\n"
              + "hot-share = 0.9\n"
              + "precopy-end = enomsg\n"
              + "dirty-in-p2p = on\n"
              + "config-size = 4 KiB\n");

  private static final Config CONFIG_ONLY_DEFAULTS =
      ConfigFactory.parseString(
          "state-size = 48 KiB\n"
              + "queues = 8\n"
              + "seed = 1\n"
              + "vendor-id = 0x1af4\n"
              + "pci-device-id = 0x1041\n"
              + "nic-features = 0x3f\n"
              + "p2p = on\n"
              + "config-size = 4 KiB\n");

  private static final Config FILE_DEFAULTS =
      ConfigFactory.parseString("p2p = on\nfsync = on\nseed = 1\n");

  private static final Config FAULTY_DEFAULTS =
      ConfigFactory.parseString(
          "fail-arc-errno = EIO\n"
              + "fail-into-error = off\n"
              + "fail-arc-times = 1\n"
              + "read-error-errno = EIO\n"
              + "short-reads = 0\n"
              + "rate-limit = 0\n"
              + "corrupt-at-resume-stop = off\n"
              + "short-writes = 0\n"
              + "stream-fault-times = 1\n"
              + "seed = 1\n");

  private static final Set<String> FILE_OPTIONAL = Set.of("path", "size", "max-size");
  private static final Set<String> FAULTY_OPTIONAL =
      Set.of(
          "inner",
          "fail-arc",
          "read-error-after",
          "stall-after",
          "corrupt-write-at",
          "reset-after");

  private DeviceModels() {}

  /** {@link #create(String, Config, Role, LongSupplier)} with the system clock. */
  public static DeviceModel create(String deviceId, Config cfg, Role role) {
    return create(deviceId, cfg, role, System::nanoTime);
  }

  /**
   * Creates the model described by {@code cfg}.
   *
   * @param deviceId the device id
   * @param cfg the device's config object ({@code type} plus the type's keys)
   * @param role SOURCE holds its initial state; DESTINATION starts empty
   * @param nanoClock the clock driving time-based behaviour (the synthetic workload)
   * @throws IllegalArgumentException for an unknown type or key, or an invalid value
   * @throws com.typesafe.config.ConfigException for a missing or mistyped key
   */
  public static DeviceModel create(String deviceId, Config cfg, Role role, LongSupplier nanoClock) {
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(cfg, "cfg");
    Objects.requireNonNull(role, "role");
    String type = cfg.hasPath("type") ? cfg.getString("type") : "";
    try {
      switch (type) {
        case SyntheticDevice.KIND:
          return synthetic(deviceId, cfg, role, nanoClock);
        case ConfigOnlyDevice.KIND:
          return configOnly(deviceId, cfg, role);
        case FileBackedDevice.KIND:
          return file(deviceId, cfg, role);
        case FaultyDevice.KIND:
          return faulty(deviceId, cfg, role, nanoClock);
        default:
          throw new IllegalArgumentException(
              "type expected one of synthetic, config-only, file, faulty, got '" + type + "'");
      }
    } catch (IllegalArgumentException e) {
      String prefix = "device " + deviceId + ": ";
      String m = String.valueOf(e.getMessage());
      throw new IllegalArgumentException(m.startsWith(prefix) ? m : prefix + m, e);
    }
  }

  private static SyntheticDevice synthetic(
      String deviceId, Config raw, Role role, LongSupplier clock) {
    Config c = checked(raw, SYNTHETIC_DEFAULTS, Set.of());
    return SyntheticDevice.builder(deviceId)
        .size(c.getBytes("size"))
        .pageSize(intBytes(c, "page-size"))
        .seed(c.getLong("seed"))
        .precopy(c.getBoolean("precopy"))
        .p2p(c.getBoolean("p2p"))
        .dirtyRate(c.getBytes("dirty-rate"))
        .hotFraction(c.getDouble("hot-fraction"))
        .hotShare(c.getDouble("hot-share"))
        .precopyEnd(
            enumValue(SyntheticDevice.PrecopyEnd.class, "precopy-end", c.getString("precopy-end")))
        .dirtyInP2p(c.getBoolean("dirty-in-p2p"))
        .configSize(intBytes(c, "config-size"))
        .clock(clock)
        .role(role)
        .build();
  }

  private static ConfigOnlyDevice configOnly(String deviceId, Config raw, Role role) {
    Config c = checked(raw, CONFIG_ONLY_DEFAULTS, Set.of());
    return ConfigOnlyDevice.builder(deviceId)
        .stateSize(intBytes(c, "state-size"))
        .queues(c.getInt("queues"))
        .seed(c.getLong("seed"))
        .vendorId((int) number(c, "vendor-id"))
        .pciDeviceId((int) number(c, "pci-device-id"))
        .nicFeatures(number(c, "nic-features"))
        .p2p(c.getBoolean("p2p"))
        .configSize(intBytes(c, "config-size"))
        .role(role)
        .build();
  }

  private static FileBackedDevice file(String deviceId, Config raw, Role role) {
    Config c = checked(raw, FILE_DEFAULTS, FILE_OPTIONAL);
    if (!c.hasPath("path")) {
      throw new IllegalArgumentException("file device needs 'path'");
    }
    FileBackedDevice.Builder b =
        FileBackedDevice.builder(deviceId, Path.of(c.getString("path")))
            .p2p(c.getBoolean("p2p"))
            .fsync(c.getBoolean("fsync"))
            .role(role);
    if (c.hasPath("max-size")) {
      b.maxSize(c.getBytes("max-size"));
    }
    if (c.hasPath("size")) {
      b.createIfMissing(c.getBytes("size"), c.getLong("seed"));
    }
    return b.build();
  }

  private static FaultyDevice faulty(String deviceId, Config raw, Role role, LongSupplier clock) {
    Config c = checked(raw, FAULTY_DEFAULTS, FAULTY_OPTIONAL);
    if (!c.hasPath("inner")) {
      throw new IllegalArgumentException("faulty device needs 'inner { type = ... }'");
    }
    FaultPlan.Builder p =
        FaultPlan.builder()
            .failArcErrno(enumValue(Errno.class, "fail-arc-errno", c.getString("fail-arc-errno")))
            .failIntoError(c.getBoolean("fail-into-error"))
            .failArcTimes(c.getInt("fail-arc-times"))
            .readErrorErrno(
                enumValue(Errno.class, "read-error-errno", c.getString("read-error-errno")))
            .shortReads(probability(c, "short-reads"))
            .rateLimit(c.getBytes("rate-limit"))
            .corruptAtResumeStop(c.getBoolean("corrupt-at-resume-stop"))
            .shortWrites(probability(c, "short-writes"))
            .streamFaultTimes(c.getInt("stream-fault-times"))
            .seed(c.getLong("seed"));
    if (c.hasPath("fail-arc")) {
      String arc = c.getString("fail-arc");
      String[] ends = arc.split("->");
      if (ends.length != 2) {
        throw new IllegalArgumentException("fail-arc expected \"FROM->TO\", got \"" + arc + "\"");
      }
      p.failArc(
          enumValue(MigrationState.class, "fail-arc", ends[0].trim()),
          enumValue(MigrationState.class, "fail-arc", ends[1].trim()));
    }
    if (c.hasPath("read-error-after")) {
      p.readErrorAfter(c.getBytes("read-error-after"));
    }
    if (c.hasPath("stall-after")) {
      p.stallAfter(c.getBytes("stall-after"));
    }
    if (c.hasPath("corrupt-write-at")) {
      p.corruptWriteAt(c.getBytes("corrupt-write-at"));
    }
    if (c.hasPath("reset-after")) {
      p.resetAfter(c.getBytes("reset-after"));
    }
    DeviceModel inner = create(deviceId, c.getConfig("inner"), role, clock);
    try {
      return new FaultyDevice(inner, p.build());
    } catch (RuntimeException e) {
      inner.close();
      throw e;
    }
  }

  /** Applies defaults and rejects keys that are neither defaulted nor optional. */
  private static Config checked(Config raw, Config defaults, Set<String> optional) {
    Set<String> unknown = new TreeSet<>(raw.root().keySet());
    unknown.remove("type");
    unknown.removeAll(defaults.root().keySet());
    unknown.removeAll(optional);
    if (!unknown.isEmpty()) {
      Set<String> known = new TreeSet<>(defaults.root().keySet());
      known.addAll(optional);
      throw new IllegalArgumentException("unknown keys " + unknown + "; known keys: " + known);
    }
    return raw.withFallback(defaults);
  }

  private static int intBytes(Config c, String key) {
    long v = c.getBytes(key);
    if (v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(key + " must be < 2 GiB, got " + v);
    }
    return (int) v;
  }

  /** A number given as a HOCON number or as a string, decimal or {@code 0x} hex. */
  private static long number(Config c, String key) {
    if (c.getValue(key).valueType() == ConfigValueType.NUMBER) {
      return c.getLong(key);
    }
    String s = c.getString(key).trim().toLowerCase(Locale.ROOT);
    try {
      return s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " expected a number, got \"" + s + "\"", e);
    }
  }

  /** A probability given as a number in [0, 1] or as on/off (1/0). */
  private static double probability(Config c, String key) {
    ConfigValueType type = c.getValue(key).valueType();
    if (type == ConfigValueType.BOOLEAN
        || type == ConfigValueType.STRING
            && Set.of("on", "off", "yes", "no", "true", "false")
                .contains(c.getString(key).trim().toLowerCase(Locale.ROOT))) {
      return c.getBoolean(key) ? 1.0 : 0.0;
    }
    return c.getDouble(key);
  }

  private static <E extends Enum<E>> E enumValue(Class<E> type, String key, String value) {
    String norm = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    try {
      return Enum.valueOf(type, norm);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          key
              + " expected one of "
              + java.util.Arrays.toString(type.getEnumConstants())
              + ", got \""
              + value
              + "\"",
          e);
    }
  }
}

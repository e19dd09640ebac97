package io.ferry.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.ferry.devices.model.faulty.FaultyDevice;
import io.ferry.devices.model.file.FileBackedDevice;
import io.ferry.devices.model.nic.ConfigOnlyDevice;
import io.ferry.devices.model.synthetic.SyntheticDevice;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A device declared on the command line as {@code ID:TYPE[:KEY=VALUE,...]}, turned into the same
 * config object a {@code ferry.devices} entry is ({@code { id, instance, multifd-transfer, model {
 * type, ... } }}). The id may itself contain colons (PCI addresses do): the type is the first
 * colon-separated field, after the first, that names a device type. {@code instance} and {@code
 * multifd-transfer} are device keys; every other key goes into {@code model}, and a dotted key
 * reaches a nested object ({@code inner.type=synthetic} for a faulty device). Values that look like
 * numbers or booleans become those; everything else is a string, which the model's config reader
 * converts ({@code 256MiB}, {@code on}, {@code 0x1af4}). Model keys are checked by the device
 * model itself when the node starts.
 *
 * @param id the device id
 * @param device the device's config object
 */
public record DeviceSpec(String id, Config device) {
  /** Device model types, as {@code model.type} names them. */
  public static final List<String> TYPES = List.of(SyntheticDevice.KIND, ConfigOnlyDevice.KIND,
      FileBackedDevice.KIND, FaultyDevice.KIND);

  private static final Set<String> DEVICE_KEYS = Set.of("instance", "multifd-transfer");
  private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9-]*(\\.[a-z0-9][a-z0-9-]*)*");
  private static final Pattern NUMBER = Pattern.compile("-?[0-9]+(\\.[0-9]+)?");

  /** Parses {@code ID:TYPE[:KEY=VALUE,...]}. */
  public static DeviceSpec parse(String text) {
    String[] fields = text.split(":", -1);
    int typeAt = -1;
    for (int i = 1; i < fields.length && typeAt < 0; i++) {
      if (TYPES.contains(fields[i])) {
        typeAt = i;
      }
    }
    if (typeAt < 0) {
      throw new IllegalArgumentException("expected ID:TYPE[:KEY=VALUE,...] with TYPE one of "
          + String.join(", ", TYPES) + ", got '" + text + "'");
    }
    String id = String.join(":", Arrays.asList(fields).subList(0, typeAt));
    if (id.isBlank()) {
      throw new IllegalArgumentException("device id is empty in '" + text + "'");
    }
    Config device = ConfigFactory.empty()
        .withValue("id", ConfigValueFactory.fromAnyRef(id))
        .withValue("model.type", ConfigValueFactory.fromAnyRef(fields[typeAt]));
    String settings = String.join(":", Arrays.asList(fields).subList(typeAt + 1, fields.length));
    if (!settings.isEmpty()) {
      for (String pair : settings.split(",", -1)) {
        int eq = pair.indexOf('=');
        String key = eq < 0 ? pair.trim() : pair.substring(0, eq).trim();
        if (eq < 0 || !KEY.matcher(key).matches()) {
          throw new IllegalArgumentException("device " + id + ": expected KEY=VALUE, got '" + pair
              + "' in '" + text + "'");
        }
        if (key.equals("id") || key.equals("type") || key.equals("role")) {
          throw new IllegalArgumentException("device " + id + ": '" + key
              + "' cannot be set as a key (write ID:TYPE; the role comes from the node)");
        }
        String path = DEVICE_KEYS.contains(key) ? key : "model." + key;
        device = device.withValue(path, ConfigValueFactory.fromAnyRef(value(key,
            pair.substring(eq + 1).trim())));
      }
    }
    return new DeviceSpec(id, device);
  }

  private static Object value(String key, String v) {
    if (key.equals("multifd-transfer")) {
      return v;
    }
    if (NUMBER.matcher(v).matches()) {
      try {
        return v.contains(".") ? (Object) Double.valueOf(v) : (Object) Long.valueOf(v);
      } catch (NumberFormatException e) {
        return v;
      }
    }
    if (v.equals("true") || v.equals("false")) {
      return Boolean.valueOf(v);
    }
    return v;
  }
}

package io.ferry.it.process;

import java.util.Objects;

/**
 * One entry of a node's {@code ferry.devices} list (docs/cli.md, docs/devices.md): the device id,
 * its optional {@code multifd-transfer} setting and its model as HOCON.
 *
 * @param id the device id (QEMU's idstr), also used in the JSON reports
 * @param multifdTransfer {@code on}, {@code off}, {@code auto}, or null for the default (auto)
 * @param model the body of {@code model { ... }}, e.g. {@code type = synthetic, size = 32 MiB}
 */
public record Device(String id, String multifdTransfer, String model) {
  public Device {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(model, "model");
  }

  /** A synthetic (GPU-like) device: {@code size} bytes generated from {@code seed}. */
  public static Device synthetic(String id, String size, long seed) {
    return new Device(id, null, syntheticModel(size, seed));
  }

  /** The model body of a synthetic device, also usable as a faulty device's inner model. */
  public static String syntheticModel(String size, long seed) {
    return "type = synthetic, size = " + size + ", seed = " + seed;
  }

  /** A config-only (NIC-like) device. */
  public static Device configOnly(String id, int queues, long seed) {
    return new Device(id, null, "type = config-only, queues = " + queues + ", seed = " + seed);
  }

  /**
   * A {@code faulty} device wrapping {@code innerModel} with the given fault keys, e.g. {@code
   * rate-limit = 16 MiB} or {@code fail-arc = "STOP->STOP_COPY"}.
   */
  public static Device faulty(String id, String faults, String innerModel) {
    return new Device(id, null, "type = faulty, " + faults + ", inner { " + innerModel + " }");
  }

  /** This device with {@code multifd-transfer} set. */
  public Device withMultifdTransfer(String mode) {
    return new Device(id, mode, model);
  }

  String hocon() {
    return "{ id = \"" + id + "\""
        + (multifdTransfer == null ? "" : ", multifd-transfer = " + multifdTransfer)
        + ", model { " + model + " } }";
  }
}

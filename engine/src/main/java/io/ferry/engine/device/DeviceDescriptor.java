package io.ferry.engine.device;

import io.ferry.engine.config.MultifdTransfer;
import io.ferry.engine.transport.ControlMessage;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What a node knows about one of its devices without asking it: QEMU's SaveStateEntry identity
 * (idstr, instance id) plus the device kind and its multifd-transfer setting.
 */
public record DeviceDescriptor(
    String deviceId, int instanceId, String kind, MultifdTransfer multifdTransfer)
    implements ControlMessage {
  public DeviceDescriptor {
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(multifdTransfer, "multifdTransfer");
    int len = deviceId.getBytes(StandardCharsets.UTF_8).length;
    if (len < 1 || len > 255 || deviceId.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(
          "deviceId: expected 1..255 UTF-8 bytes without NUL, got " + len + " bytes");
    }
    if (instanceId < 0) {
      throw new IllegalArgumentException("instanceId: expected >= 0, got " + instanceId);
    }
  }
}

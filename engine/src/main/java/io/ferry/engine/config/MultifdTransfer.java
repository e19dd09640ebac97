package io.ferry.engine.config;

import java.util.Locale;

/**
 * Per-device multifd transfer setting, QEMU's {@code x-migration-multifd-transfer} (OnOffAuto).
 *
 * <p>Resolved once at setup on each side from that side's own configuration and then frozen for the
 * migration. Both sides must resolve to the same value; a mismatch fails setup.
 */
public enum MultifdTransfer {
  ON,
  OFF,
  AUTO;

  public static MultifdTransfer parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "multifd-transfer: expected on, off or auto, got '" + value + "'", e);
    }
  }

  /**
   * Resolves this setting against a configuration.
   *
   * @return true for multifd, false for the legacy main-channel path
   * @throws IllegalStateException for ON when the configuration does not support multifd
   */
  public boolean resolve(MigrationParameters params, String deviceId) {
    boolean supported = params.multifdDeviceStateSupported();
    return switch (this) {
      case AUTO -> supported;
      case OFF -> false;
      case ON -> {
        if (!supported) {
          throw new IllegalStateException(
              deviceId
                  + ": multifd device transfer requested but unsupported in the current config ("
                  + params.multifdSupportSummary()
                  + ")");
        }
        yield true;
      }
    };
  }
}

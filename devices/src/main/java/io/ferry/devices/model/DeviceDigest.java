package io.ferry.devices.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a device reports about its state so that a source and a destination can be compared: the
 * digest of the device state (algorithm named, hex), the number of state bytes and the digest of
 * the config blob. The source reports it at stop, the destination after load; two devices hold the
 * same state only if all four fields are equal ({@link #matches}).
 *
 * @param algorithm the digest algorithm, e.g. {@code sha-256} or {@code ferry-synth-v1}
 * @param stateDigest the state digest in lower-case hex
 * @param stateBytes the size of the device state in bytes
 * @param configDigest the config blob digest in lower-case hex, or {@link #NO_CONFIG}
 */
public record DeviceDigest(
    String algorithm, String stateDigest, long stateBytes, String configDigest) {

  /** The config digest of a device that holds no config blob (a destination before load). */
  public static final String NO_CONFIG = "none";

  public DeviceDigest {
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(stateDigest, "stateDigest");
    Objects.requireNonNull(configDigest, "configDigest");
    if (stateBytes < 0) {
      throw new IllegalArgumentException("stateBytes must be >= 0, got " + stateBytes);
    }
  }

  /** True only if algorithm, state digest, byte count and config digest are all equal. */
  public boolean matches(DeviceDigest other) {
    return other != null && equals(other);
  }

  /**
   * The fields that differ, as {@code field expected X, got Y} with this digest as the expected
   * side; empty if they match.
   */
  public String describeMismatch(DeviceDigest actual) {
    if (actual == null) {
      return "no digest";
    }
    List<String> diffs = new ArrayList<>();
    if (!algorithm.equals(actual.algorithm)) {
      diffs.add("algorithm expected " + algorithm + ", got " + actual.algorithm);
    }
    if (!stateDigest.equals(actual.stateDigest)) {
      diffs.add("state digest expected " + stateDigest + ", got " + actual.stateDigest);
    }
    if (stateBytes != actual.stateBytes) {
      diffs.add("state bytes expected " + stateBytes + ", got " + actual.stateBytes);
    }
    if (!configDigest.equals(actual.configDigest)) {
      diffs.add("config digest expected " + configDigest + ", got " + actual.configDigest);
    }
    return String.join("; ", diffs);
  }
}

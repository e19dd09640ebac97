package io.ferry.engine.device;

import io.ferry.engine.transport.ControlMessage;
import java.util.Objects;

/**
 * A device's state digest as the engine carries it between nodes: the source's digest taken when the
 * device stopped and the destination's after load. Two devices are equal only if every field is.
 */
public record StateDigest(
    String algorithm, String stateDigest, long stateBytes, String configDigest)
    implements ControlMessage {
  public StateDigest {
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(stateDigest, "stateDigest");
    Objects.requireNonNull(configDigest, "configDigest");
    if (stateBytes < 0) {
      throw new IllegalArgumentException("stateBytes: expected >= 0, got " + stateBytes);
    }
  }

  /** Describes the first field that differs, or null when equal. */
  public String mismatch(StateDigest other) {
    if (!algorithm.equals(other.algorithm)) {
      return "algorithm expected " + algorithm + ", got " + other.algorithm;
    }
    if (stateBytes != other.stateBytes) {
      return "state bytes expected " + stateBytes + ", got " + other.stateBytes;
    }
    if (!stateDigest.equals(other.stateDigest)) {
      return "state digest expected " + stateDigest + ", got " + other.stateDigest;
    }
    if (!configDigest.equals(other.configDigest)) {
      return "config digest expected " + configDigest + ", got " + other.configDigest;
    }
    return null;
  }

  @Override
  public String toString() {
    return algorithm + ":" + stateDigest + "/" + stateBytes + "B/config:" + configDigest;
  }
}

package io.ferry.protocol;

import static io.ferry.protocol.testing.ProtocolAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ProtocolLimitsTest {

  @Test
  void defaultAllowsAOneMebibyteChunkWithSlackAndA256ByteToken() {
    assertEquals(1024 * 1024 + 4096, ProtocolLimits.DEFAULT.maxFramePayload());
    assertEquals(256, ProtocolLimits.DEFAULT.maxAuthToken());
    assertEquals(1024 * 1024 + 4096 + 269, ProtocolLimits.DEFAULT.maxMainFrameLength());
  }

  @Test
  void payloadLimitMustBePositiveAndAtMostTheCeiling() {
    assertRejected(
        "ProtocolLimits", "maxFramePayload", "1..1073741824", "0", () -> new ProtocolLimits(0, 0));
    assertRejected(
        "ProtocolLimits",
        "maxFramePayload",
        "1..1073741824",
        "1073741825",
        () -> new ProtocolLimits((1 << 30) + 1, 0));
  }

  @Test
  void tokenLimitMustFitTheU16LengthField() {
    assertRejected(
        "ProtocolLimits", "maxAuthToken", "0..65535", "65536", () -> new ProtocolLimits(1, 65536));
    assertRejected(
        "ProtocolLimits", "maxAuthToken", "0..65535", "-1", () -> new ProtocolLimits(1, -1));
  }
}

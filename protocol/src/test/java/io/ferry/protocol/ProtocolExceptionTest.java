package io.ferry.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class ProtocolExceptionTest {

  @Test
  void messageNamesRecordFieldExpectedAndActual() {
    ProtocolException e = new ProtocolException("ChannelHello", "magic", "0x46525259", "0x0");
    assertEquals("ChannelHello.magic: expected 0x46525259, got 0x0", e.getMessage());
    assertEquals("ChannelHello", e.record());
    assertEquals("magic", e.field());
    assertEquals("0x46525259", e.expected());
    assertEquals("0x0", e.actual());
    assertNull(e.context());
  }

  @Test
  void contextIsAppendedInParentheses() {
    ProtocolException e =
        new ProtocolException("DeviceStateChunk", "index", "0..4294967294", "4294967295", "dev");
    assertEquals(
        "DeviceStateChunk.index: expected 0..4294967294, got 4294967295 (dev)", e.getMessage());
  }

  @Test
  void withContextAddsToExistingContextAndKeepsTheStackTrace() {
    ProtocolException e = new ProtocolException("R", "f", "1", "2", "device \"a\"");
    ProtocolException wider = e.withContext("stream offset 7");
    assertEquals("R.f: expected 1, got 2 (device \"a\"; stream offset 7)", wider.getMessage());
    assertEquals("device \"a\"; stream offset 7", wider.context());
    assertArrayEquals(e.getStackTrace(), wider.getStackTrace());
    assertSame(e, e.withContext(""));
  }

  @Test
  void emptyContextMeansNone() {
    assertEquals("R.f: expected 1, got 2", new ProtocolException("R", "f", "1", "2", "").getMessage());
  }
}

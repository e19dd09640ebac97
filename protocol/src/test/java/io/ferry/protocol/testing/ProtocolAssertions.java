package io.ferry.protocol.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.protocol.ProtocolException;
import org.junit.jupiter.api.function.Executable;

/** Asserts that a call fails with a {@link ProtocolException} naming what was wrong. */
public final class ProtocolAssertions {

  private ProtocolAssertions() {}

  /**
   * Runs {@code call} and checks record, field, expected and actual of the exception, and that the
   * message spells them out as {@code "record.field: expected X, got Y"}.
   */
  public static ProtocolException assertRejected(
      String record, String field, String expected, String actual, Executable call) {
    ProtocolException e = assertThrows(ProtocolException.class, call);
    assertEquals(record, e.record(), () -> "record of: " + e.getMessage());
    assertEquals(field, e.field(), () -> "field of: " + e.getMessage());
    assertEquals(expected, e.expected(), () -> "expected of: " + e.getMessage());
    assertEquals(actual, e.actual(), () -> "actual of: " + e.getMessage());
    String head = record + "." + field + ": expected " + expected + ", got " + actual;
    assertTrue(e.getMessage().startsWith(head), () -> e.getMessage() + " should start " + head);
    return e;
  }

  /** As {@link #assertRejected} and also checks the context contains {@code contextPart}. */
  public static ProtocolException assertRejected(
      String record,
      String field,
      String expected,
      String actual,
      String contextPart,
      Executable call) {
    ProtocolException e = assertRejected(record, field, expected, actual, call);
    assertTrue(
        e.context() != null && e.context().contains(contextPart),
        () -> "context of " + e.getMessage() + " should contain " + contextPart);
    assertTrue(e.getMessage().contains(contextPart));
    return e;
  }
}

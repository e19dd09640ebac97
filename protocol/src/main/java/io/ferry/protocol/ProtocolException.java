package io.ferry.protocol;

import java.util.Objects;

/**
 * A byte stream or a record that breaks the Ferry wire format.
 *
 * <p>Thrown in two situations, with the same shape so that logs read alike:
 *
 * <ul>
 *   <li>decoding hostile or corrupt bytes (the receiver treats every stream as hostile, as QEMU's
 *       {@code docs/devel/migration/main.rst} asks), and
 *   <li>building a record the wire cannot carry (a compact constructor rejects it), so a bad
 *       record never reaches an encoder.
 * </ul>
 *
 * <p>The message is always {@code "<record>.<field>: expected <expected>, got <actual>"}, followed
 * by {@code " (<context>)"} when something locates the problem (device id, chunk index, channel,
 * stream offset). Each part is also available on its own so that callers (the engine's {@code
 * HelloReply} mapping, tests) never parse the message.
 *
 * <p>It replaces the {@code CorruptStreamException} of the house style: one exception type for
 * every wire problem.
 */
public final class ProtocolException extends RuntimeException {

  private final String record;
  private final String field;
  private final String expected;
  private final String actual;
  private final String context;

  /** A wire problem without extra context. */
  public ProtocolException(String record, String field, String expected, String actual) {
    this(record, field, expected, actual, null);
  }

  /**
   * A wire problem located by {@code context}, for example {@code device "0000:00:03.0/vfio",
   * index 5}; {@code null} or empty means none.
   */
  public ProtocolException(
      String record, String field, String expected, String actual, String context) {
    super(format(record, field, expected, actual, context));
    this.record = Objects.requireNonNull(record, "record");
    this.field = Objects.requireNonNull(field, "field");
    this.expected = Objects.requireNonNull(expected, "expected");
    this.actual = Objects.requireNonNull(actual, "actual");
    this.context = context == null || context.isEmpty() ? null : context;
  }

  private static String format(
      String record, String field, String expected, String actual, String context) {
    String base = record + "." + field + ": expected " + expected + ", got " + actual;
    return context == null || context.isEmpty() ? base : base + " (" + context + ")";
  }

  /** The record (or frame, or channel) whose rule was broken, e.g. {@code "ChannelHello"}. */
  public String record() {
    return record;
  }

  /** The field whose rule was broken, e.g. {@code "magic"}. */
  public String field() {
    return field;
  }

  /** What the rule allows, e.g. {@code "0x46525259"}. */
  public String expected() {
    return expected;
  }

  /** What was found, e.g. {@code "0x51455649"}. */
  public String actual() {
    return actual;
  }

  /** Where it happened, or {@code null}. */
  public String context() {
    return context;
  }

  /**
   * The same problem with {@code more} appended to the context (joined with {@code "; "}). The
   * stack trace of this exception is kept, so the frame that detected the problem stays visible.
   */
  public ProtocolException withContext(String more) {
    if (more == null || more.isEmpty()) {
      return this;
    }
    ProtocolException wider =
        new ProtocolException(
            record, field, expected, actual, context == null ? more : context + "; " + more);
    wider.setStackTrace(getStackTrace());
    return wider;
  }
}

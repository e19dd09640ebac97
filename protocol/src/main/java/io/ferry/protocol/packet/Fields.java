package io.ferry.protocol.packet;

import akka.util.ByteString;
import io.ferry.protocol.ProtocolException;
import java.util.Objects;

/** Range checks shared by the compact constructors; each names record and field. */
final class Fields {

  private Fields() {}

  static int range(String record, String field, int value, int min, int max) {
    if (value < min || value > max) {
      throw new ProtocolException(record, field, min + ".." + max, Integer.toString(value));
    }
    return value;
  }

  static long range(String record, String field, long value, long min, long max) {
    if (value < min || value > max) {
      throw new ProtocolException(record, field, min + ".." + max, Long.toString(value));
    }
    return value;
  }

  static int nonNegative(String record, String field, int value) {
    return range(record, field, value, 0, Integer.MAX_VALUE);
  }

  static long nonNegative(String record, String field, long value) {
    return range(record, field, value, 0, Long.MAX_VALUE);
  }

  static ByteString bytes(String record, String field, ByteString value) {
    return Objects.requireNonNull(value, record + "." + field);
  }

  static String size(ByteString bytes) {
    return bytes.size() + " bytes";
  }
}

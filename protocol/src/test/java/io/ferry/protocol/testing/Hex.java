package io.ferry.protocol.testing;

import akka.util.ByteString;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Hex text ⇄ bytes, and the golden fixtures under {@code src/test/resources/golden}. */
public final class Hex {

  private Hex() {}

  /** Bytes of hex text; whitespace is ignored and {@code #} comments run to the end of the line. */
  public static ByteString parse(String text) {
    String digits = text.replaceAll("#[^\\n]*", "").replaceAll("\\s", "");
    if (digits.length() % 2 != 0) {
      throw new IllegalArgumentException("odd number of hex digits: " + digits.length());
    }
    byte[] bytes = new byte[digits.length() / 2];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16);
    }
    return ByteString.fromArrayUnsafe(bytes);
  }

  /** Lower-case hex without separators. */
  public static String format(ByteString bytes) {
    StringBuilder out = new StringBuilder(bytes.size() * 2);
    for (int i = 0; i < bytes.size(); i++) {
      out.append(String.format("%02x", bytes.apply(i) & 0xFF));
    }
    return out.toString();
  }

  /** The fixture {@code golden/<name>.hex}. */
  public static ByteString golden(String name) {
    String path = "/golden/" + name + ".hex";
    try (InputStream in = Hex.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + path);
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

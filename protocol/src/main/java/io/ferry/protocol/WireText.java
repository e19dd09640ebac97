package io.ferry.protocol;

import akka.util.ByteString;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * UTF-8 text on the wire: device ids and reasons. Shared by the records' compact constructors
 * (which reject text the wire cannot carry) and the decoders (which reject bytes that are not such
 * text), so both sides apply one rule.
 *
 * <p>Device ids follow QEMU's idstr: 1..{@value WireFormat#MAX_DEVICE_ID_BYTES} bytes of UTF-8 with
 * no NUL (QEMU's 256-byte field needs a terminating NUL; Ferry sends the length instead).
 */
public final class WireText {

  private WireText() {}

  /** What a device id must be, as it appears in error messages. */
  public static final String DEVICE_ID_RULE =
      "1.." + WireFormat.MAX_DEVICE_ID_BYTES + " UTF-8 bytes without NUL";

  /**
   * The UTF-8 bytes of {@code deviceId} after checking it is 1..255 bytes, has no NUL and no
   * unpaired surrogate.
   *
   * @param record the record being built, for the error message
   */
  public static byte[] deviceIdBytes(String record, String deviceId) {
    Objects.requireNonNull(deviceId, record + ".deviceId");
    if (deviceId.indexOf('\0') >= 0) {
      throw new ProtocolException(
          record, "deviceId", DEVICE_ID_RULE, "NUL at char " + deviceId.indexOf('\0'));
    }
    byte[] bytes = utf8(record, "deviceId", deviceId);
    if (bytes.length < 1 || bytes.length > WireFormat.MAX_DEVICE_ID_BYTES) {
      throw new ProtocolException(record, "deviceId", DEVICE_ID_RULE, bytes.length + " bytes");
    }
    return bytes;
  }

  /** The UTF-8 bytes of {@code text} after checking it has at most {@code maxBytes} of them. */
  public static byte[] boundedUtf8(String record, String field, String text, int maxBytes) {
    Objects.requireNonNull(text, record + "." + field);
    byte[] bytes = utf8(record, field, text);
    if (bytes.length > maxBytes) {
      throw new ProtocolException(
          record, field, "at most " + maxBytes + " UTF-8 bytes", bytes.length + " bytes");
    }
    return bytes;
  }

  /**
   * Decodes a device id received on the wire; the caller has already bounded its length by the u8
   * idLen field and checked it is not empty.
   */
  public static String decodeDeviceId(String record, ByteString bytes) {
    int nul = bytes.indexOf((byte) 0);
    if (nul >= 0) {
      throw new ProtocolException(
          record, "deviceId", DEVICE_ID_RULE, "NUL at byte " + nul + " in " + hex(bytes));
    }
    return decodeUtf8(record, "deviceId", bytes);
  }

  /** Decodes strict UTF-8: malformed or truncated sequences are a {@link ProtocolException}. */
  public static String decodeUtf8(String record, String field, ByteString bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes.asByteBuffer())
          .toString();
    } catch (CharacterCodingException e) {
      throw new ProtocolException(record, field, "valid UTF-8", hex(bytes));
    }
  }

  private static byte[] utf8(String record, String field, String text) {
    try {
      ByteBuffer encoded =
          StandardCharsets.UTF_8
              .newEncoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .encode(CharBuffer.wrap(text));
      byte[] bytes = new byte[encoded.remaining()];
      encoded.get(bytes);
      return bytes;
    } catch (CharacterCodingException e) {
      throw new ProtocolException(
          record, field, "well-formed text", "unpaired surrogate in " + quoted(text));
    }
  }

  /** {@code "text"} with non-printable characters escaped, for error messages. */
  public static String quoted(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7F || Character.isSurrogate(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  /** Lower-case hex of at most the first 64 bytes, for error messages. */
  public static String hex(ByteString bytes) {
    int shown = Math.min(bytes.size(), 64);
    StringBuilder out = new StringBuilder(shown * 2 + 16);
    for (int i = 0; i < shown; i++) {
      out.append(Character.forDigit((bytes.apply(i) >> 4) & 0xF, 16))
          .append(Character.forDigit(bytes.apply(i) & 0xF, 16));
    }
    if (shown < bytes.size()) {
      out.append("...(").append(bytes.size()).append(" bytes)");
    }
    return "0x" + out;
  }
}

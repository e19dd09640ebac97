package io.ferry.devices.model.framing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Small byte helpers shared by the models: little-endian views, hex, SHA-256, mixing. */
public final class Bytes {
  private static final HexFormat HEX = HexFormat.of();

  private Bytes() {}

  /** A little-endian buffer over {@code bytes}. */
  public static ByteBuffer le(byte[] bytes) {
    return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Lower-case hex of {@code bytes}. */
  public static String hex(byte[] bytes) {
    return HEX.formatHex(bytes);
  }

  /** {@code 0x}-prefixed hex of a 64-bit value, 16 digits. */
  public static String hex64(long v) {
    return "0x" + HEX.toHexDigits(v);
  }

  /** {@code 0x}-prefixed hex of a 32-bit value, 8 digits. */
  public static String hex32(int v) {
    return "0x" + HEX.toHexDigits(v);
  }

  /** 32 hex digits of a 128-bit value given as (hi, lo). */
  public static String hex128(long hi, long lo) {
    return HEX.toHexDigits(hi) + HEX.toHexDigits(lo);
  }

  /** A fresh SHA-256 digest. */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK must provide SHA-256", e);
    }
  }

  /** SHA-256 of {@code bytes} in hex. */
  public static String sha256Hex(byte[] bytes) {
    return hex(sha256().digest(bytes));
  }

  /** The SplitMix64 finaliser (Stafford variant 13): a bijective 64-bit mix. */
  public static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** Packs up to 8 ASCII characters into a little-endian 64-bit magic. */
  public static long magic(String ascii) {
    if (ascii.length() > 8) {
      throw new IllegalArgumentException("magic longer than 8 characters: " + ascii);
    }
    long v = 0;
    for (int i = 0; i < ascii.length(); i++) {
      v |= (long) (ascii.charAt(i) & 0xff) << (8 * i);
    }
    return v;
  }

  /** Packs up to 4 ASCII characters into a little-endian 32-bit tag. */
  public static int tag(String ascii) {
    if (ascii.length() > 4) {
      throw new IllegalArgumentException("tag longer than 4 characters: " + ascii);
    }
    return (int) magic(ascii);
  }

  /** Renders a little-endian magic or tag as its ASCII text if printable, else hex. */
  public static String ascii(long v, int width) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < width; i++) {
      int c = (int) (v >>> (8 * i)) & 0xff;
      if (c < 0x20 || c > 0x7e) {
        return width == 8 ? hex64(v) : hex32((int) v);
      }
      sb.append((char) c);
    }
    return "'" + sb + "'";
  }
}

package io.ferry.devices.model.framing;

/**
 * The stream of the blob-shaped models (config-only, file): one header, an opaque body, one
 * trailer; all little-endian.
 *
 * <pre>
 * Header (128 B)
 *   off size field
 *     0    8 magic (per model: "FRYNICST" config-only, "FRYFILE1" file)
 *     8    2 format version = 1
 *    10    2 header length = 128
 *    12    4 flags, zero
 *    16    8 body length in bytes
 *    24   32 SHA-256 of the body (the source's own state, computed before streaming)
 *    56   72 model-specific compatibility fields, zero-padded
 *
 * Body (body length bytes)
 *
 * Trailer (24 B)
 *     0    4 tag "TRLR"
 *     4    4 payload length = 16
 *     8    8 body bytes streamed
 *    16    4 CRC32C of all stream bytes before this field
 *    20    4 reserved, zero
 * </pre>
 */
public final class FramedFormat {
  public static final int FORMAT_VERSION = 1;
  public static final int HEADER_BYTES = 128;
  public static final int TRAILER_BYTES = 24;
  public static final int TRAILER_CRC_OFFSET = 16;
  public static final int SHA_OFFSET = 24;
  public static final int SHA_BYTES = 32;

  /** First byte of the model-specific area of the header. */
  public static final int MODEL_OFFSET = 56;

  public static final int TAG_TRAILER = Bytes.tag("TRLR");

  private FramedFormat() {}

  /** A header with the common fields filled; the model writes its own fields from 56 on. */
  public static byte[] header(long magic, long bodyLength, byte[] bodySha256) {
    if (bodySha256.length != SHA_BYTES) {
      throw new IllegalArgumentException("SHA-256 must be 32 bytes, got " + bodySha256.length);
    }
    byte[] h = new byte[HEADER_BYTES];
    var b = Bytes.le(h);
    b.putLong(0, magic);
    b.putShort(8, (short) FORMAT_VERSION);
    b.putShort(10, (short) HEADER_BYTES);
    b.putInt(12, 0);
    b.putLong(16, bodyLength);
    System.arraycopy(bodySha256, 0, h, SHA_OFFSET, SHA_BYTES);
    return h;
  }
}

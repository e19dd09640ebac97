package io.ferry.devices.model.synthetic;

import io.ferry.devices.model.framing.Bytes;

/**
 * The synthetic device's migration stream and config blob, all little-endian. The receiver treats
 * every field as hostile.
 *
 * <pre>
 * Header (64 B, once per session)
 *   off size field
 *     0    8 magic "FRYSYNTH"
 *     8    2 format version = 1
 *    10    2 header length = 64
 *    12    4 flags: bit 0 = session opened in PRE_COPY
 *    16    4 page size
 *    20    4 page count
 *    24    8 state size in bytes
 *    32    8 seed (content of every page derives from it)
 *    40    4 generator id = 1 (xorshift64 x4, rotate-xor page hash)
 *    44   20 reserved, zero
 *
 * Page record (24 B + page length; a page may appear several times, the last one wins)
 *     0    4 tag "PAGE"
 *     4    4 payload length (= length of that page)
 *     8    8 page index
 *    16    4 page version (strictly increasing per page within a stream)
 *    20    4 reserved, zero
 *    24    n page content
 *
 * Trailer (64 B, ends STOP_COPY data)
 *     0    4 tag "TRLR"
 *     4    4 payload length = 56
 *     8    8 page count
 *    16    8 state bytes
 *    24    8 records in this stream
 *    32    8 stream bytes before the trailer
 *    40    8 state digest, low 64 bits
 *    48    8 state digest, high 64 bits
 *    56    4 CRC32C of all stream bytes before this field
 *    60    4 reserved, zero
 *
 * Config blob (config-size bytes, default 4 KiB)
 *     0    8 magic "FRYSYCFG"
 *     8    4 format version = 1
 *    12    4 blob length
 *    16    8 seed
 *    24    8 state size
 *    32    4 page size
 *    36    4 reserved, zero
 *    40    n deterministic bytes (page content of page -1, version 0)
 * </pre>
 */
public final class SyntheticFormat {
  public static final long MAGIC = Bytes.magic("FRYSYNTH");
  public static final long CONFIG_MAGIC = Bytes.magic("FRYSYCFG");
  public static final int FORMAT_VERSION = 1;
  public static final int GENERATOR_ID = 1;
  public static final int HEADER_BYTES = 64;
  public static final int RECORD_HEADER_BYTES = 24;

  /** The part of a record header that tells its kind and length. */
  public static final int RECORD_PREFIX_BYTES = 8;

  public static final int TRAILER_BYTES = 64;

  /** Offset of the CRC32C field in the trailer. */
  public static final int TRAILER_CRC_OFFSET = 56;

  public static final int TAG_PAGE = Bytes.tag("PAGE");
  public static final int TAG_TRAILER = Bytes.tag("TRLR");
  public static final int FLAG_PRECOPY = 1;
  public static final int CONFIG_HEADER_BYTES = 40;

  /** The digest algorithm name reported in {@link io.ferry.devices.model.DeviceDigest}. */
  public static final String DIGEST_ALGORITHM = "ferry-synth-v1";

  private SyntheticFormat() {}
}

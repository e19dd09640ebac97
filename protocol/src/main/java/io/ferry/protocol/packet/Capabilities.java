package io.ferry.protocol.packet;

import java.util.StringJoiner;

/**
 * Bits of {@link ChannelHello#capabilities()}. The codec carries the set unchanged and does not
 * interpret it: the destination's engine compares it with what it supports and answers {@link
 * HelloStatus#CAPABILITY_MISMATCH} if it cannot serve it. Every bit not named here is reserved:
 * a version-1 source sends it as 0.
 *
 * <p>Wire format version 1 always carries the CRC32C and the per-channel sequence, so a version-1
 * source sets {@link #SUPPORTED} to say so explicitly; the bits exist so that a later version can
 * make those features optional without a new handshake layout.
 */
public final class Capabilities {

  private Capabilities() {}

  /** Every DeviceStatePacket carries a CRC32C of its payload, checked on receipt. */
  public static final long CRC32C = 1L << 0;

  /** DeviceStatePackets carry a per-channel sequence, and a gap fails the channel. */
  public static final long CHANNEL_SEQUENCE = 1L << 1;

  /** Every capability this version knows. */
  public static final long SUPPORTED = CRC32C | CHANNEL_SEQUENCE;

  /** The bits of {@code capabilities} this version does not know (reserved bits that are set). */
  public static long unsupported(long capabilities) {
    return capabilities & ~SUPPORTED;
  }

  /** A readable form for logs, e.g. {@code "CRC32C|CHANNEL_SEQUENCE|0x10"}. */
  public static String describe(long capabilities) {
    StringJoiner out = new StringJoiner("|");
    if ((capabilities & CRC32C) != 0) {
      out.add("CRC32C");
    }
    if ((capabilities & CHANNEL_SEQUENCE) != 0) {
      out.add("CHANNEL_SEQUENCE");
    }
    long rest = unsupported(capabilities);
    if (rest != 0) {
      out.add("0x" + Long.toHexString(rest));
    }
    return out.length() == 0 ? "none" : out.toString();
  }
}

package io.ferry.protocol.packet;

import akka.util.ByteString;
import io.ferry.protocol.ProtocolException;
import io.ferry.protocol.WireFormat;
import java.util.Objects;
import java.util.UUID;

/**
 * The first bytes a source sends on every TCP connection, main or multifd: which migration the
 * connection belongs to, what it carries and which of the channels it is. The counterpart of QEMU's
 * 64-byte {@code MultiFDInit_t}, extended to the main channel and with a migration id, a channel
 * count, capabilities and an auth token. The destination answers with {@link HelloReply}.
 *
 * <p>The codec checks only what is wrong in itself (magic, version, role, reserved byte, index &lt;
 * count, token length). Whether the migration id is known, the index is free and the token is
 * valid is the destination engine's decision.
 *
 * @param version the handshake version, {@link WireFormat#VERSION} for this code (0..65535 may be
 *     built, so that a test can send another; the decoder accepts only {@link WireFormat#VERSION})
 * @param migrationId identifies the migration; the destination rejects unknown ids
 * @param role what the connection carries
 * @param channelIndex which channel of its role this is, 0 .. channelCount-1
 * @param channelCount how many channels of this role the source opens, 1..255
 * @param capabilities see {@link Capabilities}
 * @param authToken opaque credential, at most 65535 bytes (the codec applies the tighter {@code
 *     ProtocolLimits.maxAuthToken}); never printed by {@link #toString()}
 */
public record ChannelHello(
    int version,
    UUID migrationId,
    ChannelRole role,
    int channelIndex,
    int channelCount,
    long capabilities,
    ByteString authToken)
    implements Packet {

  private static final String RECORD = "ChannelHello";

  public ChannelHello {
    Fields.range(RECORD, "version", version, 0, WireFormat.U16_MAX);
    Objects.requireNonNull(migrationId, "ChannelHello.migrationId");
    Objects.requireNonNull(role, "ChannelHello.role");
    Fields.range(RECORD, "channelCount", channelCount, 1, WireFormat.MAX_CHANNEL_COUNT);
    if (channelIndex < 0 || channelIndex >= channelCount) {
      throw new ProtocolException(
          RECORD,
          "channelIndex",
          "0.." + (channelCount - 1) + " (< channelCount " + channelCount + ")",
          Integer.toString(channelIndex));
    }
    Fields.bytes(RECORD, "authToken", authToken);
    if (authToken.size() > WireFormat.U16_MAX) {
      throw new ProtocolException(
          RECORD, "authToken", "at most " + WireFormat.U16_MAX + " bytes", Fields.size(authToken));
    }
  }

  /** A hello of the current {@link WireFormat#VERSION}. */
  public static ChannelHello of(
      UUID migrationId,
      ChannelRole role,
      int channelIndex,
      int channelCount,
      long capabilities,
      ByteString authToken) {
    return new ChannelHello(
        WireFormat.VERSION,
        migrationId,
        role,
        channelIndex,
        channelCount,
        capabilities,
        authToken);
  }

  @Override
  public String toString() {
    return "ChannelHello[version="
        + version
        + ", migrationId="
        + migrationId
        + ", role="
        + role
        + ", channel="
        + channelIndex
        + "/"
        + channelCount
        + ", capabilities="
        + Capabilities.describe(capabilities)
        + ", authToken=<"
        + authToken.size()
        + " bytes>]";
  }
}

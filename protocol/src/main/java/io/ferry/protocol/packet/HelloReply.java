package io.ferry.protocol.packet;

import io.ferry.protocol.WireFormat;
import io.ferry.protocol.WireText;
import java.util.Objects;

/**
 * The destination's answer to a {@link ChannelHello}, the first bytes it sends back on the
 * connection. On {@link HelloStatus#ACCEPTED} the source starts sending records; on anything else
 * the destination closes the connection after the reply, and the source reports {@code reason}.
 *
 * @param status the verdict
 * @param reason a human-readable explanation, at most {@value WireFormat#MAX_REASON_BYTES} UTF-8
 *     bytes; may be empty
 */
public record HelloReply(HelloStatus status, String reason) implements Packet {

  public HelloReply {
    Objects.requireNonNull(status, "HelloReply.status");
    WireText.boundedUtf8("HelloReply", "reason", reason, WireFormat.MAX_REASON_BYTES);
  }

  /** {@link HelloStatus#ACCEPTED} with an empty reason. */
  public static HelloReply accepted() {
    return new HelloReply(HelloStatus.ACCEPTED, "");
  }

  /**
   * A rejection.
   *
   * @throws IllegalArgumentException if {@code status} is {@link HelloStatus#ACCEPTED}
   */
  public static HelloReply rejected(HelloStatus status, String reason) {
    if (status == HelloStatus.ACCEPTED) {
      throw new IllegalArgumentException("HelloReply.rejected needs a status other than ACCEPTED");
    }
    return new HelloReply(status, reason);
  }

  /** Whether the channel was accepted. */
  public boolean isAccepted() {
    return status == HelloStatus.ACCEPTED;
  }
}

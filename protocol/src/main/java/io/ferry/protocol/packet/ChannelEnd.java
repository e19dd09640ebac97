package io.ferry.protocol.packet;

/**
 * The clean end of a multifd channel: the source will send nothing more on it. QEMU ends a multifd
 * channel by closing it, which the destination cannot tell apart from a connection lost between two
 * packets; Ferry says so explicitly and says how many packets there were.
 *
 * @param packetCount the number of {@link DeviceStatePacket}s sent on this channel, which is also
 *     the sequence the next one would have had
 */
public record ChannelEnd(long packetCount) implements MultifdPacket {

  public ChannelEnd {
    Fields.nonNegative("ChannelEnd", "packetCount", packetCount);
  }
}

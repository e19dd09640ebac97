package io.ferry.protocol.packet;

/**
 * A packet of a multifd channel: device state, then a clean end. Unlike QEMU's multifd packets they
 * carry no magic (the channel's {@link ChannelHello} has it) but do carry a per-channel sequence and
 * a CRC32C; see {@code WireFormat}.
 */
public sealed interface MultifdPacket extends Packet permits DeviceStatePacket, ChannelEnd {}

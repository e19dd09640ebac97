package io.ferry.protocol.packet;

/**
 * Anything {@code PacketCodec} can put on the wire.
 *
 * <p>Which packets may appear where:
 *
 * <pre>
 * source → destination, main channel:     ChannelHello(MAIN)    MainRecord*      EndOfStream
 * source → destination, multifd channel:  ChannelHello(MULTIFD) DeviceStatePacket* ChannelEnd
 * destination → source, either channel:   HelloReply
 * </pre>
 */
public sealed interface Packet permits ChannelHello, HelloReply, MainRecord, MultifdPacket {}

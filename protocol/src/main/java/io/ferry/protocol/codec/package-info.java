/**
 * Bytes ⇄ packets. {@link io.ferry.protocol.codec.PacketCodec} holds the pure per-record encoders
 * and frame decoders, {@link io.ferry.protocol.codec.DeviceStateChunkCodec} the VFIO payload
 * format, {@link io.ferry.protocol.codec.ChannelGrammar} the packet order of a channel, {@link
 * io.ferry.protocol.codec.ChannelDecoder} the incremental, non-copying decoder of one channel
 * direction, and {@link io.ferry.protocol.codec.PacketCodecFlow} the Akka Streams blueprints built
 * from them.
 */
package io.ferry.protocol.codec;

/**
 * The records that travel on Ferry's wire: the channel handshake ({@link
 * io.ferry.protocol.packet.ChannelHello}, {@link io.ferry.protocol.packet.HelloReply}), main-channel
 * records ({@link io.ferry.protocol.packet.MainRecord}, mirroring QEMU's QEMUFile sections and
 * commands), multifd packets ({@link io.ferry.protocol.packet.MultifdPacket}) and the device-state
 * chunk a VFIO device puts inside a multifd packet ({@link
 * io.ferry.protocol.packet.DeviceStateChunk}).
 *
 * <p>Every record validates in its compact constructor and throws {@link
 * io.ferry.protocol.ProtocolException} naming the field, so a record that exists can always be
 * encoded. Payloads are {@link akka.util.ByteString}s and are never copied by the records; {@code
 * toString()} prints payload sizes, never payload bytes or auth tokens.
 */
package io.ferry.protocol.packet;

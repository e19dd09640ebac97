/**
 * Ferry's wire format: constants ({@link io.ferry.protocol.WireFormat}), limits ({@link
 * io.ferry.protocol.ProtocolLimits}) and the one exception for every wire problem ({@link
 * io.ferry.protocol.ProtocolException}). This module has no actors: it depends only on the JDK,
 * {@code akka-actor} for {@code ByteString} and {@code akka-stream} for the codec stages.
 */
package io.ferry.protocol;

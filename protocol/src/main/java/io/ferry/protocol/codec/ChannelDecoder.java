package io.ferry.protocol.codec;

import akka.util.ByteString;
import io.ferry.protocol.ProtocolException;
import io.ferry.protocol.ProtocolLimits;
import io.ferry.protocol.codec.PacketCodecFlow.Side;
import io.ferry.protocol.packet.ChannelRole;
import io.ferry.protocol.packet.Packet;
import java.util.Objects;

/**
 * Cuts one direction of one channel into packets, in the manner of Netty's {@code
 * ByteToMessageDecoder} but with no Akka in it, so it can be tested alone and driven by any I/O
 * loop. {@link PacketCodecFlow} wraps it in a stage.
 *
 * <p>Use: {@link #append} whatever bytes arrived, then {@link #poll} until it returns {@code null}
 * (more bytes needed); at the end of input call {@link #finish}.
 *
 * <p><b>Hostile input.</b> Every header field is checked as soon as its bytes are there, so a bad
 * magic fails after 4 bytes and an over-long length fails before any of the body is buffered. The
 * buffer holds at most the unfinished frame plus the chunk that was just appended: a caller that
 * appends only when {@code poll} returned {@code null} (as the stage does) never holds more than
 * one maximal frame and one input chunk. The packet order is checked by a {@link ChannelGrammar},
 * so packets that are each well formed but come in the wrong order (a second hello, a sequence
 * gap, a byte after the end) fail too.
 *
 * <p><b>No copies.</b> Appending concatenates {@link ByteString}s and a frame is a slice of them,
 * so payloads share the arrays the bytes arrived in. The one exception guards against a peer that
 * trickles a frame in tiny pieces to make every payload byte cost a segment object: a frame that
 * arrived in more than {@value #TRICKLE_PIECES} pieces averaging under {@value
 * #TRICKLE_AVERAGE_BYTES} bytes is compacted once.
 *
 * <p>Every {@link ProtocolException} carries the channel and the stream offset of the frame.
 * After one is thrown the decoder is unusable: a corrupt stream is never resynchronised.
 *
 * <p>Not thread-safe: one instance per direction of one connection, driven by one stage or loop.
 */
public final class ChannelDecoder {

  static final int TRICKLE_PIECES = 64;
  static final int TRICKLE_AVERAGE_BYTES = 512;

  private final ChannelRole kind;
  private final ProtocolLimits limits;
  private final ChannelGrammar grammar;
  private ByteString buffer = ByteString.emptyByteString();
  private int pieces;
  private int needed = 1;
  private long offset;

  private ChannelDecoder(ChannelRole kind, Side side, ProtocolLimits limits) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.limits = Objects.requireNonNull(limits, "limits");
    this.grammar = ChannelGrammar.sentBy(Objects.requireNonNull(side, "side").peer(), kind);
  }

  /**
   * A decoder for what {@code side} receives on a channel of kind {@code kind}: on {@link
   * Side#DESTINATION} a {@code ChannelHello} and then records; on {@link Side#SOURCE} one {@code
   * HelloReply}.
   */
  public static ChannelDecoder create(ChannelRole kind, Side side, ProtocolLimits limits) {
    return new ChannelDecoder(kind, side, limits);
  }

  /** Adds bytes that arrived; never copies them. */
  public void append(ByteString chunk) {
    if (chunk.isEmpty()) {
      return;
    }
    buffer = buffer.concat(chunk);
    pieces++;
  }

  /**
   * The next whole packet, or {@code null} if more bytes are needed.
   *
   * @throws ProtocolException if the buffered bytes cannot be the start of a valid next packet
   */
  public Packet poll() {
    if (buffer.isEmpty()) {
      return null;
    }
    if (grammar.isComplete()) {
      throw located(grammar.trailingBytes(buffer.size()));
    }
    if (buffer.size() < needed) {
      return null;
    }
    try {
      int length = frameLength(buffer);
      if (length < 0 || buffer.size() < length) {
        needed = length < 0 ? -length : length;
        return null;
      }
      ByteString frame = buffer.take(length);
      if (pieces > TRICKLE_PIECES && length / pieces < TRICKLE_AVERAGE_BYTES) {
        frame = frame.compact();
      }
      Packet packet = decodeFrame(frame);
      grammar.accept(packet);
      buffer = buffer.drop(length);
      pieces = buffer.isEmpty() ? 0 : 1;
      offset += length;
      needed = 1;
      return packet;
    } catch (ProtocolException e) {
      throw located(e);
    }
  }

  /**
   * Declares the end of input.
   *
   * @throws ProtocolException if it ended inside a frame ({@code truncated}, with the bytes the
   *     frame needs and the bytes present) or before the sender's last packet
   */
  public void finish() {
    if (!buffer.isEmpty()) {
      if (grammar.isComplete()) {
        throw located(grammar.trailingBytes(buffer.size()));
      }
      int length;
      try {
        length = frameLength(buffer);
      } catch (ProtocolException e) {
        throw located(e);
      }
      throw located(
          new ProtocolException(
              frameRecord(),
              "frame",
              length < 0 ? "at least " + -length + " bytes" : length + " bytes",
              buffer.size() + " bytes",
              "truncated: input ended mid-frame"));
    }
    if (!grammar.isComplete()) {
      throw located(grammar.endedEarly());
    }
  }

  /** Bytes held that do not yet form a whole packet (or were not polled yet). */
  public int bufferedBytes() {
    return buffer.size();
  }

  /** Stream offset of the first buffered byte: the bytes consumed by polled packets. */
  public long offset() {
    return offset;
  }

  /** The grammar state: what comes next, how many packets came, which channel. */
  public ChannelGrammar grammar() {
    return grammar;
  }

  private int frameLength(ByteString bytes) {
    return switch (grammar.expect()) {
      case CHANNEL_HELLO -> PacketCodec.channelHelloFrameLength(bytes, limits);
      case HELLO_REPLY -> PacketCodec.helloReplyFrameLength(bytes);
      case MAIN_RECORD -> PacketCodec.mainFrameLength(bytes, limits);
      case MULTIFD_PACKET -> PacketCodec.multifdFrameLength(bytes, limits);
      case NOTHING -> throw new IllegalStateException("no frame expected");
    };
  }

  private Packet decodeFrame(ByteString frame) {
    return switch (grammar.expect()) {
      case CHANNEL_HELLO -> PacketCodec.decodeChannelHello(frame, limits);
      case HELLO_REPLY -> PacketCodec.decodeHelloReply(frame);
      case MAIN_RECORD -> PacketCodec.decodeMainRecord(frame, limits);
      case MULTIFD_PACKET -> PacketCodec.decodeMultifdPacket(frame, limits);
      case NOTHING -> throw new IllegalStateException("no frame expected");
    };
  }

  private String frameRecord() {
    return switch (grammar.expect()) {
      case CHANNEL_HELLO -> "ChannelHello";
      case HELLO_REPLY -> "HelloReply";
      case MAIN_RECORD -> "MainFrame";
      case MULTIFD_PACKET -> "MultifdPacket";
      case NOTHING -> "nothing";
    };
  }

  private ProtocolException located(ProtocolException e) {
    String where = "stream offset " + offset;
    String context = e.context();
    if (context == null || !context.contains(grammar.channel())) {
      where = grammar.channel() + ", " + where;
    }
    return e.withContext(where);
  }

  @Override
  public String toString() {
    return "ChannelDecoder["
        + kind
        + ", "
        + grammar.channel()
        + ", expect "
        + grammar.expect()
        + ", offset "
        + offset
        + ", buffered "
        + buffer.size()
        + "]";
  }
}

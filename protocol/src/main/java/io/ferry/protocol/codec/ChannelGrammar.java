package io.ferry.protocol.codec;

import io.ferry.protocol.ProtocolException;
import io.ferry.protocol.WireText;
import io.ferry.protocol.codec.PacketCodecFlow.Side;
import io.ferry.protocol.packet.ChannelEnd;
import io.ferry.protocol.packet.ChannelHello;
import io.ferry.protocol.packet.ChannelRole;
import io.ferry.protocol.packet.DeviceStatePacket;
import io.ferry.protocol.packet.EndOfStream;
import io.ferry.protocol.packet.HelloReply;
import io.ferry.protocol.packet.MainRecord;
import io.ferry.protocol.packet.MultifdPacket;
import io.ferry.protocol.packet.Packet;
import java.util.Objects;

/**
 * The order in which one side may send packets on one channel, checked packet by packet. The
 * decoder checks what the peer sends; the encoder checks what this side sends, so a bug in the
 * engine fails on the sender with the same message the receiver would give.
 *
 * <pre>
 * sent by SOURCE on MAIN:         ChannelHello(role MAIN)    MainRecord*          EndOfStream
 * sent by SOURCE on MULTIFD:      ChannelHello(role MULTIFD) DeviceStatePacket*   ChannelEnd(n)
 *                                                            sequence 0, 1, .., n-1
 * sent by DESTINATION on either:  HelloReply
 * </pre>
 *
 * After the last packet of its line nothing may follow. Not thread-safe: one instance per channel
 * direction, used by one stage.
 */
public final class ChannelGrammar {

  /** What the next frame on the wire must be. */
  public enum Expect {
    CHANNEL_HELLO,
    HELLO_REPLY,
    MAIN_RECORD,
    MULTIFD_PACKET,
    /** The sender is done; any further byte is an error. */
    NOTHING
  }

  private final ChannelRole kind;
  private final Side sender;
  private Expect expect;
  private long packets;
  private String channel;

  private ChannelGrammar(ChannelRole kind, Side sender) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.sender = Objects.requireNonNull(sender, "sender");
    this.expect = sender == Side.SOURCE ? Expect.CHANNEL_HELLO : Expect.HELLO_REPLY;
    this.channel = kind == ChannelRole.MAIN ? "main channel" : "multifd channel";
  }

  /** The grammar of what {@code sender} sends on a channel of kind {@code kind}. */
  public static ChannelGrammar sentBy(Side sender, ChannelRole kind) {
    return new ChannelGrammar(kind, sender);
  }

  /** What the next frame must be. */
  public Expect expect() {
    return expect;
  }

  /** Whether the sender has sent its last packet. */
  public boolean isComplete() {
    return expect == Expect.NOTHING;
  }

  /** Packets accepted after the handshake: main records, or device-state packets. */
  public long packetCount() {
    return packets;
  }

  /**
   * Where we are, for error context: {@code "main channel"} or, once the hello is known, {@code
   * "multifd channel 2/4"}.
   */
  public String channel() {
    return channel;
  }

  /**
   * Accepts the next packet or throws.
   *
   * @throws ProtocolException if {@code packet} may not come now
   */
  public void accept(Packet packet) {
    Objects.requireNonNull(packet, "packet");
    switch (expect) {
      case CHANNEL_HELLO -> acceptHello(packet);
      case HELLO_REPLY -> {
        if (!(packet instanceof HelloReply)) {
          throw unexpected("firstPacket", "HelloReply", packet);
        }
        expect = Expect.NOTHING;
      }
      case MAIN_RECORD -> {
        if (!(packet instanceof MainRecord)) {
          throw unexpected("packet", "a MainRecord", packet);
        }
        packets++;
        if (packet instanceof EndOfStream) {
          expect = Expect.NOTHING;
        }
      }
      case MULTIFD_PACKET -> acceptMultifd(packet);
      case NOTHING -> throw new ProtocolException(
          channelRecord(), afterField(), "nothing", "unexpected " + name(packet), channel);
    }
  }

  private void acceptHello(Packet packet) {
    if (!(packet instanceof ChannelHello hello)) {
      throw unexpected("firstPacket", "ChannelHello", packet);
    }
    if (hello.role() != kind) {
      throw new ProtocolException(
          "ChannelHello", "role", kind.name(), hello.role().name(), channel);
    }
    channel = channel + " " + hello.channelIndex() + "/" + hello.channelCount();
    expect = kind == ChannelRole.MAIN ? Expect.MAIN_RECORD : Expect.MULTIFD_PACKET;
  }

  private void acceptMultifd(Packet packet) {
    if (packet instanceof DeviceStatePacket p) {
      if (p.sequence() != packets) {
        throw new ProtocolException(
            "DeviceStatePacket",
            "sequence",
            Long.toString(packets),
            Long.toString(p.sequence()),
            (p.sequence() < packets ? "repeat" : "gap")
                + ", device "
                + WireText.quoted(p.deviceId())
                + ", "
                + channel);
      }
      packets++;
    } else if (packet instanceof ChannelEnd end) {
      if (end.packetCount() != packets) {
        throw new ProtocolException(
            "ChannelEnd",
            "packetCount",
            Long.toString(packets),
            Long.toString(end.packetCount()),
            channel);
      }
      expect = Expect.NOTHING;
    } else {
      throw unexpected("packet", "a MultifdPacket", packet);
    }
  }

  /** The error for {@code count} bytes that arrived after the sender's last packet. */
  ProtocolException trailingBytes(int count) {
    return new ProtocolException(
        channelRecord(), afterField(), "nothing", "unexpected " + count + " bytes", channel);
  }

  /** The error for an input that ended before the sender's last packet. */
  ProtocolException endedEarly() {
    String wanted =
        switch (expect) {
          case CHANNEL_HELLO -> "ChannelHello";
          case HELLO_REPLY -> "HelloReply";
          case MAIN_RECORD -> "EndOfStream";
          case MULTIFD_PACKET -> "ChannelEnd";
          case NOTHING -> throw new IllegalStateException("the channel is complete");
        };
    String after =
        switch (expect) {
          case MAIN_RECORD -> " after " + packets + " records";
          case MULTIFD_PACKET -> " after " + packets + " packets";
          default -> "";
        };
    return new ProtocolException(
        channelRecord(),
        "end",
        wanted + " before the end of input",
        "end of input" + after,
        "truncated between frames; " + channel);
  }

  private ProtocolException unexpected(String field, String wanted, Packet packet) {
    return new ProtocolException(
        channelRecord(), field, wanted, "unexpected " + name(packet), channel);
  }

  private String channelRecord() {
    return kind == ChannelRole.MAIN ? "MainChannel" : "MultifdChannel";
  }

  private String afterField() {
    if (sender == Side.DESTINATION) {
      return "afterHelloReply";
    }
    return kind == ChannelRole.MAIN ? "afterEndOfStream" : "afterChannelEnd";
  }

  private static String name(Packet packet) {
    return packet.getClass().getSimpleName();
  }
}

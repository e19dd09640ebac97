package io.ferry.protocol.testing;

import akka.util.ByteString;
import io.ferry.protocol.codec.DeviceStateChunkCodec;
import io.ferry.protocol.packet.Capabilities;
import io.ferry.protocol.packet.ChannelEnd;
import io.ferry.protocol.packet.ChannelHello;
import io.ferry.protocol.packet.ChannelRole;
import io.ferry.protocol.packet.Command;
import io.ferry.protocol.packet.DeviceStateChunk;
import io.ferry.protocol.packet.DeviceStatePacket;
import io.ferry.protocol.packet.EndOfStream;
import io.ferry.protocol.packet.HelloReply;
import io.ferry.protocol.packet.HelloStatus;
import io.ferry.protocol.packet.Packet;
import io.ferry.protocol.packet.SectionEnd;
import io.ferry.protocol.packet.SectionFull;
import io.ferry.protocol.packet.SectionPart;
import io.ferry.protocol.packet.SectionStart;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The records the golden fixtures describe, and whole channel streams built from them. */
public final class Samples {

  private Samples() {}

  public static final UUID MIGRATION = UUID.fromString("f0e1d2c3-b4a5-9687-7869-5a4b3c2d1e0f");
  public static final String VFIO = "0000:00:03.0/vfio";
  public static final long CAPS = Capabilities.CRC32C | Capabilities.CHANNEL_SEQUENCE;

  public static final ByteString SETUP_STATE = Hex.parse("ffffffffef100003");
  public static final ByteString END_OF_STATE = Hex.parse("ffffffffef100001");

  public static final ChannelHello HELLO_MAIN =
      ChannelHello.of(MIGRATION, ChannelRole.MAIN, 0, 1, CAPS, ByteString.emptyByteString());

  public static final ChannelHello HELLO_MULTIFD =
      ChannelHello.of(MIGRATION, ChannelRole.MULTIFD, 2, 4, CAPS, ascii("s3cr3t"));

  public static final SectionStart SECTION_START =
      new SectionStart(1, VFIO, 0, 1, SETUP_STATE.concat(END_OF_STATE));

  public static final SectionPart SECTION_PART =
      new SectionPart(
          1, Hex.parse("ffffffffef100004 0000000000000004 deadbeef").concat(END_OF_STATE));

  public static final SectionEnd SECTION_END = new SectionEnd(1, END_OF_STATE);

  public static final SectionFull SECTION_FULL = new SectionFull(2, VFIO, 0, 1, END_OF_STATE);

  public static final DeviceStateChunk CHUNK_DATA = DeviceStateChunk.data(5, Hex.parse("deadbeef"));

  public static final DeviceStateChunk CHUNK_CONFIG =
      DeviceStateChunk.config(6, Hex.parse("ffffffffef100002 636667").concat(END_OF_STATE));

  public static final DeviceStatePacket DEVICE_STATE =
      new DeviceStatePacket(VFIO, 0, 5, Hex.parse("00000000 00000005 00000000 deadbeef"));

  /** Fixture name → the record it encodes, for every {@link Packet} fixture. */
  public static Map<String, Packet> goldenPackets() {
    Map<String, Packet> all = new LinkedHashMap<>();
    all.put("channel-hello-main", HELLO_MAIN);
    all.put("channel-hello-multifd", HELLO_MULTIFD);
    all.put("hello-reply-accepted", HelloReply.accepted());
    all.put(
        "hello-reply-rejected",
        HelloReply.rejected(HelloStatus.DUPLICATE_CHANNEL, "channel 2 in use"));
    all.put("section-start", SECTION_START);
    all.put("section-part", SECTION_PART);
    all.put("section-end", SECTION_END);
    all.put("section-full", SECTION_FULL);
    all.put("command-switchover-start", Command.switchoverStart());
    all.put("command-sync", Command.sync(7));
    all.put("command-ping", Command.ping(0x01020304));
    all.put("end-of-stream", EndOfStream.INSTANCE);
    all.put("device-state-packet", DEVICE_STATE);
    all.put("channel-end", new ChannelEnd(6));
    return all;
  }

  /** A complete main channel as the source sends it, in the order QEMU would. */
  public static List<Packet> mainStream() {
    return List.of(
        HELLO_MAIN,
        SECTION_START,
        SECTION_PART,
        Command.switchoverStart(),
        SECTION_END,
        SECTION_FULL,
        Command.sync(1),
        EndOfStream.INSTANCE);
  }

  /** A complete multifd channel with {@code packets} device-state packets. */
  public static List<Packet> multifdStream(int packets) {
    List<Packet> stream = new ArrayList<>();
    stream.add(HELLO_MULTIFD);
    for (int i = 0; i < packets; i++) {
      DeviceStateChunk chunk =
          i == packets - 1
              ? DeviceStateChunk.config(i, ascii("config-" + i))
              : DeviceStateChunk.data(i, ascii("data-" + i));
      stream.add(new DeviceStatePacket(VFIO, 0, i, DeviceStateChunkCodec.encode(chunk)));
    }
    stream.add(new ChannelEnd(packets));
    return stream;
  }

  public static ByteString ascii(String text) {
    return ByteString.fromArrayUnsafe(text.getBytes(StandardCharsets.US_ASCII));
  }
}

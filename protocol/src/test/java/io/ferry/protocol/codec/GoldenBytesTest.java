package io.ferry.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.util.ByteString;
import io.ferry.protocol.ProtocolLimits;
import io.ferry.protocol.codec.PacketCodecFlow.Side;
import io.ferry.protocol.packet.ChannelHello;
import io.ferry.protocol.packet.ChannelRole;
import io.ferry.protocol.packet.DeviceStateChunk;
import io.ferry.protocol.packet.HelloReply;
import io.ferry.protocol.packet.MainRecord;
import io.ferry.protocol.packet.MultifdPacket;
import io.ferry.protocol.packet.Packet;
import io.ferry.protocol.testing.Hex;
import io.ferry.protocol.testing.Samples;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every record against hand-written fixtures from the byte tables of docs/protocol.md. */
class GoldenBytesTest {

  static Stream<Arguments> packets() {
    return Samples.goldenPackets().entrySet().stream()
        .map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("packets")
  void encodingGivesTheFixtureBytes(String fixture, Packet packet) {
    assertEquals(Hex.format(Hex.golden(fixture)), Hex.format(PacketCodec.encode(packet)));
    assertEquals(
        Hex.format(Hex.golden(fixture)),
        Hex.format(PacketCodec.encode(packet, ProtocolLimits.DEFAULT)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("packets")
  void decodingTheFixtureGivesTheRecord(String fixture, Packet packet) {
    assertEquals(packet, decode(Hex.golden(fixture), packet));
  }

  @Test
  void chunkFixturesEncodeAndDecode() {
    for (DeviceStateChunk chunk : List.of(Samples.CHUNK_DATA, Samples.CHUNK_CONFIG)) {
      String fixture = chunk.isConfig() ? "device-state-chunk-config" : "device-state-chunk-data";
      assertEquals(
          Hex.format(Hex.golden(fixture)), Hex.format(DeviceStateChunkCodec.encode(chunk)));
      assertEquals(chunk, DeviceStateChunkCodec.decode(Hex.golden(fixture), Samples.VFIO));
    }
  }

  @Test
  void theDeviceStatePacketFixtureCarriesTheDataChunkFixture() {
    assertEquals(
        Hex.format(Hex.golden("device-state-chunk-data")),
        Hex.format(Samples.DEVICE_STATE.payload()));
  }

  @Test
  void aMainStreamOfFixturesDecodesToItsRecords() {
    String[] names = {
      "channel-hello-main",
      "section-start",
      "section-part",
      "command-ping",
      "command-switchover-start",
      "section-end",
      "section-full",
      "command-sync",
      "end-of-stream"
    };
    ByteString wire = ByteString.emptyByteString();
    List<Packet> expected = new ArrayList<>();
    for (String name : names) {
      wire = wire.concat(Hex.golden(name));
      expected.add(Samples.goldenPackets().get(name));
    }
    ChannelDecoder decoder = ChannelDecoder.create(ChannelRole.MAIN, Side.DESTINATION,
        ProtocolLimits.DEFAULT);
    decoder.append(wire);
    List<Packet> decoded = new ArrayList<>();
    for (Packet p = decoder.poll(); p != null; p = decoder.poll()) {
      decoded.add(p);
    }
    decoder.finish();
    assertEquals(expected, decoded);
  }

  static Packet decode(ByteString bytes, Packet kind) {
    if (kind instanceof ChannelHello) {
      return PacketCodec.decodeChannelHello(bytes, ProtocolLimits.DEFAULT);
    } else if (kind instanceof HelloReply) {
      return PacketCodec.decodeHelloReply(bytes);
    } else if (kind instanceof MainRecord) {
      return PacketCodec.decodeMainRecord(bytes, ProtocolLimits.DEFAULT);
    } else if (kind instanceof MultifdPacket) {
      return PacketCodec.decodeMultifdPacket(bytes, ProtocolLimits.DEFAULT);
    }
    throw new IllegalArgumentException(kind.toString());
  }
}

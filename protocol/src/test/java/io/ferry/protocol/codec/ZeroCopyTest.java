package io.ferry.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.util.ByteString;
import io.ferry.protocol.ProtocolLimits;
import io.ferry.protocol.codec.PacketCodecFlow.Side;
import io.ferry.protocol.packet.ChannelRole;
import io.ferry.protocol.packet.DeviceStateChunk;
import io.ferry.protocol.packet.DeviceStatePacket;
import io.ferry.protocol.packet.MultifdPacket;
import io.ferry.protocol.packet.Packet;
import io.ferry.protocol.packet.SectionPart;
import io.ferry.protocol.packet.SectionRecord;
import io.ferry.protocol.testing.Samples;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Payloads are never copied: the test builds inputs on arrays it owns ({@code fromArrayUnsafe}),
 * overwrites those arrays after encoding or decoding, and checks that the payloads changed with
 * them. A copy would keep the old bytes.
 */
class ZeroCopyTest {

  private static final byte MARK = 0x5A;

  private static byte[] filled(int size, int seed) {
    byte[] bytes = new byte[size];
    for (int i = 0; i < size; i++) {
      bytes[i] = (byte) (seed + i);
    }
    return bytes;
  }

  private static boolean allMarked(ByteString bytes) {
    for (int i = 0; i < bytes.size(); i++) {
      if (bytes.apply(i) != MARK) {
        return false;
      }
    }
    return true;
  }

  @Test
  void encodingSharesThePayload() {
    byte[] data = filled(4096, 1);
    DeviceStatePacket packet =
        new DeviceStatePacket(Samples.VFIO, 0, 0, ByteString.fromArrayUnsafe(data));
    ByteString wire = PacketCodec.encode(packet);
    SectionPart part = new SectionPart(1, ByteString.fromArrayUnsafe(data));
    ByteString mainWire = PacketCodec.encode(part);
    Arrays.fill(data, MARK);
    assertTrue(allMarked(wire.takeRight(4096)));
    assertTrue(allMarked(mainWire.takeRight(4096)));
  }

  @Test
  void chunkEncodingSharesTheDataAndDecodingSlicesIt() {
    byte[] data = filled(1000, 7);
    ByteString encoded = DeviceStateChunkCodec.encode(DeviceStateChunk.data(3, ByteString
        .fromArrayUnsafe(data)));
    byte[] wire = encoded.toArray();
    DeviceStateChunk decoded = DeviceStateChunkCodec.decode(ByteString.fromArrayUnsafe(wire), "d");
    Arrays.fill(data, MARK);
    Arrays.fill(wire, 12, wire.length, MARK);
    assertTrue(allMarked(encoded.drop(12)));
    assertTrue(allMarked(decoded.data()));
  }

  @Test
  void decodedPayloadsAreViewsOfTheInputArraysWhateverTheSplit() {
    List<Packet> packets = new ArrayList<>(Samples.mainStream());
    ByteString whole = ChannelDecoderTest.wire(packets);
    for (int cut = 1; cut < whole.size(); cut += 3) {
      byte[] first = whole.take(cut).toArray();
      byte[] second = whole.drop(cut).toArray();
      ChannelDecoder decoder =
          ChannelDecoder.create(ChannelRole.MAIN, Side.DESTINATION, ProtocolLimits.DEFAULT);
      List<Packet> decoded = new ArrayList<>();
      for (byte[] chunk : List.of(first, second)) {
        decoder.append(ByteString.fromArrayUnsafe(chunk));
        for (Packet p = decoder.poll(); p != null; p = decoder.poll()) {
          decoded.add(p);
        }
      }
      assertEquals(packets, decoded);
      Arrays.fill(first, MARK);
      Arrays.fill(second, MARK);
      for (Packet p : decoded) {
        if (p instanceof SectionRecord s) {
          assertTrue(allMarked(s.payload()), "payload of " + s + " copied, cut at " + cut);
        }
      }
    }
  }

  @Test
  void multifdPayloadsAreViewsOfTheInput() {
    byte[] wire = ChannelDecoderTest.wire(Samples.multifdStream(3)).toArray();
    ChannelDecoder decoder =
        ChannelDecoder.create(ChannelRole.MULTIFD, Side.DESTINATION, ProtocolLimits.DEFAULT);
    decoder.append(ByteString.fromArrayUnsafe(wire));
    List<DeviceStatePacket> decoded = new ArrayList<>();
    for (Packet p = decoder.poll(); p != null; p = decoder.poll()) {
      if (p instanceof DeviceStatePacket d) {
        decoded.add(d);
      }
    }
    assertEquals(3, decoded.size());
    Arrays.fill(wire, MARK);
    decoded.forEach(d -> assertTrue(allMarked(d.payload())));
  }

  @Test
  void aFrameTrickledInTinyPiecesIsCompactedOnce() {
    DeviceStatePacket big =
        new DeviceStatePacket(Samples.VFIO, 0, 0, ByteString.fromArrayUnsafe(filled(4096, 3)));
    byte[] wire = PacketCodec.encode(big).toArray();
    ChannelDecoder decoder =
        ChannelDecoder.create(ChannelRole.MULTIFD, Side.DESTINATION, ProtocolLimits.DEFAULT);
    decoder.append(PacketCodec.encode(Samples.HELLO_MULTIFD));
    decoder.poll();
    List<byte[]> pieces = new ArrayList<>();
    Packet decoded = null;
    for (byte b : wire) {
      byte[] piece = {b}; // each byte in its own array, as separate tiny reads would be
      pieces.add(piece);
      decoder.append(ByteString.fromArrayUnsafe(piece));
      Packet p = decoder.poll();
      if (p != null) {
        decoded = p;
      }
    }
    assertEquals(big, decoded);
    ByteString payload = ((DeviceStatePacket) decoded).payload();
    int segments = 0;
    for (java.nio.ByteBuffer ignored : payload.getByteBuffers()) {
      segments++;
    }
    assertEquals(1, segments, "one segment instead of thousands of one-byte pieces");
    pieces.forEach(piece -> Arrays.fill(piece, MARK));
    assertEquals(big.payload(), payload, "the compacted payload no longer uses the pieces");
  }

  @Test
  void framesInAFewPiecesAreNotCompacted() {
    DeviceStatePacket big =
        new DeviceStatePacket(Samples.VFIO, 0, 0, ByteString.fromArrayUnsafe(filled(4096, 3)));
    byte[] wire = PacketCodec.encode(big).toArray();
    ChannelDecoder decoder =
        ChannelDecoder.create(ChannelRole.MULTIFD, Side.DESTINATION, ProtocolLimits.DEFAULT);
    decoder.append(PacketCodec.encode(Samples.HELLO_MULTIFD));
    decoder.poll();
    List<byte[]> pieces = new ArrayList<>();
    Packet decoded = null;
    for (int from = 0; from < wire.length; from += 100) {
      byte[] piece = Arrays.copyOfRange(wire, from, Math.min(wire.length, from + 100));
      pieces.add(piece);
      decoder.append(ByteString.fromArrayUnsafe(piece));
      Packet p = decoder.poll();
      if (p != null) {
        decoded = p;
      }
    }
    assertEquals(big, decoded);
    pieces.forEach(piece -> Arrays.fill(piece, MARK));
    assertTrue(allMarked(((DeviceStatePacket) decoded).payload()));
  }
}

package io.ferry.it;

import akka.util.ByteString;
import io.ferry.protocol.ProtocolLimits;
import io.ferry.protocol.codec.PacketCodec;
import io.ferry.protocol.packet.ChannelHello;
import io.ferry.protocol.packet.HelloReply;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A hand-made data channel: connects to a node's data port, sends one {@link ChannelHello} built
 * with the protocol classes (so a test can send a wrong migration id or another version), reads
 * the {@link HelloReply} and then whether the node closes the connection.
 */
final class RawHello {
  /**
   * What came back.
   *
   * @param reply the decoded reply
   * @param closed the node closed the connection after the reply (end of stream or reset)
   * @param trailingBytes bytes received after the reply (0 for a well-behaved node)
   */
  record Answer(HelloReply reply, boolean closed, int trailingBytes) {}

  private RawHello() {}

  /**
   * Sends {@code hello} to {@code host:port} and waits up to {@code timeout} for the reply and
   * then for the connection to close.
   *
   * @throws IOException if the node closes the connection before a whole reply
   */
  static Answer send(String host, int port, ChannelHello hello, Duration timeout)
      throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      socket.getOutputStream().write(
          PacketCodec.encodeChannelHello(hello, ProtocolLimits.DEFAULT).toArray());
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      ByteString buffered = ByteString.emptyByteString();
      int frame;
      while ((frame = PacketCodec.helloReplyFrameLength(buffered)) < 0
          || buffered.size() < frame) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("connection closed after " + buffered.size()
              + " bytes, before a whole HelloReply");
        }
        buffered = buffered.concat(ByteString.fromArray(new byte[] {(byte) b}));
      }
      HelloReply reply = PacketCodec.decodeHelloReply(buffered.take(frame));
      int trailing = 0;
      boolean closed;
      try {
        byte[] rest = new byte[4096];
        int n;
        while ((n = in.read(rest)) > 0) {
          trailing += n;
        }
        closed = true;
      } catch (SocketTimeoutException e) {
        closed = false;
      } catch (IOException e) {
        closed = true; // a reset closes too
      }
      return new Answer(reply, closed, trailing);
    }
  }
}

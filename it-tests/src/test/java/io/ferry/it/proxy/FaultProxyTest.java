package io.ferry.it.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.it.proxy.TestingTargetServer.Mode;
import io.ferry.it.proxy.TestingTargetServer.Peer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Drives {@link FaultProxy} against a {@link TestingTargetServer} on 127.0.0.1 and checks each
 * fault from both ends: what the target received and how its stream ended, and what the client
 * saw. Where Linux decides between end of stream and reset, the assertion names what Linux does.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class FaultProxyTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  /** Long enough that a stalled byte would have arrived on loopback many times over. */
  private static final Duration QUIET = Duration.ofMillis(300);

  private static final String RESET = "Connection reset";

  private final ExecutorService background =
      Executors.newCachedThreadPool(
          task -> {
            Thread thread = new Thread(task, "proxy-test-io");
            thread.setDaemon(true);
            return thread;
          });

  @AfterEach
  void stopBackgroundIo() {
    background.shutdownNow();
  }

  @Test
  void passthroughForwardsSeveralMebibytesUnchangedInBothDirections() throws Exception {
    byte[] payload = payload(1, 4 << 20);
    try (TestingTargetServer target = TestingTargetServer.start(Mode.ECHO);
        FaultProxy proxy = new FaultProxy(target.address()).start();
        Socket client = connect(proxy)) {
      Future<?> writing = writeInBackground(client, payload, true);

      ClientEnd echoed = readToEnd(client);

      writing.get();
      Peer peer = target.awaitPeer(0, WAIT);
      assertEquals(TestingTargetServer.EOF, peer.awaitEnding(WAIT));
      assertArrayEquals(payload, peer.received(), "client to target");
      assertEquals(new ClientEnd(payload, TestingTargetServer.EOF), echoed, "target to client");
      assertEquals(payload.length, proxy.bytesForwarded(0, Direction.CLIENT_TO_TARGET));
      assertEquals(payload.length, proxy.bytesForwarded(0, Direction.TARGET_TO_CLIENT));
      assertFalse(proxy.faultTriggered(0));
    }
  }

  @Test
  void cutAfterDeliversExactlyThatManyBytesThenEndOfStream() throws Exception {
    byte[] payload = payload(2, 1 << 20);
    try (TestingTargetServer target = TestingTargetServer.start(Mode.SINK);
        FaultProxy proxy = new FaultProxy(target.address()).start();
        Socket client = connect(proxy)) {
      proxy.arm(0, Fault.cutAfter(100_000));
      writeInBackground(client, payload, false);

      Peer peer = target.awaitPeer(0, WAIT);
      assertEquals(TestingTargetServer.EOF, peer.awaitEnding(WAIT));
      assertArrayEquals(Arrays.copyOf(payload, 100_000), peer.received());
      assertTrue(proxy.faultTriggered(0));
      assertEquals(100_000, proxy.bytesForwarded(0, Direction.CLIENT_TO_TARGET));
      // The client had sent more than the proxy read, so Linux answers the proxy's close() with
      // RST. The reset is reported to whichever call on the client socket comes first (here
      // usually the still blocked writer) and every later read sees end of stream.
      ClientEnd end = readToEnd(client);
      assertEquals(0, end.bytes().length);
      assertTrue(
          end.ending().equals(TestingTargetServer.EOF) || end.ending().equals(RESET),
          end.ending());
    }
  }

  @Test
  void resetAfterResetsBothPeersAfterExactlyThatManyBytes() throws Exception {
    byte[] payload = payload(3, 10_000);
    try (TestingTargetServer target = TestingTargetServer.start(Mode.SINK);
        FaultProxy proxy = new FaultProxy(target.address()).start();
        Socket client = connect(proxy)) {
      proxy.arm(0, Fault.resetAfter(payload.length));
      client.getOutputStream().write(payload);

      // Linux keeps received data readable after a RST and reports the reset on the next read.
      Peer peer = target.awaitPeer(0, WAIT);
      assertEquals(RESET, peer.awaitEnding(WAIT));
      assertArrayEquals(payload, peer.received());
      assertEquals(new ClientEnd(new byte[0], RESET), readToEnd(client));
      assertTrue(proxy.faultTriggered(0));
    }
  }

  @Test
  void stallAfterHoldsBothDirectionsUntilReleased() throws Exception {
    byte[] payload = payload(4, 200_000);
    byte[] answer = payload(5, 16);
    try (TestingTargetServer target = TestingTargetServer.start(Mode.SINK);
        FaultProxy proxy = new FaultProxy(target.address()).start();
        Socket client = connect(proxy)) {
      proxy.arm(0, Fault.stallAfter(50_000));
      Future<?> writing = writeInBackground(client, payload, true);

      assertTrue(proxy.awaitTriggered(0, WAIT));
      Peer peer = target.awaitPeer(0, WAIT);
      peer.awaitReceived(50_000, WAIT);
      peer.send(answer);
      client.setSoTimeout((int) QUIET.toMillis());
      assertThrows(SocketTimeoutException.class, () -> client.getInputStream().read());
      assertEquals(50_000, peer.receivedCount());
      assertEquals(50_000, proxy.bytesForwarded(0, Direction.CLIENT_TO_TARGET));
      assertEquals(0, proxy.bytesForwarded(0, Direction.TARGET_TO_CLIENT));

      proxy.release(0);

      client.setSoTimeout((int) WAIT.toMillis());
      assertArrayEquals(answer, client.getInputStream().readNBytes(answer.length));
      writing.get();
      assertEquals(TestingTargetServer.EOF, peer.awaitEnding(WAIT));
      assertArrayEquals(payload, peer.received());
    }
  }

  @Test
  void slowKeepsTheMeasuredRateWithinTenPercent() throws Exception {
    long rate = 2 << 20;
    byte[] payload = payload(6, (int) rate);
    try (TestingTargetServer target = TestingTargetServer.start(Mode.DISCARD);
        FaultProxy proxy = new FaultProxy(target.address()).start()) {
      proxy.arm(0, Fault.slow(rate));
      long started = System.nanoTime();
      try (Socket client = connect(proxy)) {
        writeInBackground(client, payload, true);

        Peer peer = target.awaitPeer(0, WAIT);
        assertEquals(TestingTargetServer.EOF, peer.awaitEnding(WAIT));
        assertEquals(payload.length, peer.receivedCount());
        double seconds = (peer.endedAtNanos() - started) / 1e9;
        double measured = payload.length / seconds;
        assertEquals(rate, measured, rate * 0.10, "bytes per second over " + seconds + " s");
        assertTrue(proxy.faultTriggered(0));
      }
    }
  }

  @Test
  void corruptByteAtFlipsExactlyThatByte() throws Exception {
    byte[] payload = payload(7, 1 << 20);
    try (TestingTargetServer target = TestingTargetServer.start(Mode.SINK);
        FaultProxy proxy = new FaultProxy(target.address()).start();
        Socket client = connect(proxy)) {
      proxy.arm(0, Fault.corruptByteAt(123_457, 0x5A));
      writeInBackground(client, payload, true).get();

      Peer peer = target.awaitPeer(0, WAIT);
      assertEquals(TestingTargetServer.EOF, peer.awaitEnding(WAIT));
      byte[] expected = payload.clone();
      expected[123_457] ^= 0x5A;
      assertArrayEquals(expected, peer.received());
      assertTrue(proxy.faultTriggered(0));
    }
  }

  @Test
  void faultInTheTargetToClientDirectionLeavesTheClientToTargetDirectionAlone() throws Exception {
    byte[] payload = payload(8, 300_000);
    try (TestingTargetServer target = TestingTargetServer.start(Mode.ECHO);
        FaultProxy proxy = new FaultProxy(target.address()).start();
        Socket client = connect(proxy)) {
      proxy.arm(0, Fault.corruptByteAt(70_000, 0x01).inDirection(Direction.TARGET_TO_CLIENT));
      writeInBackground(client, payload, true);

      ClientEnd echoed = readToEnd(client);

      Peer peer = target.awaitPeer(0, WAIT);
      assertArrayEquals(payload, peer.received());
      byte[] expected = payload.clone();
      expected[70_000] ^= 0x01;
      assertEquals(new ClientEnd(expected, TestingTargetServer.EOF), echoed);
    }
  }

  @Test
  void faultArmedForOneConnectionIndexLeavesTheOthersUntouched() throws Exception {
    int connections = 4;
    int cutConnection = 2;
    try (TestingTargetServer target = TestingTargetServer.start(Mode.ECHO);
        FaultProxy proxy = new FaultProxy(target.address()).start()) {
      proxy.arm(cutConnection, Fault.cutAfter(1_000));
      List<Socket> clients = new ArrayList<>();
      List<byte[]> payloads = new ArrayList<>();
      List<Future<ClientEnd>> echoes = new ArrayList<>();
      try {
        for (int k = 0; k < connections; k++) {
          Socket client = connect(proxy);
          clients.add(client);
          // Connection index is accept order; wait for it so the k-th client is index k.
          awaitAccepted(proxy, k + 1);
          payloads.add(payload(100 + k, 64 << 10));
        }
        for (int k = 0; k < connections; k++) {
          Socket client = clients.get(k);
          writeInBackground(client, payloads.get(k), true);
          echoes.add(background.submit(() -> readToEnd(client)));
        }

        for (int k = 0; k < connections; k++) {
          ClientEnd echoed = echoes.get(k).get();
          if (k == cutConnection) {
            assertTrue(proxy.faultTriggered(k));
            assertEquals(1_000, proxy.bytesForwarded(k, Direction.CLIENT_TO_TARGET));
            assertTrue(echoed.bytes().length <= 1_000, "echoed " + echoed.bytes().length);
            assertArrayEquals(
                Arrays.copyOf(payloads.get(k), echoed.bytes().length), echoed.bytes());
          } else {
            assertFalse(proxy.faultTriggered(k), "connection " + k);
            assertEquals(
                new ClientEnd(payloads.get(k), TestingTargetServer.EOF), echoed, "connection " + k);
          }
        }
      } finally {
        for (Socket client : clients) {
          client.close();
        }
      }
    }
  }

  @Test
  void armAllAppliesToEveryConnectionWithoutAFaultOfItsOwn() throws Exception {
    try (TestingTargetServer target = TestingTargetServer.start(Mode.SINK);
        FaultProxy proxy = new FaultProxy(target.address()).start()) {
      proxy.armAll(Fault.stallAfter(0));
      proxy.arm(1, Fault.none());
      try (Socket stalled = connect(proxy)) {
        // The stall fires once the target is connected, so the sink's peer 0 is connection 0.
        assertTrue(proxy.awaitTriggered(0, WAIT));
        try (Socket free = connect(proxy)) {
          stalled.getOutputStream().write(payload(9, 10));
          free.getOutputStream().write(payload(10, 10));
          free.shutdownOutput();

          Peer freePeer = target.awaitPeer(1, WAIT);
          assertEquals(TestingTargetServer.EOF, freePeer.awaitEnding(WAIT));
          assertArrayEquals(payload(10, 10), freePeer.received());
          assertFalse(proxy.faultTriggered(1));
          assertEquals(0, target.awaitPeer(0, WAIT).receivedCount());
          assertEquals(0, proxy.bytesForwarded(0, Direction.CLIENT_TO_TARGET));
        }
      }
    }
  }

  @Test
  void faultArmedOnALiveConnectionCountsItsOffsetFromTheStartOfTheStream() throws Exception {
    byte[] payload = payload(11, 20_000);
    try (TestingTargetServer target = TestingTargetServer.start(Mode.SINK);
        FaultProxy proxy = new FaultProxy(target.address()).start();
        Socket client = connect(proxy)) {
      OutputStream out = client.getOutputStream();
      out.write(payload, 0, 10_000);
      Peer peer = target.awaitPeer(0, WAIT);
      peer.awaitReceived(10_000, WAIT);

      proxy.arm(0, Fault.cutAfter(15_000));
      assertFalse(proxy.faultTriggered(0));
      out.write(payload, 10_000, 10_000);

      assertEquals(TestingTargetServer.EOF, peer.awaitEnding(WAIT));
      assertArrayEquals(Arrays.copyOf(payload, 15_000), peer.received());
      assertTrue(proxy.faultTriggered(0));
    }
  }

  @Test
  void faultArmedPastItsOffsetFiresAtOnce() throws Exception {
    byte[] payload = payload(12, 20_000);
    try (TestingTargetServer target = TestingTargetServer.start(Mode.SINK);
        FaultProxy proxy = new FaultProxy(target.address()).start();
        Socket client = connect(proxy)) {
      OutputStream out = client.getOutputStream();
      out.write(payload, 0, 10_000);
      Peer peer = target.awaitPeer(0, WAIT);
      peer.awaitReceived(10_000, WAIT);

      proxy.arm(0, Fault.stallAfter(5_000));

      assertTrue(proxy.faultTriggered(0));
      out.write(payload, 10_000, 10_000);
      Thread.sleep(QUIET.toMillis());
      assertEquals(10_000, peer.receivedCount());
      assertThrows(IllegalStateException.class, () -> proxy.arm(0, Fault.corruptByteAt(9_999, 1)));
    }
  }

  @Test
  void delayStartHoldsForwardingBackForTheDelay() throws Exception {
    Duration delay = Duration.ofMillis(300);
    try (TestingTargetServer target = TestingTargetServer.start(Mode.ECHO);
        FaultProxy proxy = new FaultProxy(target.address()).start()) {
      proxy.arm(0, Fault.delayStart(delay));
      long started = System.nanoTime();
      try (Socket client = connect(proxy)) {
        client.getOutputStream().write(42);

        assertEquals(42, client.getInputStream().read());
        long elapsed = System.nanoTime() - started;
        assertTrue(elapsed >= delay.toNanos(), "echo after " + elapsed + " ns");
        assertTrue(proxy.faultTriggered(0));
      }
    }
  }

  @Test
  void clientSeesAResetWhenTheTargetRefusesTheConnection() throws Exception {
    ServerSocket gone = new ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
    gone.close();
    InetSocketAddress nobody = new InetSocketAddress(gone.getInetAddress(), gone.getLocalPort());
    try (FaultProxy proxy = new FaultProxy(nobody).start();
        Socket client = connect(proxy)) {
      assertEquals(new ClientEnd(new byte[0], RESET), readToEnd(client));
    }
  }

  @Test
  void closeEndsEveryConnectionAndLeavesNoProxyThreads() throws Exception {
    try (TestingTargetServer target = TestingTargetServer.start(Mode.ECHO)) {
      FaultProxy proxy = new FaultProxy(target.address()).start();
      String prefix = "fault-proxy-" + proxy.port() + "-";
      proxy.arm(1, Fault.stallAfter(0));
      proxy.arm(2, Fault.slow(1_000));
      List<Socket> clients = new ArrayList<>();
      try {
        for (int k = 0; k < 3; k++) {
          clients.add(connect(proxy));
          awaitAccepted(proxy, k + 1);
        }
        clients.get(0).getOutputStream().write(7);
        assertEquals(7, clients.get(0).getInputStream().read());
        assertTrue(proxy.awaitTriggered(1, WAIT));
        writeInBackground(clients.get(2), payload(13, 10_000), false);
        assertTrue(proxy.awaitTriggered(2, WAIT));
        assertEquals(1 + 3 * 2, liveThreads(prefix), "accept plus two per connection");

        proxy.close();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (liveThreads(prefix) > 0 && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        assertEquals(0, liveThreads(prefix));
        for (Socket client : clients) {
          ClientEnd end = readToEnd(client);
          assertTrue(
              end.ending().equals(TestingTargetServer.EOF) || end.ending().equals(RESET),
              end.ending());
        }
        assertThrows(
            ConnectException.class, () -> new Socket(proxy.address().getAddress(), proxy.port()));
      } finally {
        proxy.close();
        for (Socket client : clients) {
          client.close();
        }
      }
    }
  }

  @Test
  void forwardsAtLoopbackSpeedWithoutAFault() throws Exception {
    int chunk = 1 << 20;
    int chunks = 256;
    byte[] payload = payload(14, chunk);
    try (TestingTargetServer target = TestingTargetServer.start(Mode.DISCARD);
        FaultProxy proxy = new FaultProxy(target.address()).start();
        Socket client = connect(proxy)) {
      long started = System.nanoTime();
      OutputStream out = client.getOutputStream();
      for (int i = 0; i < chunks; i++) {
        out.write(payload);
      }
      client.shutdownOutput();
      Peer peer = target.awaitPeer(0, WAIT);
      assertEquals(TestingTargetServer.EOF, peer.awaitEnding(WAIT));
      double megabytesPerSecond =
          (double) chunk * chunks / 1e6 / ((peer.endedAtNanos() - started) / 1e9);
      assertEquals((long) chunk * chunks, peer.receivedCount());
      // Typically 0.6 to 1.4 GB/s on a two-core box. The floor is below the 300 MB/s goal so a
      // box busy with parallel builds does not fail it, while a per-byte copy, small buffers or
      // Nagle-bound writes, which land far lower, still do.
      assertTrue(megabytesPerSecond >= 200, megabytesPerSecond + " MB/s");
    }
  }

  /** What a client read before its stream ended, and how it ended. */
  private record ClientEnd(byte[] bytes, String ending) {
    @Override
    public boolean equals(Object o) {
      return o instanceof ClientEnd other
          && Arrays.equals(bytes, other.bytes)
          && ending.equals(other.ending);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(bytes) + ending.hashCode();
    }

    @Override
    public String toString() {
      return "ClientEnd[" + bytes.length + " bytes, " + ending + "]";
    }
  }

  private static Socket connect(FaultProxy proxy) throws IOException {
    Socket socket = new Socket(proxy.address().getAddress(), proxy.port());
    socket.setSoTimeout((int) WAIT.toMillis());
    return socket;
  }

  /** Reads until end of stream or an error; a read timeout is a test failure, not an ending. */
  private static ClientEnd readToEnd(Socket socket) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    byte[] buffer = new byte[64 * 1024];
    InputStream in = socket.getInputStream();
    try {
      while (true) {
        int n = in.read(buffer);
        if (n < 0) {
          return new ClientEnd(bytes.toByteArray(), TestingTargetServer.EOF);
        }
        bytes.write(buffer, 0, n);
      }
    } catch (SocketTimeoutException e) {
      throw e;
    } catch (SocketException e) {
      return new ClientEnd(bytes.toByteArray(), e.getMessage());
    }
  }

  /** Writes in the background; errors are expected when a fault closes the socket under it. */
  private Future<?> writeInBackground(Socket socket, byte[] payload, boolean shutdownAfter) {
    return background.submit(
        () -> {
          OutputStream out = socket.getOutputStream();
          out.write(payload);
          if (shutdownAfter) {
            socket.shutdownOutput();
          }
          return null;
        });
  }

  private static void awaitAccepted(FaultProxy proxy, int count) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (proxy.connectionsAccepted() < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("accepted " + proxy.connectionsAccepted() + " of " + count);
      }
      Thread.sleep(1);
    }
  }

  private static int liveThreads(String prefix) {
    return (int)
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.isAlive() && t.getName().startsWith(prefix))
            .count();
  }

  private static byte[] payload(long seed, int length) {
    byte[] bytes = new byte[length];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }
}

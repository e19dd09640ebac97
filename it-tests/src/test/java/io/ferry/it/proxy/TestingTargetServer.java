package io.ferry.it.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The far end of the proxy in {@link FaultProxyTest}: a server on 127.0.0.1 that records, per
 * accepted connection, what arrived, when, and how the stream ended ("EOF" or the exception
 * message), so tests can assert exactly what a fault let through.
 *
 * <p>Peers are numbered in the server's own accept order, which matches the proxy's connection
 * index only when one connection is open at a time.
 */
final class TestingTargetServer implements AutoCloseable {

  enum Mode {
    /** Record everything and write it straight back. */
    ECHO,
    /** Record everything, answer only what a test {@link Peer#send(byte[]) sends}. */
    SINK,
    /** Count bytes without keeping them, for transfers too large to hold. */
    DISCARD
  }

  static final String EOF = "EOF";

  private final Mode mode;
  private final ServerSocket server;
  private final List<Peer> peers = new ArrayList<>(); // guarded by itself
  private final List<Thread> threads = new ArrayList<>(); // guarded by peers

  private TestingTargetServer(Mode mode) throws IOException {
    this.mode = mode;
    this.server = new ServerSocket(0, 50, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
    spawn("testing-target-accept", this::acceptLoop);
  }

  static TestingTargetServer start(Mode mode) throws IOException {
    return new TestingTargetServer(mode);
  }

  InetSocketAddress address() {
    return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
  }

  Peer awaitPeer(int index, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (peers) {
      while (peers.size() <= index) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          throw new AssertionError("no peer " + index + " within " + timeout + ": " + peers.size());
        }
        TimeUnit.NANOSECONDS.timedWait(peers, remaining);
      }
      return peers.get(index);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    List<Thread> toJoin;
    synchronized (peers) {
      peers.forEach(Peer::closeQuietly);
      toJoin = List.copyOf(threads);
    }
    try {
      for (Thread thread : toJoin) {
        thread.join(5_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void acceptLoop() {
    while (true) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        return;
      }
      Peer peer = new Peer(socket);
      synchronized (peers) {
        peers.add(peer);
        peers.notifyAll();
        spawn("testing-target-peer-" + (peers.size() - 1), peer::serve);
      }
    }
  }

  private void spawn(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    synchronized (peers) {
      threads.add(thread);
    }
    thread.start();
  }

  /** One accepted connection and everything observed on it. */
  final class Peer {
    private final Socket socket;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream(); // guarded
    private final AtomicLong count = new AtomicLong();
    private final CompletableFuture<String> ending = new CompletableFuture<>();
    private volatile long endedAtNanos;

    private Peer(Socket socket) {
      this.socket = socket;
    }

    long receivedCount() {
      return count.get();
    }

    byte[] received() {
      synchronized (received) {
        return received.toByteArray();
      }
    }

    /** {@link #EOF} or the message of the exception that ended the stream. */
    String awaitEnding(Duration timeout) throws Exception {
      try {
        return ending.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        throw new AssertionError(
            "stream still open after " + timeout + " with " + count.get() + " bytes", e);
      } catch (ExecutionException e) {
        throw new AssertionError(e.getCause());
      }
    }

    long endedAtNanos() {
      return endedAtNanos;
    }

    void send(byte[] bytes) throws IOException {
      OutputStream out = socket.getOutputStream();
      out.write(bytes);
      out.flush();
    }

    /** Polls until at least {@code bytes} arrived; fails after {@code timeout}. */
    void awaitReceived(long bytes, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (count.get() < bytes) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("received " + count.get() + " of " + bytes + " in " + timeout);
        }
        Thread.sleep(5);
      }
    }

    private void serve() {
      byte[] buffer = new byte[64 * 1024];
      try {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        while (true) {
          int n = in.read(buffer);
          if (n < 0) {
            end(EOF);
            if (mode == Mode.ECHO) {
              socket.shutdownOutput();
            }
            return;
          }
          if (mode != Mode.DISCARD) {
            synchronized (received) {
              received.write(buffer, 0, n);
            }
          }
          count.addAndGet(n);
          if (mode == Mode.ECHO) {
            out.write(buffer, 0, n);
          }
        }
      } catch (IOException e) {
        end(String.valueOf(e.getMessage()));
      } finally {
        if (mode != Mode.ECHO) {
          closeQuietly();
        }
      }
    }

    private void end(String how) {
      endedAtNanos = System.nanoTime();
      ending.complete(how);
    }

    private void closeQuietly() {
      try {
        socket.close();
      } catch (IOException e) {
        // The test is over with this socket.
      }
    }
  }
}

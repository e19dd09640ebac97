package io.ferry.it.proxy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy on 127.0.0.1 that forwards every accepted connection to one target and breaks
 * chosen connections on purpose, so the integration suites can check what a migration does when
 * its main channel or one of its multifd channels fails.
 *
 * <p>A migration opens its main channel and then N multifd channels through the proxy; each
 * accepted client gets its own connection to the target, and connections are numbered in accept
 * order from 0. A {@link Fault} is armed per connection index with {@link #arm(int, Fault)} or for
 * every connection without one of its own with {@link #armAll(Fault)}, before the client arrives
 * or while it is live:
 *
 * <pre>{@code
 * try (FaultProxy proxy = new FaultProxy(destination).start()) {
 *   proxy.arm(2, Fault.cutAfter(1 << 20));        // second multifd channel, after 1 MiB
 *   // ... point the migration source at proxy.address() and migrate ...
 *   assertTrue(proxy.awaitTriggered(2, Duration.ofSeconds(10)));
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> One accept thread, and per connection one thread per direction (blocking
 * sockets, 64 KiB buffers: these are test links, not the data path, and blocking copies on loopback
 * run at well over 300 MB/s). All are daemon threads, named {@code fault-proxy-<port>-accept}
 * and {@code fault-proxy-<port>-conn<k>-c2t} / {@code -t2c}. {@code arm}, {@code release} and the
 * observers may be called from any thread and never block on I/O.
 *
 * <p><b>Lifecycle.</b> {@code new} → {@link #start()} binds and starts accepting → {@link
 * #close()} stops accepting, closes every socket, wakes every stalled or throttled pump and joins
 * all threads, so nothing outlives the test that opened the proxy.
 */
public final class FaultProxy implements AutoCloseable {

  private static final int BACKLOG = 128;
  private static final long CLOSE_JOIN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

  /** Pause after a failed accept (such as EMFILE) so the accept thread does not spin. */
  private static final long ACCEPT_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final int listenPort;
  private final InetSocketAddress target;
  private final ConcurrentMap<Integer, ProxiedConnection> connections = new ConcurrentHashMap<>();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();

  /** Orders creating a connection against changing the default, so none misses armAll. */
  private final Object defaultLock = new Object();

  private volatile Fault defaultFault = Fault.none();

  private final Object lifecycleLock = new Object();
  private ServerSocket server; // guarded by lifecycleLock
  private boolean started; // guarded by lifecycleLock
  private boolean closed; // guarded by lifecycleLock
  private volatile int port = -1;

  /** A proxy to {@code target} that will listen on an ephemeral port of 127.0.0.1. */
  public FaultProxy(InetSocketAddress target) {
    this(0, target);
  }

  /** A proxy to {@code target} that will listen on {@code listenPort} of 127.0.0.1 (0: any). */
  public FaultProxy(int listenPort, InetSocketAddress target) {
    if (listenPort < 0 || listenPort > 0xFFFF) {
      throw new IllegalArgumentException("listenPort must be in 0..65535, was " + listenPort);
    }
    this.listenPort = listenPort;
    this.target = Objects.requireNonNull(target, "target");
  }

  /**
   * Binds the listening socket and starts accepting.
   *
   * @return this, for {@code try (FaultProxy p = new FaultProxy(t).start())}
   * @throws IllegalStateException if already started or closed
   */
  public FaultProxy start() throws IOException {
    synchronized (lifecycleLock) {
      if (closed) {
        throw new IllegalStateException("fault proxy to " + target + " is closed");
      }
      if (started) {
        throw new IllegalStateException("fault proxy already started on port " + port);
      }
      ServerSocket socket = new ServerSocket();
      try {
        socket.bind(new InetSocketAddress(loopback(), listenPort), BACKLOG);
      } catch (IOException e) {
        socket.close();
        throw e;
      }
      server = socket;
      port = socket.getLocalPort();
      started = true;
      startThread("accept", () -> acceptLoop(socket));
    }
    return this;
  }

  /**
   * The port the proxy listens on.
   *
   * @throws IllegalStateException before {@link #start()}
   */
  public int port() {
    int p = port;
    if (p < 0) {
      throw new IllegalStateException("fault proxy to " + target + " not started");
    }
    return p;
  }

  /** The address clients connect to: 127.0.0.1 and {@link #port()}. */
  public InetSocketAddress address() {
    return new InetSocketAddress(loopback(), port());
  }

  /** The address every connection is forwarded to. */
  public InetSocketAddress target() {
    return target;
  }

  /**
   * Arms {@code fault} for the connection with index {@code connectionIndex}, replacing whatever
   * it had, and resets {@link #faultTriggered(int)} for it. Works before the connection is
   * accepted and while it is live: offsets are absolute, so a cut, reset or stall whose offset
   * the live connection has already passed fires at once, and a start delay only counts for a
   * connection accepted after arming. A stall already in effect stays until {@link #release(int)}.
   *
   * @throws IllegalStateException if {@code fault} corrupts a byte the live connection has already
   *     forwarded, since that fault could never fire
   */
  public void arm(int connectionIndex, Fault fault) {
    checkIndex(connectionIndex);
    Objects.requireNonNull(fault, "fault");
    connection(connectionIndex).armIndividually(fault);
  }

  /**
   * Arms {@code fault} for every connection, live or still to come, that was not given a fault of
   * its own with {@link #arm(int, Fault)}. A live connection that has already passed the offset of
   * a {@code corruptByteAt} fault is left with a fault that never fires.
   */
  public void armAll(Fault fault) {
    Objects.requireNonNull(fault, "fault");
    synchronized (defaultLock) {
      defaultFault = fault;
      for (ProxiedConnection connection : connections.values()) {
        connection.armByDefault(fault);
      }
    }
  }

  /** Lets a connection stalled by {@link Fault#stallAfter(long)} forward again both ways. */
  public void release(int connectionIndex) {
    checkIndex(connectionIndex);
    ProxiedConnection connection = connections.get(connectionIndex);
    if (connection != null) {
      connection.release();
    }
  }

  /**
   * Bytes written onward so far for one connection and direction, after any corruption; 0 for a
   * connection not accepted yet.
   */
  public long bytesForwarded(int connectionIndex, Direction direction) {
    checkIndex(connectionIndex);
    Objects.requireNonNull(direction, "direction");
    ProxiedConnection connection = connections.get(connectionIndex);
    return connection == null ? 0 : connection.forwarded(direction);
  }

  /** How many clients have been accepted; the next client gets this number as its index. */
  public int connectionsAccepted() {
    return accepted.get();
  }

  /**
   * Whether the fault armed for the connection has taken effect: the cut, reset or stall happened,
   * the byte was corrupted, the first throttled bytes went out, or a pure start delay elapsed.
   * {@link Fault#none()} never triggers.
   */
  public boolean faultTriggered(int connectionIndex) {
    checkIndex(connectionIndex);
    ProxiedConnection connection = connections.get(connectionIndex);
    return connection != null && connection.triggered();
  }

  /**
   * Waits until {@link #faultTriggered(int)} is true, for a connection that may not exist yet.
   *
   * @return false if {@code timeout} passed first
   */
  public boolean awaitTriggered(int connectionIndex, Duration timeout)
      throws InterruptedException {
    checkIndex(connectionIndex);
    Objects.requireNonNull(timeout, "timeout");
    return connection(connectionIndex).awaitTriggered(timeout);
  }

  /**
   * Stops accepting, closes every proxied socket (peers see end of stream or a reset), releases
   * stalled connections into that close and waits up to five seconds for every proxy thread to
   * end. Idempotent.
   */
  @Override
  public void close() {
    ServerSocket socket;
    synchronized (lifecycleLock) {
      if (closed) {
        return;
      }
      closed = true;
      socket = server;
    }
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        // The accept thread ends either way: accept() fails on a closed socket.
      }
    }
    for (ProxiedConnection connection : connections.values()) {
      connection.shutdown();
    }
    long deadline = System.nanoTime() + CLOSE_JOIN_TIMEOUT_NANOS;
    for (Thread thread : List.copyOf(threads)) {
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        break;
      }
      try {
        TimeUnit.NANOSECONDS.timedJoin(thread, remaining);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void acceptLoop(ServerSocket socket) {
    while (true) {
      Socket client;
      try {
        client = socket.accept();
      } catch (IOException e) {
        if (socket.isClosed()) {
          return;
        }
        LockSupport.parkNanos(ACCEPT_RETRY_NANOS);
        continue;
      }
      long acceptedAt = System.nanoTime();
      int index = accepted.getAndIncrement();
      connection(index).open(client, acceptedAt);
    }
  }

  private ProxiedConnection connection(int index) {
    ProxiedConnection existing = connections.get(index);
    if (existing != null) {
      return existing;
    }
    synchronized (defaultLock) {
      return connections.computeIfAbsent(
          index, i -> new ProxiedConnection(i, target, this::startThread, defaultFault));
    }
  }

  /**
   * Starts a daemon thread named {@code fault-proxy-<port>-<role>} and tracks it for {@link
   * #close()}; refuses once closing has begun, so close() never misses a thread.
   */
  private boolean startThread(String role, Runnable body) {
    synchronized (lifecycleLock) {
      if (closed) {
        return false;
      }
      Thread thread =
          new Thread(
              () -> {
                try {
                  body.run();
                } finally {
                  threads.remove(Thread.currentThread());
                }
              },
              "fault-proxy-" + port + "-" + role);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
      return true;
    }
  }

  private static void checkIndex(int connectionIndex) {
    if (connectionIndex < 0) {
      throw new IllegalArgumentException("connectionIndex must be >= 0, was " + connectionIndex);
    }
  }

  /** 127.0.0.1 by address, not by name, so an IPv6-first resolver cannot turn it into ::1. */
  private static InetAddress loopback() {
    try {
      return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
    } catch (UnknownHostException e) {
      throw new AssertionError("a four-byte address is always valid", e);
    }
  }
}

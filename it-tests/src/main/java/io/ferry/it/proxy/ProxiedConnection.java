package io.ferry.it.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One index of a {@link FaultProxy}: the fault armed for it and, once a client was accepted
 * under that index, the two sockets and the two pump threads that copy between them.
 *
 * <p>The proxy creates the object the first time the index is mentioned, which may be before the
 * client arrives ({@code arm(3, …)} for a channel that does not exist yet), so "armed" and "open"
 * are separate states. The threads, all started through the proxy so that {@code close()} can
 * join them:
 *
 * <pre>
 *   accept thread ──open()──▶ c2t thread: connect target, start t2c, pump client ─▶ target
 *                                                          t2c thread: pump target ─▶ client
 * </pre>
 *
 * <p>Each pump reads up to 64 KiB, then, holding this object's monitor, waits at the gate (start
 * delay, stall) and <em>commits</em> the bytes it is about to write: it decides from the fault
 * how many of them go out and advances the direction's committed offset. The write itself happens
 * outside the monitor so that {@code arm}, {@code release} and {@code close} never wait behind a
 * blocked socket. Offsets in a {@link Fault} are compared with the committed offset, which is why
 * a cut at N forwards exactly N bytes however the reads happen to be split, and why a fault armed
 * while bytes are in flight either covers them completely or not at all.
 *
 * <p>End of stream is passed on as a half close, so a peer that closes its sending side still
 * gets the other side's answer; a read or write error is passed on as a reset. When the
 * connection is torn down, for a fault, an error or {@code close()}, both sockets close and every
 * waiting pump wakes up and returns.
 */
final class ProxiedConnection {

  /** Starts a named daemon thread for the proxy, or returns false once the proxy is closing. */
  interface ThreadStarter {
    boolean start(String role, Runnable body);
  }

  static final int BUFFER_SIZE = 64 * 1024;

  private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

  /** Upper bound on one pacing sleep, so a throttled pump notices {@code close()} quickly. */
  private static final long MAX_PACING_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private enum Teardown {
    /** Plain close: the peer sees end of stream (or RST if it had unread data with us). */
    CLOSE,
    /** SO_LINGER 0, then close: the peer always sees RST. */
    RESET
  }

  /** What a pump does with the bytes it just committed. */
  private record Step(
      Fault fault, int length, boolean fireAfter, int corruptIndex, TokenBucket bucket) {
    static Step forward(Fault fault, int length) {
      return new Step(fault, length, false, -1, null);
    }
  }

  private final int index;
  private final InetSocketAddress targetAddress;
  private final ThreadStarter threads;
  private final AtomicLong[] forwarded = {new AtomicLong(), new AtomicLong()};

  // Everything below is guarded by this; closed is also read without the lock while pacing.
  private Fault fault;
  private boolean armedIndividually;
  private boolean fired;
  private CountDownLatch triggered = new CountDownLatch(1);
  private final long[] committed = new long[2];
  private final TokenBucket[] buckets = new TokenBucket[2];
  private final Fault[] bucketFaults = new Fault[2];
  private Socket clientSocket;
  private Socket targetSocket;
  private boolean opened;
  private boolean connected;
  private volatile boolean closed;
  private boolean stalled;
  private boolean startPending;
  private long startAtNanos;
  private int halfClosed;

  ProxiedConnection(
      int index, InetSocketAddress targetAddress, ThreadStarter threads, Fault initialFault) {
    this.index = index;
    this.targetAddress = Objects.requireNonNull(targetAddress, "targetAddress");
    this.threads = Objects.requireNonNull(threads, "threads");
    this.fault = Objects.requireNonNull(initialFault, "initialFault");
  }

  /**
   * Arms {@code newFault} for this index, overriding the proxy-wide default from now on. On an
   * open connection a cut, reset or stall whose offset was already committed fires at once.
   *
   * @throws IllegalStateException if {@code newFault} corrupts a byte that was already forwarded
   */
  synchronized void armIndividually(Fault newFault) {
    Objects.requireNonNull(newFault, "fault");
    if (newFault.kind() == Fault.Kind.CORRUPT_BYTE_AT) {
      long position = committed[newFault.direction().ordinal()];
      if (position > newFault.offset()) {
        throw new IllegalStateException(
            "connection "
                + index
                + " already forwarded "
                + position
                + " bytes "
                + newFault.direction()
                + ", so offset "
                + newFault.offset()
                + " of "
                + newFault
                + " can no longer be corrupted");
      }
    }
    armedIndividually = true;
    replaceFault(newFault);
  }

  /** Arms the proxy-wide default, unless this index has a fault of its own. */
  synchronized void armByDefault(Fault newFault) {
    if (!armedIndividually) {
      replaceFault(newFault);
    }
  }

  /** Lets a stalled connection forward again; a no-op otherwise. */
  synchronized void release() {
    stalled = false;
    notifyAll();
  }

  /** Closes both sockets and wakes every pump; used by {@link FaultProxy#close()}. */
  synchronized void shutdown() {
    teardown(Teardown.CLOSE);
  }

  long forwarded(Direction direction) {
    return forwarded[direction.ordinal()].get();
  }

  synchronized boolean triggered() {
    return triggered.getCount() == 0;
  }

  boolean awaitTriggered(Duration timeout) throws InterruptedException {
    CountDownLatch latch;
    synchronized (this) {
      latch = triggered;
    }
    return latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Takes over an accepted client and starts the client-to-target thread, which connects to the
   * target. Runs on the accept thread, so it must not block.
   */
  void open(Socket client, long acceptedAtNanos) {
    synchronized (this) {
      if (closed || opened) {
        closeQuietly(client);
        return;
      }
      opened = true;
      clientSocket = client;
      startPending = !fault.startDelay().isZero();
      startAtNanos = acceptedAtNanos + fault.startDelay().toNanos();
    }
    if (!threads.start("conn" + index + "-c2t", this::runClientToTarget)) {
      shutdown();
    }
  }

  private void runClientToTarget() {
    Socket target = new Socket();
    Socket client;
    synchronized (this) {
      if (closed) {
        closeQuietly(target);
        return;
      }
      // Registered before connecting so that close() can abort a connect in progress.
      targetSocket = target;
      client = clientSocket;
    }
    try {
      // The proxy must not add Nagle delays the endpoints did not ask for.
      client.setTcpNoDelay(true);
      target.setTcpNoDelay(true);
      target.connect(targetAddress, CONNECT_TIMEOUT_MILLIS);
    } catch (IOException e) {
      // A refused target looks to the client as it would without the proxy: a reset.
      synchronized (this) {
        teardown(Teardown.RESET);
      }
      return;
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      connected = true;
      Runnable targetToClient = () -> pump(Direction.TARGET_TO_CLIENT, target, client);
      if (!threads.start("conn" + index + "-t2c", targetToClient)) {
        teardown(Teardown.CLOSE);
        return;
      }
      fireIfReached();
    }
    pump(Direction.CLIENT_TO_TARGET, client, target);
  }

  private void pump(Direction direction, Socket from, Socket to) {
    int d = direction.ordinal();
    byte[] buffer = new byte[BUFFER_SIZE];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      while (true) {
        synchronized (this) {
          if (!awaitGate()) {
            return;
          }
        }
        int read = in.read(buffer);
        if (read < 0) {
          passOnEndOfStream(to);
          return;
        }
        int offset = 0;
        while (offset < read) {
          Step step;
          synchronized (this) {
            if (!awaitGate()) {
              return;
            }
            step = plan(direction, read - offset);
            committed[d] += step.length();
          }
          if (step.bucket() != null && !pace(step.bucket(), step.length())) {
            return;
          }
          if (step.corruptIndex() >= 0) {
            buffer[offset + step.corruptIndex()] ^= (byte) step.fault().xorMask();
          }
          if (step.length() > 0) {
            out.write(buffer, offset, step.length());
            forwarded[d].addAndGet(step.length());
          }
          offset += step.length();
          if (step.fireAfter()) {
            synchronized (this) {
              // A fault re-armed while these bytes were written no longer applies to them.
              if (fault == step.fault() && !fired) {
                fire();
              }
            }
          }
        }
      }
    } catch (IOException e) {
      // Our own teardown also lands here (socket closed under a blocked read); then closed is
      // already set. Otherwise a peer failed, and the other peer learns it the same way.
      synchronized (this) {
        teardown(Teardown.RESET);
      }
    }
  }

  private void passOnEndOfStream(Socket to) throws IOException {
    synchronized (this) {
      // A stalled link does not deliver a FIN either.
      if (!awaitGate()) {
        return;
      }
      to.shutdownOutput();
      if (++halfClosed == 2) {
        teardown(Teardown.CLOSE);
      }
    }
  }

  /** Decides, holding the monitor, what happens to the next {@code available} bytes. */
  private Step plan(Direction direction, int available) {
    Fault f = fault;
    if (f.direction() != direction) {
      return Step.forward(f, available);
    }
    long position = committed[direction.ordinal()];
    switch (f.kind()) {
      case CUT_AFTER:
      case RESET_AFTER:
      case STALL_AFTER:
        {
          if (fired) {
            return Step.forward(f, available);
          }
          long left = f.offset() - position;
          int length = (int) Math.max(0, Math.min(available, left));
          return new Step(f, length, length >= left, -1, null);
        }
      case CORRUPT_BYTE_AT:
        {
          long at = f.offset() - position;
          if (!fired && at >= 0 && at < available) {
            return new Step(f, available, true, (int) at, null);
          }
          return Step.forward(f, available);
        }
      case SLOW:
        {
          int d = direction.ordinal();
          if (bucketFaults[d] != f) {
            long rate = f.bytesPerSecond();
            buckets[d] = new TokenBucket(rate, pacingCapacity(rate), System.nanoTime());
            bucketFaults[d] = f;
          }
          int length = (int) Math.min(available, pacingChunk(f.bytesPerSecond()));
          return new Step(f, length, !fired, -1, buckets[d]);
        }
      case NONE:
      default:
        return Step.forward(f, available);
    }
  }

  /**
   * Writes in pieces of 20 ms worth of bytes so the receiver sees a steady trickle rather than
   * 64 KiB bursts, which matters for slow rates where one buffer would be seconds of traffic.
   */
  static long pacingChunk(long bytesPerSecond) {
    return Math.max(1, Math.min(BUFFER_SIZE, bytesPerSecond / 50));
  }

  /** 50 ms worth of tokens: enough to forgive scheduler oversleep, small enough to keep 10 %. */
  static long pacingCapacity(long bytesPerSecond) {
    return Math.max(pacingChunk(bytesPerSecond), bytesPerSecond / 20);
  }

  /** Sleeps until the bucket allows {@code length} bytes; false if the connection closed. */
  private boolean pace(TokenBucket bucket, int length) {
    long now = System.nanoTime();
    long deadline = now + bucket.reserve(length, now);
    while (true) {
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        return true;
      }
      if (closed) {
        return false;
      }
      LockSupport.parkNanos(Math.min(remaining, MAX_PACING_PARK_NANOS));
    }
  }

  /**
   * Waits, holding the monitor, until this connection may forward: not stalled and past its start
   * delay. Returns false once the connection is closed.
   */
  private boolean awaitGate() throws InterruptedIOException {
    try {
      while (!closed) {
        if (stalled) {
          wait();
          continue;
        }
        if (startPending) {
          long remaining = startAtNanos - System.nanoTime();
          if (remaining > 0) {
            TimeUnit.NANOSECONDS.timedWait(this, remaining);
            continue;
          }
          startPending = false;
          // For a pure delayStart fault the delay is the whole fault.
          if (fault.kind() == Fault.Kind.NONE && !fault.startDelay().isZero() && !fired) {
            fired = true;
            triggered.countDown();
          }
        }
        return true;
      }
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      teardown(Teardown.CLOSE);
      throw new InterruptedIOException("fault proxy connection " + index + " interrupted");
    }
  }

  private void replaceFault(Fault newFault) {
    fault = newFault;
    fired = false;
    if (triggered.getCount() == 0) {
      triggered = new CountDownLatch(1);
    }
    if (connected) {
      fireIfReached();
    }
  }

  private void fireIfReached() {
    if (!closed
        && fault.isThreshold()
        && !fired
        && committed[fault.direction().ordinal()] >= fault.offset()) {
      fire();
    }
  }

  private void fire() {
    fired = true;
    switch (fault.kind()) {
      case CUT_AFTER -> teardown(Teardown.CLOSE);
      case RESET_AFTER -> teardown(Teardown.RESET);
      case STALL_AFTER -> stalled = true;
      default -> {
        // SLOW and CORRUPT_BYTE_AT have already acted on the bytes just written.
      }
    }
    triggered.countDown();
  }

  private void teardown(Teardown mode) {
    if (closed) {
      return;
    }
    closed = true;
    for (Socket socket : new Socket[] {clientSocket, targetSocket}) {
      if (socket == null) {
        continue;
      }
      if (mode == Teardown.RESET) {
        try {
          socket.setSoLinger(true, 0);
        } catch (IOException e) {
          // Not connected (yet): there is no peer to reset.
        }
      }
      closeQuietly(socket);
    }
    notifyAll();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // Closing is all that is left to do with it.
    }
  }
}

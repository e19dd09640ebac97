package io.ferry.devices.model;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Common machinery of the models' {@link SavingStream} and {@link ResumingStream} implementations:
 * the open / closed / invalidated life cycle and a cancellable wait.
 *
 * <p>A stream is <i>invalidated</i> by its device ({@link AbstractDeviceModel}) when its session
 * ends, on reset, on entering ERROR and on close; every later operation throws {@link
 * Errno#ENODEV}. It is <i>closed</i> by its user; every later operation throws {@link Errno#EBADF}.
 * A thread blocked in {@link #awaitCancellable} wakes on either, and on interruption, and fails
 * with ECANCELED (closed, interrupted) or ENODEV (invalidated).
 */
public abstract class AbstractDataStream {
  private final String deviceId;
  private final Object monitor = new Object();
  private volatile boolean closed;
  private volatile String invalidatedBecause;

  /** Bytes moved through the stream; maintained by subclasses. */
  protected long position;

  protected AbstractDataStream(String deviceId) {
    this.deviceId = Objects.requireNonNull(deviceId, "deviceId");
  }

  /** The device the stream belongs to. */
  public final String deviceId() {
    return deviceId;
  }

  /** Bytes read or written so far. */
  public long position() {
    return position;
  }

  /** False after {@link #close()} or invalidation. */
  public boolean isOpen() {
    return !closed && invalidatedBecause == null;
  }

  /** Closes the stream; wakes a blocked reader, which then fails with ECANCELED. */
  public void close() {
    closed = true;
    synchronized (monitor) {
      monitor.notifyAll();
    }
  }

  /** Ends the stream's session; later operations fail with ENODEV naming {@code reason}. */
  public final void invalidate(String reason) {
    if (invalidatedBecause == null) {
      invalidatedBecause = reason;
    }
    synchronized (monitor) {
      monitor.notifyAll();
    }
    onInvalidate();
  }

  /** Hook for subclasses that hold resources (called after the flag is set; may run twice). */
  protected void onInvalidate() {}

  /** True once invalidated by the device. */
  public final boolean isInvalidated() {
    return invalidatedBecause != null;
  }

  /**
   * Throws if the stream can no longer be used: ENODEV when invalidated, EBADF when closed.
   * Invalidation wins: it explains why the session ended.
   */
  protected final void checkUsable() throws DeviceException {
    String reason = invalidatedBecause;
    if (reason != null) {
      throw new DeviceException(deviceId, Errno.ENODEV, "stream disabled: " + reason);
    }
    if (closed) {
      throw new DeviceException(deviceId, Errno.EBADF, "stream was closed");
    }
  }

  /**
   * Waits up to {@code nanos} (forever if negative) without holding any device lock. Returns
   * normally when the time is up.
   *
   * @throws DeviceException ECANCELED when closed or the thread is interrupted (the interrupt flag
   *     is restored), ENODEV when invalidated
   */
  protected final void awaitCancellable(long nanos, String what) throws DeviceException {
    long deadline = nanos < 0 ? Long.MAX_VALUE : System.nanoTime() + nanos;
    synchronized (monitor) {
      while (true) {
        String reason = invalidatedBecause;
        if (reason != null) {
          throw new DeviceException(
              deviceId, Errno.ENODEV, what + " ended: stream disabled: " + reason);
        }
        if (closed) {
          throw new DeviceException(
              deviceId, Errno.ECANCELED, what + " cancelled: stream closed at offset " + position);
        }
        long left = nanos < 0 ? Long.MAX_VALUE : deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        try {
          if (nanos < 0) {
            monitor.wait();
          } else {
            TimeUnit.NANOSECONDS.timedWait(monitor, left);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new DeviceException(
              deviceId,
              Errno.ECANCELED,
              what + " cancelled: thread interrupted at offset " + position,
              e);
        }
      }
    }
  }
}

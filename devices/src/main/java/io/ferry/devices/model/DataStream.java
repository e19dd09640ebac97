package io.ferry.devices.model;

/**
 * A migration data stream, the equivalent of the uAPI's {@code data_fd}: strictly sequential, no
 * seeking, single consumer. It is returned by {@link DeviceModel#setState} only on the arcs where
 * the kernel returns a {@code data_fd}.
 *
 * <p>After the session ends (an arc out of the saving group, RESUMING to STOP, a reset, ERROR or
 * {@link DeviceModel#close()}), every operation fails with {@link Errno#ENODEV}; after {@link
 * #close()} by the caller it fails with {@link Errno#EBADF}.
 */
public sealed interface DataStream extends AutoCloseable permits SavingStream, ResumingStream {

  /** The device the stream belongs to. */
  String deviceId();

  /** Bytes read from or written to this stream so far. */
  long position();

  /** False after close() or once the session ended. */
  boolean isOpen();

  /**
   * Closes the stream like closing the {@code data_fd}: the device state does not change. Safe to
   * call from any thread; a read blocked in the stream then fails with {@link Errno#ECANCELED}.
   */
  @Override
  void close();
}

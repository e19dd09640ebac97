package io.ferry.devices.model;

import java.nio.ByteBuffer;

/**
 * The read side of a saving session (PRE_COPY, PRE_COPY_P2P, STOP_COPY).
 *
 * <p><b>Threading.</b> A read may block (a model may simulate a firmware SAVE, a rate cap or a
 * stall), so callers must run reads on a blocking dispatcher, never on Akka's default dispatcher. A
 * blocked read ends with {@link Errno#ECANCELED} when the reading thread is interrupted or when
 * another thread calls {@link #close()}, and with {@link Errno#ENODEV} when the device is reset.
 * One thread reads at a time; {@code close()}, {@link DeviceModel#reset()} and {@link
 * DeviceModel#setState} may be called from other threads.
 */
public non-sealed interface SavingStream extends DataStream {

  /**
   * Reads the next bytes of the stream into {@code dst}, from its position, at most {@code
   * dst.remaining()} bytes; advances the position by the count returned. Reads may be short.
   *
   * @return {@link ReadResult.Data} with the count, {@link ReadResult#NO_DATA_YET} at a PRE_COPY
   *     temporary end, or {@link ReadResult#END_OF_STREAM} after the last STOP_COPY byte
   * @throws DeviceException ENODEV after the session ended, EBADF after close(), ECANCELED if a
   *     blocked read was cancelled, EIO (or another errno) for a device error
   */
  ReadResult read(ByteBuffer dst) throws DeviceException;

  /**
   * {@code VFIO_MIG_GET_PRECOPY_INFO}, valid only while the device is in PRE_COPY or PRE_COPY_P2P.
   *
   * @throws DeviceException EINVAL in any other state
   */
  PrecopyInfo precopyInfo() throws DeviceException;
}

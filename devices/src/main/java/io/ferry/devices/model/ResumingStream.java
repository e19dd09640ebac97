package io.ferry.devices.model;

import java.nio.ByteBuffer;

/**
 * The write side of a resuming session (RESUMING). The caller need not preserve the saving side's
 * segmentation: the device accepts the byte stream split at any boundary. Structural errors (bad
 * magic, unknown record, incompatible source) fail the write that completes the bad field; the
 * consistency of the whole state is checked by the RESUMING to STOP arc.
 *
 * <p><b>Threading.</b> Like reads, writes may block; callers must use a blocking dispatcher.
 */
public non-sealed interface ResumingStream extends DataStream {

  /**
   * Writes bytes from {@code src}, from its position; may accept fewer than {@code src.remaining()}
   * (the caller then writes the rest), and advances the position by the count.
   *
   * @return the number of bytes accepted
   * @throws DeviceException EINVAL (or EFAULT, ENOMEM) for malformed or incompatible data, with the
   *     stream offset and expected vs actual; ENODEV after the session ended
   */
  int write(ByteBuffer src) throws DeviceException;
}

package io.ferry.devices.model;

/**
 * The outcome of one {@link SavingStream#read}: data, the PRE_COPY temporary end, or the end of the
 * STOP_COPY data.
 */
public sealed interface ReadResult {
  /** The shared {@link NoDataYet} instance. */
  ReadResult NO_DATA_YET = new NoDataYet();

  /** The shared {@link EndOfStream} instance. */
  ReadResult END_OF_STREAM = new EndOfStream();

  /**
   * {@code bytes} bytes were put into the buffer. Zero only when the buffer had no room.
   *
   * @param bytes the number of bytes read
   */
  record Data(int bytes) implements ReadResult {
    public Data {
      if (bytes < 0) {
        throw new IllegalArgumentException("bytes must be >= 0, got " + bytes);
      }
    }
  }

  /**
   * PRE_COPY temporary end ({@code ENOMSG}): initial and dirty bytes are both zero now; more may
   * come later while the device runs. Never returned in STOP_COPY.
   */
  record NoDataYet() implements ReadResult {}

  /**
   * {@code read() == 0}. In STOP_COPY: all state was delivered, and every later read returns it
   * again. In PRE_COPY*, only a device configured with {@code precopy-end = zero} returns it, and
   * it then means the same as {@link NoDataYet} (mtty, HiSilicon and QAT drivers return 0 there).
   */
  record EndOfStream() implements ReadResult {}
}

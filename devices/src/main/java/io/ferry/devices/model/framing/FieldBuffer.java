package io.ferry.devices.model.framing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Collects a fixed-size field (a header, a record header, a trailer) from writes split at any byte
 * boundary: the resuming side's answer to arbitrary segmentation.
 */
public final class FieldBuffer {
  private final byte[] bytes;
  private final ByteBuffer view;
  private int size;
  private int filled;

  /** A collector able to hold up to {@code capacity} bytes. */
  public FieldBuffer(int capacity) {
    this.bytes = new byte[capacity];
    this.view = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Starts collecting a field of {@code size} bytes. */
  public void expect(int size) {
    if (size < 0 || size > bytes.length) {
      throw new IllegalArgumentException("field size " + size + " outside 0.." + bytes.length);
    }
    this.size = size;
    this.filled = 0;
  }

  /** Extends the field being collected to {@code size} bytes, keeping what was collected. */
  public void extendTo(int size) {
    if (size < filled || size > bytes.length) {
      throw new IllegalArgumentException(
          "field size " + size + " outside " + filled + ".." + bytes.length);
    }
    this.size = size;
  }

  /**
   * Moves up to the missing number of bytes from {@code src} (advancing its position).
   *
   * @return the number of bytes taken
   */
  public int fill(ByteBuffer src) {
    int n = Math.min(size - filled, src.remaining());
    src.get(bytes, filled, n);
    filled += n;
    return n;
  }

  /** True once {@code size} bytes were collected. */
  public boolean complete() {
    return filled == size;
  }

  /** Bytes collected so far. */
  public int filled() {
    return filled;
  }

  /** The field size being collected. */
  public int size() {
    return size;
  }

  /** The backing array (the field occupies {@code [0, size)}). */
  public byte[] array() {
    return bytes;
  }

  /** A little-endian view for absolute gets. */
  public ByteBuffer le() {
    return view;
  }
}

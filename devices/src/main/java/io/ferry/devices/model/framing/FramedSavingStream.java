package io.ferry.devices.model.framing;

import io.ferry.devices.model.AbstractDataStream;
import io.ferry.devices.model.DeviceException;
import io.ferry.devices.model.Errno;
import io.ferry.devices.model.MigrationState;
import io.ferry.devices.model.PrecopyInfo;
import io.ferry.devices.model.ReadResult;
import io.ferry.devices.model.SavingStream;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

/**
 * The saving side of {@link FramedFormat}: header, body from a {@link BodySource}, trailer, then
 * end of stream forever. Every read takes the owning device's lock.
 */
public final class FramedSavingStream extends AbstractDataStream implements SavingStream {

  /** Supplies body bytes. */
  @FunctionalInterface
  public interface BodySource {
    /**
     * Puts up to {@code max} body bytes, starting at body offset {@code offset}, into {@code dst}
     * at its position and advances it.
     *
     * @return the number of bytes put, at least 1 when {@code max > 0}
     */
    int read(ByteBuffer dst, long offset, int max) throws DeviceException;
  }

  private final Object lock;
  private final byte[] header;
  private final long bodyLength;
  private final BodySource body;
  private final Supplier<MigrationState> deviceState;
  private final CRC32C crc = new CRC32C();
  private final byte[] trailer = new byte[FramedFormat.TRAILER_BYTES];
  private long bodyDone;
  private int headerDone;
  private int trailerDone = -1;

  /**
   * @param lock the device lock, taken for each read
   * @param header the complete header ({@link FramedFormat#header})
   * @param bodyLength the body length announced in the header
   * @param deviceState the device's current state, for {@link #precopyInfo()}
   */
  public FramedSavingStream(
      String deviceId,
      Object lock,
      byte[] header,
      long bodyLength,
      BodySource body,
      Supplier<MigrationState> deviceState) {
    super(deviceId);
    this.lock = Objects.requireNonNull(lock, "lock");
    this.header = header.clone();
    this.bodyLength = bodyLength;
    this.body = Objects.requireNonNull(body, "body");
    this.deviceState = Objects.requireNonNull(deviceState, "deviceState");
  }

  /** Bytes still to be read until the end of stream. */
  public long remaining() {
    synchronized (lock) {
      if (trailerDone >= 0) {
        return FramedFormat.TRAILER_BYTES - trailerDone;
      }
      return (header.length - headerDone) + (bodyLength - bodyDone) + FramedFormat.TRAILER_BYTES;
    }
  }

  @Override
  public ReadResult read(ByteBuffer dst) throws DeviceException {
    Objects.requireNonNull(dst, "dst");
    synchronized (lock) {
      checkUsable();
      int start = dst.position();
      int crcMark = start;
      while (dst.hasRemaining()) {
        if (headerDone < header.length) {
          int n = Math.min(header.length - headerDone, dst.remaining());
          dst.put(header, headerDone, n);
          headerDone += n;
        } else if (bodyDone < bodyLength) {
          int max = (int) Math.min(bodyLength - bodyDone, dst.remaining());
          int before = dst.position();
          int n = body.read(dst, bodyDone, max);
          if (n <= 0 || dst.position() != before + n) {
            throw new DeviceException(
                deviceId(),
                Errno.EIO,
                "body source returned "
                    + n
                    + " bytes at body offset "
                    + bodyDone
                    + " of "
                    + bodyLength);
          }
          bodyDone += n;
        } else if (trailerDone < 0) {
          crcMark = updateCrc(dst, crcMark);
          var t = Bytes.le(trailer);
          t.putInt(0, FramedFormat.TAG_TRAILER);
          t.putInt(4, FramedFormat.TRAILER_BYTES - 8);
          t.putLong(8, bodyDone);
          crc.update(trailer, 0, FramedFormat.TRAILER_CRC_OFFSET);
          t.putInt(FramedFormat.TRAILER_CRC_OFFSET, (int) crc.getValue());
          t.putInt(20, 0);
          trailerDone = 0;
        } else if (trailerDone < trailer.length) {
          int n = Math.min(trailer.length - trailerDone, dst.remaining());
          dst.put(trailer, trailerDone, n);
          trailerDone += n;
          crcMark = dst.position();
        } else {
          break;
        }
      }
      updateCrc(dst, crcMark);
      int n = dst.position() - start;
      position += n;
      if (n > 0) {
        return new ReadResult.Data(n);
      }
      return trailerDone == trailer.length ? ReadResult.END_OF_STREAM : new ReadResult.Data(0);
    }
  }

  private int updateCrc(ByteBuffer dst, int from) {
    int to = dst.position();
    if (to > from) {
      ByteBuffer d = dst.duplicate();
      d.limit(to).position(from);
      crc.update(d);
    }
    return to;
  }

  /** These models have no precopy: EINVAL unless the device is in PRE_COPY*. */
  @Override
  public PrecopyInfo precopyInfo() throws DeviceException {
    synchronized (lock) {
      checkUsable();
      MigrationState s = deviceState.get();
      if (!s.isPrecopy()) {
        throw new DeviceException(
            deviceId(),
            Errno.EINVAL,
            "precopy info is valid only in PRE_COPY and PRE_COPY_P2P, device is in " + s);
      }
      return new PrecopyInfo(remaining() - FramedFormat.TRAILER_BYTES, 0);
    }
  }
}

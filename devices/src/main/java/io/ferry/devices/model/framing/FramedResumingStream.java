package io.ferry.devices.model.framing;

import io.ferry.devices.model.AbstractDataStream;
import io.ferry.devices.model.DeviceException;
import io.ferry.devices.model.Errno;
import io.ferry.devices.model.ResumingStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The resuming side of {@link FramedFormat}: a parser that accepts the byte stream split at any
 * boundary, checks the header (magic, version, length, then the model's compatibility check) as
 * soon as it is complete, passes the body to a {@link BodySink} while computing its SHA-256 and the
 * stream CRC32C, and parses the trailer. Structural errors fail the write at once and stay; {@link
 * #validate()} (called by RESUMING to STOP) checks completeness, CRC and SHA-256.
 */
public final class FramedResumingStream extends AbstractDataStream implements ResumingStream {

  /** The model's check of a complete header (compatibility); throws to refuse the source. */
  @FunctionalInterface
  public interface HeaderCheck {
    /**
     * @param header the 128 header bytes, little-endian
     * @param bodyLength the body length announced
     */
    void check(ByteBuffer header, long bodyLength) throws DeviceException;
  }

  /** Takes body bytes in order. */
  @FunctionalInterface
  public interface BodySink {
    /** Consumes all remaining bytes of {@code src}, advancing its position. */
    void write(ByteBuffer src) throws DeviceException;
  }

  /** What a valid stream carried. */
  public record Result(long bodyLength, byte[] sha256) {}

  private enum Parse {
    HEADER,
    BODY,
    TRAILER,
    DONE
  }

  private final Object lock;
  private final long magic;
  private final HeaderCheck check;
  private final BodySink sink;
  private final FieldBuffer field = new FieldBuffer(FramedFormat.HEADER_BYTES);
  private final MessageDigest sha = Bytes.sha256();
  private final CRC32C crc = new CRC32C();
  private Parse parse = Parse.HEADER;
  private DeviceException structural;
  private long bodyLength;
  private long bodyDone;
  private byte[] headerSha;
  private byte[] bodySha;
  private long trailerBodyBytes;
  private int trailerCrc;
  private int computedCrc;
  private int writeStart;

  public FramedResumingStream(
      String deviceId, Object lock, long magic, HeaderCheck check, BodySink sink) {
    super(deviceId);
    this.lock = Objects.requireNonNull(lock, "lock");
    this.magic = magic;
    this.check = Objects.requireNonNull(check, "check");
    this.sink = Objects.requireNonNull(sink, "sink");
    field.expect(FramedFormat.HEADER_BYTES);
  }

  @Override
  public int write(ByteBuffer src) throws DeviceException {
    Objects.requireNonNull(src, "src");
    synchronized (lock) {
      checkUsable();
      if (structural != null) {
        throw new DeviceException(deviceId(), structural.errno(), structural.detail());
      }
      writeStart = src.position();
      try {
        while (src.hasRemaining()) {
          consume(src);
        }
      } catch (DeviceException e) {
        structural = e;
        src.position(writeStart);
        throw e;
      }
      int n = src.position() - writeStart;
      position += n;
      return n;
    }
  }

  private long offset(ByteBuffer src) {
    return position + (src.position() - writeStart);
  }

  private void consume(ByteBuffer src) throws DeviceException {
    switch (parse) {
      case HEADER:
        {
          int before = field.filled();
          int n = field.fill(src);
          crc.update(field.array(), before, n);
          if (field.complete()) {
            parseHeader();
          }
          return;
        }
      case BODY:
        {
          int n = (int) Math.min(bodyLength - bodyDone, src.remaining());
          int p0 = src.position();
          int limit = src.limit();
          src.limit(p0 + n);
          crc.update(src);
          src.position(p0);
          sha.update(src);
          src.position(p0);
          sink.write(src);
          if (src.position() != p0 + n) {
            throw new IllegalStateException("body sink left " + src.remaining() + " bytes");
          }
          src.limit(limit);
          bodyDone += n;
          if (bodyDone == bodyLength) {
            bodySha = sha.digest();
            parse = Parse.TRAILER;
            field.expect(FramedFormat.TRAILER_BYTES);
          }
          return;
        }
      case TRAILER:
        {
          long fieldOffset = offset(src) - field.filled();
          int before = field.filled();
          int n = field.fill(src);
          int crcEnd = Math.min(before + n, FramedFormat.TRAILER_CRC_OFFSET);
          if (crcEnd > before) {
            crc.update(field.array(), before, crcEnd - before);
          }
          if (field.complete()) {
            parseTrailer(fieldOffset);
          }
          return;
        }
      default:
        throw new DeviceException(
            deviceId(),
            Errno.EINVAL,
            "unexpected " + src.remaining() + " bytes after the trailer at offset " + offset(src));
    }
  }

  private void parseHeader() throws DeviceException {
    ByteBuffer h = field.le();
    long m = h.getLong(0);
    if (m != magic) {
      throw new DeviceException(
          deviceId(),
          Errno.EINVAL,
          "stream magic expected "
              + Bytes.ascii(magic, 8)
              + ", got "
              + Bytes.ascii(m, 8)
              + " at offset 0");
    }
    int version = h.getShort(8) & 0xffff;
    if (version != FramedFormat.FORMAT_VERSION) {
      throw new DeviceException(
          deviceId(),
          Errno.EINVAL,
          "stream format version expected "
              + FramedFormat.FORMAT_VERSION
              + ", got "
              + version
              + " at offset 8");
    }
    int length = h.getShort(10) & 0xffff;
    if (length != FramedFormat.HEADER_BYTES) {
      throw new DeviceException(
          deviceId(),
          Errno.EINVAL,
          "header length expected "
              + FramedFormat.HEADER_BYTES
              + ", got "
              + length
              + " at offset 10");
    }
    int flags = h.getInt(12);
    if (flags != 0) {
      throw new DeviceException(
          deviceId(),
          Errno.EINVAL,
          "header flags expected 0, got " + Bytes.hex32(flags) + " at offset 12");
    }
    long body = h.getLong(16);
    if (body < 0) {
      throw new DeviceException(
          deviceId(), Errno.EINVAL, "body length expected >= 0, got " + body + " at offset 16");
    }
    check.check(h.duplicate().order(h.order()), body);
    bodyLength = body;
    headerSha =
        Arrays.copyOfRange(
            field.array(),
            FramedFormat.SHA_OFFSET,
            FramedFormat.SHA_OFFSET + FramedFormat.SHA_BYTES);
    if (bodyLength == 0) {
      bodySha = sha.digest();
      parse = Parse.TRAILER;
      field.expect(FramedFormat.TRAILER_BYTES);
    } else {
      parse = Parse.BODY;
    }
  }

  private void parseTrailer(long fieldOffset) throws DeviceException {
    ByteBuffer t = field.le();
    int tag = t.getInt(0);
    if (tag != FramedFormat.TAG_TRAILER) {
      throw new DeviceException(
          deviceId(),
          Errno.EINVAL,
          "trailer tag expected 'TRLR', got " + Bytes.ascii(tag, 4) + " at offset " + fieldOffset);
    }
    int len = t.getInt(4);
    if (len != FramedFormat.TRAILER_BYTES - 8) {
      throw new DeviceException(
          deviceId(),
          Errno.EINVAL,
          "trailer length expected "
              + (FramedFormat.TRAILER_BYTES - 8)
              + ", got "
              + len
              + " at offset "
              + (fieldOffset + 4));
    }
    int reserved = t.getInt(20);
    if (reserved != 0) {
      throw new DeviceException(
          deviceId(),
          Errno.EINVAL,
          "trailer reserved field expected 0, got "
              + reserved
              + " at offset "
              + (fieldOffset + 20));
    }
    trailerBodyBytes = t.getLong(8);
    trailerCrc = t.getInt(FramedFormat.TRAILER_CRC_OFFSET);
    computedCrc = (int) crc.getValue();
    parse = Parse.DONE;
  }

  /** True once the header was parsed and accepted. */
  public boolean headerAccepted() {
    synchronized (lock) {
      return parse != Parse.HEADER && structural == null;
    }
  }

  /** The body length announced by the header (valid once {@link #headerAccepted()}). */
  public long bodyLength() {
    synchronized (lock) {
      return bodyLength;
    }
  }

  /**
   * Checks that the stream was complete and consistent: header, body of the announced length,
   * trailer, CRC32C, and the body's SHA-256 against the header's.
   *
   * @throws DeviceException EINVAL naming what is wrong (expected vs actual)
   */
  public Result validate() throws DeviceException {
    synchronized (lock) {
      if (structural != null) {
        throw new DeviceException(
            deviceId(), structural.errno(), "invalid stream: " + structural.detail());
      }
      if (parse == Parse.HEADER) {
        throw new DeviceException(
            deviceId(),
            Errno.EINVAL,
            "stream truncated: header has "
                + field.filled()
                + " of "
                + FramedFormat.HEADER_BYTES
                + " bytes");
      }
      if (parse != Parse.DONE) {
        throw new DeviceException(
            deviceId(),
            Errno.EINVAL,
            "stream truncated at offset "
                + position
                + ": body has "
                + bodyDone
                + " of "
                + bodyLength
                + " bytes, no trailer");
      }
      if (trailerCrc != computedCrc) {
        throw new DeviceException(
            deviceId(),
            Errno.EINVAL,
            "stream CRC32C expected "
                + Bytes.hex32(trailerCrc)
                + " (trailer), got "
                + Bytes.hex32(computedCrc));
      }
      if (trailerBodyBytes != bodyLength) {
        throw new DeviceException(
            deviceId(),
            Errno.EINVAL,
            "body bytes expected "
                + bodyLength
                + " (header), got "
                + trailerBodyBytes
                + " (trailer)");
      }
      byte[] actual = bodySha;
      if (!Arrays.equals(headerSha, actual)) {
        throw new DeviceException(
            deviceId(),
            Errno.EINVAL,
            "body SHA-256 expected "
                + Bytes.hex(headerSha)
                + " (source), got "
                + Bytes.hex(actual)
                + " (received)");
      }
      return new Result(bodyLength, actual);
    }
  }
}

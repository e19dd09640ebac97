package io.ferry.devices.model.file;

import static io.ferry.devices.model.MigrationState.RESUMING;
import static io.ferry.devices.model.MigrationState.STOP;
import static io.ferry.devices.model.MigrationState.STOP_COPY;

import io.ferry.devices.model.AbstractDeviceModel;
import io.ferry.devices.model.DataStream;
import io.ferry.devices.model.DeviceDigest;
import io.ferry.devices.model.DeviceException;
import io.ferry.devices.model.Errno;
import io.ferry.devices.model.MigrationFeatures;
import io.ferry.devices.model.MigrationState;
import io.ferry.devices.model.Role;
import io.ferry.devices.model.framing.Bytes;
import io.ferry.devices.model.framing.FramedFormat;
import io.ferry.devices.model.framing.FramedResumingStream;
import io.ferry.devices.model.framing.FramedSavingStream;
import io.ferry.devices.model.synthetic.PageContent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.Optional;

/**
 * A device whose state is a real file. The source streams the file's bytes as they are on disk; the
 * destination writes its own file and proves equality by SHA-256 (and, in tests, {@code
 * Files.mismatch}).
 *
 * <p><b>Source.</b> STOP to STOP_COPY opens the file, takes its length and SHA-256 (the device is
 * stopped, so the file is stable; the arc costs one read of the file, like a firmware SAVE), and
 * streams {@link FramedFormat} with magic {@code "FRYFILE1"}: header with length and SHA-256, the
 * file bytes read straight into the caller's buffer, trailer with CRC32C. A file that shrinks while
 * streamed fails the read with EIO. If the file is missing and a {@code size} is given, the source
 * creates it with seeded content.
 *
 * <p><b>Destination.</b> STOP to RESUMING creates {@code <path>.resuming}; writes go straight to
 * it. RESUMING to STOP validates length, CRC32C and SHA-256, forces the file to disk (if {@code
 * fsync}) and moves it over {@code path} atomically; on failure the device stays in RESUMING and
 * {@code path} is untouched. A reset during RESUMING deletes the partial file.
 *
 * <p><b>Digest.</b> SHA-256 of the file content, read from disk at each call (the digest is asked
 * for at stop and after load, so the cost of one read of the file is paid there). Config blob (24
 * B): magic {@code "FRYFICFG"}, u32 version 1, u32 length 24, u64 content length.
 */
public final class FileBackedDevice extends AbstractDeviceModel {
  public static final String KIND = "file";
  public static final long STREAM_MAGIC = Bytes.magic("FRYFILE1");
  public static final long CONFIG_MAGIC = Bytes.magic("FRYFICFG");
  public static final int CONFIG_BYTES = 24;
  private static final int IO_CHUNK = 1 << 20;

  private final Path path;
  private final Path partial;
  private final boolean fsync;
  private final long maxSize;

  private boolean hasState;

  /** A source derives its config from its file; a loaded device holds what was loaded. */
  private boolean derivedConfig;

  private byte[] loadedConfig;
  private FileChannel readChannel;
  private FramedSavingStream saving;
  private FileChannel writeChannel;
  private FramedResumingStream resuming;
  private byte[] incomingConfig;
  private long shaBytes;

  private FileBackedDevice(Builder b) {
    super(b.deviceId, MigrationFeatures.of(b.p2p, false));
    this.path = Objects.requireNonNull(b.path, "path").toAbsolutePath();
    this.partial = path.resolveSibling(path.getFileName() + ".resuming");
    this.fsync = b.fsync;
    this.maxSize = b.maxSize;
    if (b.role == Role.SOURCE) {
      if (!Files.exists(path)) {
        if (b.createSize < 0) {
          throw new IllegalArgumentException(
              "device "
                  + b.deviceId
                  + ": source file "
                  + path
                  + " does not exist (set size to create it)");
        }
        create(path, b.createSize, b.seed);
      }
      if (!Files.isRegularFile(path)) {
        throw new IllegalArgumentException(
            "device " + b.deviceId + ": source path " + path + " is not a regular file");
      }
      this.hasState = true;
      this.derivedConfig = true;
    }
  }

  public static Builder builder(String deviceId, Path path) {
    return new Builder(deviceId, path);
  }

  @Override
  public String kind() {
    return KIND;
  }

  /** The file that holds the state. */
  public Path path() {
    return path;
  }

  @Override
  public long stopCopyLength() throws DeviceException {
    synchronized (lock) {
      checkNotClosed();
      if (saving != null) {
        return saving.remaining();
      }
      long body = hasState ? size() : 0;
      return FramedFormat.HEADER_BYTES + body + FramedFormat.TRAILER_BYTES;
    }
  }

  @Override
  public byte[] saveConfig() throws DeviceException {
    synchronized (lock) {
      requireState("saveConfig", STOP, STOP_COPY);
      if (!hasState) {
        throw error(Errno.EINVAL, "saveConfig: the device holds no state");
      }
      byte[] config = currentConfig();
      if (config == null) {
        throw error(Errno.EINVAL, "saveConfig: no config was loaded with the state");
      }
      return config;
    }
  }

  @Override
  public void loadConfig(byte[] blob) throws DeviceException {
    Objects.requireNonNull(blob, "config");
    synchronized (lock) {
      requireState("loadConfig", RESUMING);
      if (blob.length != CONFIG_BYTES) {
        throw error(
            Errno.EINVAL, "config blob length expected " + CONFIG_BYTES + ", got " + blob.length);
      }
      ByteBuffer b = Bytes.le(blob);
      if (b.getLong(0) != CONFIG_MAGIC) {
        throw error(
            Errno.EINVAL,
            "config magic expected "
                + Bytes.ascii(CONFIG_MAGIC, 8)
                + ", got "
                + Bytes.ascii(b.getLong(0), 8));
      }
      if (b.getInt(8) != 1 || b.getInt(12) != CONFIG_BYTES) {
        throw error(
            Errno.EINVAL,
            "config version/length expected 1/"
                + CONFIG_BYTES
                + ", got "
                + b.getInt(8)
                + "/"
                + b.getInt(12));
      }
      long length = b.getLong(16);
      if (resuming.headerAccepted() && length != resuming.bodyLength()) {
        throw error(
            Errno.EINVAL,
            "config does not belong to the loaded state: content length expected "
                + resuming.bodyLength()
                + ", got "
                + length);
      }
      incomingConfig = blob.clone();
    }
  }

  @Override
  public DeviceDigest digest() {
    synchronized (lock) {
      if (!hasState) {
        return new DeviceDigest(
            "sha-256",
            Bytes.sha256Hex(new byte[0]),
            0,
            incomingConfig == null ? DeviceDigest.NO_CONFIG : Bytes.sha256Hex(incomingConfig));
      }
      try {
        String sha = fileSha();
        byte[] config = currentConfig();
        return new DeviceDigest(
            "sha-256",
            sha,
            shaBytes,
            config == null ? DeviceDigest.NO_CONFIG : Bytes.sha256Hex(config));
      } catch (IOException e) {
        throw new UncheckedIOException("device " + deviceId() + ": cannot read " + path, e);
      } catch (DeviceException e) {
        throw new UncheckedIOException(
            "device " + deviceId() + ": cannot read " + path, new IOException(e.getMessage(), e));
      }
    }
  }

  @Override
  protected Optional<DataStream> step(MigrationState from, MigrationState to)
      throws DeviceException {
    if (from == STOP && to == STOP_COPY) {
      return Optional.of(openSaving());
    }
    if (from == STOP_COPY && to == STOP) {
      closeReadChannel();
      saving = null;
      return Optional.empty();
    }
    if (from == STOP && to == RESUMING) {
      return Optional.of(openResuming());
    }
    if (from == RESUMING && to == STOP) {
      finishResuming();
      return Optional.empty();
    }
    return Optional.empty(); // RUNNING <-> STOP / RUNNING_P2P: the file is simply left alone
  }

  private FramedSavingStream openSaving() throws DeviceException {
    if (!hasState) {
      throw error(Errno.EINVAL, "arc STOP->STOP_COPY: the device holds no state to save");
    }
    try {
      String sha = fileSha();
      long length = shaBytes;
      FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
      readChannel = ch;
      byte[] header = FramedFormat.header(STREAM_MAGIC, length, hexToBytes(sha));
      saving =
          register(
              new FramedSavingStream(
                  deviceId(),
                  lock,
                  header,
                  length,
                  (dst, offset, max) -> readBody(ch, dst, offset, max, length),
                  this::state));
      return saving;
    } catch (IOException e) {
      closeReadChannel();
      throw new DeviceException(deviceId(), Errno.EIO, "cannot open " + path + ": " + e, e);
    }
  }

  private int readBody(FileChannel ch, ByteBuffer dst, long offset, int max, long length)
      throws DeviceException {
    ByteBuffer slice = dst.duplicate();
    slice.limit(dst.position() + max);
    int n;
    try {
      n = ch.read(slice, offset);
    } catch (IOException e) {
      throw new DeviceException(
          deviceId(), Errno.EIO, "read of " + path + " failed at offset " + offset + ": " + e, e);
    }
    if (n <= 0) {
      throw new DeviceException(
          deviceId(),
          Errno.EIO,
          "file " + path + " ended at offset " + offset + ", expected " + length + " bytes");
    }
    dst.position(dst.position() + n);
    return n;
  }

  private FramedResumingStream openResuming() throws DeviceException {
    hasState = false;
    derivedConfig = false;
    loadedConfig = null;
    incomingConfig = null;
    try {
      Files.createDirectories(partial.getParent());
      FileChannel ch =
          FileChannel.open(
              partial,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE);
      writeChannel = ch;
      resuming =
          register(
              new FramedResumingStream(
                  deviceId(),
                  lock,
                  STREAM_MAGIC,
                  (h, bodyLength) -> {
                    if (bodyLength > maxSize) {
                      throw error(
                          Errno.ENOMEM,
                          "source file length " + bodyLength + " exceeds max-size " + maxSize);
                    }
                  },
                  src -> {
                    try {
                      while (src.hasRemaining()) {
                        ch.write(src);
                      }
                    } catch (IOException e) {
                      throw new DeviceException(
                          deviceId(), Errno.EIO, "write of " + partial + " failed: " + e, e);
                    }
                  }));
      return resuming;
    } catch (IOException e) {
      discardPartial();
      throw new DeviceException(deviceId(), Errno.EIO, "cannot create " + partial + ": " + e, e);
    }
  }

  private void finishResuming() throws DeviceException {
    FramedResumingStream.Result result = resuming.validate();
    if (incomingConfig != null) {
      long configured = Bytes.le(incomingConfig).getLong(16);
      if (configured != result.bodyLength()) {
        throw error(
            Errno.EINVAL,
            "config does not belong to the loaded state: content length expected "
                + result.bodyLength()
                + ", got "
                + configured);
      }
    }
    try {
      if (fsync) {
        writeChannel.force(true);
      }
      writeChannel.close();
      writeChannel = null;
      try {
        Files.move(
            partial, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(partial, path, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new DeviceException(
          deviceId(), Errno.EIO, "cannot install " + partial + " as " + path + ": " + e, e);
    }
    hasState = true;
    loadedConfig = incomingConfig;
    resuming = null;
  }

  @Override
  protected void onReset() {
    endSessions();
  }

  @Override
  protected void onError() {
    endSessions();
  }

  @Override
  protected void onClose() {
    endSessions();
  }

  private void endSessions() {
    closeReadChannel();
    saving = null;
    if (resuming != null) {
      resuming = null;
      discardPartial();
    }
  }

  private void closeReadChannel() {
    if (readChannel != null) {
      try {
        readChannel.close();
      } catch (IOException ignored) {
        // the channel was only read; nothing is lost
      }
      readChannel = null;
    }
  }

  private void discardPartial() {
    try {
      if (writeChannel != null) {
        writeChannel.close();
      }
      Files.deleteIfExists(partial);
    } catch (IOException ignored) {
      // a stale partial file is overwritten by the next RESUMING session
    }
    writeChannel = null;
  }

  private long size() throws DeviceException {
    try {
      return Files.size(path);
    } catch (IOException e) {
      throw new DeviceException(deviceId(), Errno.EIO, "cannot stat " + path + ": " + e, e);
    }
  }

  /** The config blob the device holds, or null if a load brought none. */
  private byte[] currentConfig() throws DeviceException {
    if (!derivedConfig) {
      return loadedConfig == null ? null : loadedConfig.clone();
    }
    byte[] c = new byte[CONFIG_BYTES];
    ByteBuffer b = Bytes.le(c);
    b.putLong(0, CONFIG_MAGIC);
    b.putInt(8, 1);
    b.putInt(12, CONFIG_BYTES);
    b.putLong(16, size());
    return c;
  }

  /** SHA-256 of the file as it is on disk now; sets {@link #shaBytes} to the bytes hashed. */
  private String fileSha() throws IOException {
    MessageDigest md = Bytes.sha256();
    long total = 0;
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate(IO_CHUNK);
      while (ch.read(buf) > 0 || buf.position() > 0) {
        buf.flip();
        total += buf.remaining();
        md.update(buf);
        buf.clear();
      }
    }
    shaBytes = total;
    return Bytes.hex(md.digest());
  }

  private static byte[] hexToBytes(String hex) {
    return java.util.HexFormat.of().parseHex(hex);
  }

  /** Writes {@code size} bytes of seeded content to {@code path}. */
  static void create(Path path, long size, long seed) {
    try {
      Path parent = path.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try (FileChannel ch =
          FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.allocate(IO_CHUNK);
        PageContent.Generator gen = new PageContent.Generator();
        long done = 0;
        for (long chunk = 0; done < size; chunk++) {
          int n = (int) Math.min(IO_CHUNK, size - done);
          buf.clear();
          gen.start(PageContent.pageKey(seed, chunk, 0), n);
          gen.emit(buf, n);
          buf.flip();
          while (buf.hasRemaining()) {
            ch.write(buf);
          }
          done += n;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + path, e);
    }
  }

  /** Builder; see docs/devices.md for the meaning and defaults of each parameter. */
  public static final class Builder {
    private final String deviceId;
    private final Path path;
    private boolean p2p = true;
    private boolean fsync = true;
    private long maxSize = Long.MAX_VALUE;
    private long createSize = -1;
    private long seed = 1;
    private Role role = Role.SOURCE;

    private Builder(String deviceId, Path path) {
      this.deviceId = Objects.requireNonNull(deviceId, "deviceId");
      this.path = Objects.requireNonNull(path, "path");
    }

    public Builder p2p(boolean on) {
      this.p2p = on;
      return this;
    }

    /** Force the destination file to disk before it replaces {@code path} (default true). */
    public Builder fsync(boolean on) {
      this.fsync = on;
      return this;
    }

    /** Largest source file a destination accepts (default unlimited). */
    public Builder maxSize(long bytes) {
      this.maxSize = bytes;
      return this;
    }

    /** A source whose file is missing creates it with this many seeded bytes. */
    public Builder createIfMissing(long size, long seed) {
      if (size < 0) {
        throw new IllegalArgumentException("size must be >= 0, got " + size);
      }
      this.createSize = size;
      this.seed = seed;
      return this;
    }

    public Builder role(Role role) {
      this.role = Objects.requireNonNull(role, "role");
      return this;
    }

    public FileBackedDevice build() {
      return new FileBackedDevice(this);
    }
  }
}

package io.ferry.devices.model.nic;

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
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A NIC-like device whose whole migration state is a small set of tables (HiSilicon, QAT, pds
 * style): tens of KiB, no precopy, STOP_COPY (and P2P by default). The destination refuses an
 * incompatible source as soon as the stream header is written: different vendor id, PCI device id,
 * queue count, feature bits or state size give EINVAL {@code "incompatible source: queues expected
 * 8, got 4"} on that write, and again at RESUMING to STOP; {@link #loadConfig} applies the same
 * check to the config blob.
 *
 * <p><b>State layout</b> (little-endian, {@code state-size} bytes, deterministic from the seed):
 *
 * <pre>
 *   off                 size          content
 *   0                   64            compat block: magic "FRYNICST", u16 layout 1, u16 64,
 *                                     u32 vendor, u32 device, u32 queues, u64 features,
 *                                     u32 MSI-X vectors (queues + 1), u32 MAC filters (64)
 *   64                  queues x 64   queue contexts: u64 ring base, u32 size, u32 head,
 *                                     u32 tail, u32 vector, u32 flags, 36 B opaque
 *   +                   (q + 1) x 16  MSI-X table: u64 address, u32 data, u32 control
 *   +                   64 x 8        MAC/VLAN filters
 *   +                   queues x 32   per-queue counters: rx/tx packets, rx/tx bytes
 *   +                   rest          firmware scratch
 * </pre>
 *
 * <p>Stream: {@link FramedFormat} with magic {@code "FRYNICST"}; model fields at 56: u32 vendor,
 * u32 device, u32 queues, u32 reserved, u64 features. Digest: SHA-256 of the state bytes. Config
 * blob ({@code config-size}, default 4 KiB, a PCI config space stand-in): magic {@code "FRYNICFG"},
 * u32 version 1, u32 length, u32 vendor, u32 device, u32 queues, u32 reserved, u64 features, then
 * seeded bytes.
 */
public final class ConfigOnlyDevice extends AbstractDeviceModel {
  public static final String KIND = "config-only";
  public static final long STREAM_MAGIC = Bytes.magic("FRYNICST");
  public static final long CONFIG_MAGIC = Bytes.magic("FRYNICFG");
  public static final int COMPAT_BYTES = 64;
  public static final int QUEUE_CONTEXT_BYTES = 64;
  public static final int MSIX_ENTRY_BYTES = 16;
  public static final int MAC_FILTERS = 64;
  public static final int COUNTER_BYTES = 32;
  public static final int CONFIG_HEADER_BYTES = 40;

  private final int vendorId;
  private final int pciDeviceId;
  private final int queues;
  private final long nicFeatures;
  private final int stateSize;
  private final int configSize;

  private byte[] state;
  private byte[] config;
  private String stateSha;
  private FramedSavingStream saving;
  private FramedResumingStream resuming;
  private byte[] incoming;
  private byte[] incomingConfig;
  private int incomingFilled;

  private ConfigOnlyDevice(Builder b) {
    super(b.deviceId, MigrationFeatures.of(b.p2p, false));
    if (b.queues < 1 || b.queues > 4096) {
      throw new IllegalArgumentException("queues must be in [1, 4096], got " + b.queues);
    }
    int min = minimumStateSize(b.queues);
    if (b.stateSize < min || b.stateSize > (64 << 20)) {
      throw new IllegalArgumentException(
          "state-size must be in ["
              + min
              + ", 67108864] for "
              + b.queues
              + " queues, got "
              + b.stateSize);
    }
    if (b.configSize < CONFIG_HEADER_BYTES || b.configSize > (1 << 20)) {
      throw new IllegalArgumentException(
          "config-size must be in [" + CONFIG_HEADER_BYTES + ", 1048576], got " + b.configSize);
    }
    this.vendorId = b.vendorId;
    this.pciDeviceId = b.pciDeviceId;
    this.queues = b.queues;
    this.nicFeatures = b.nicFeatures;
    this.stateSize = b.stateSize;
    this.configSize = b.configSize;
    if (b.role == Role.SOURCE) {
      this.state = buildState(b.seed);
      this.stateSha = Bytes.sha256Hex(state);
      this.config = buildConfig(b.seed);
    }
  }

  public static Builder builder(String deviceId) {
    return new Builder(deviceId);
  }

  /** The smallest state that holds the tables for {@code queues} queues. */
  public static int minimumStateSize(int queues) {
    return COMPAT_BYTES
        + queues * QUEUE_CONTEXT_BYTES
        + (queues + 1) * MSIX_ENTRY_BYTES
        + MAC_FILTERS * 8
        + queues * COUNTER_BYTES;
  }

  @Override
  public String kind() {
    return KIND;
  }

  public int queues() {
    return queues;
  }

  /** A copy of the state bytes, or null if the device holds none. */
  public byte[] stateBytes() {
    synchronized (lock) {
      return state == null ? null : state.clone();
    }
  }

  @Override
  public long stopCopyLength() throws DeviceException {
    synchronized (lock) {
      checkNotClosed();
      if (saving != null) {
        return saving.remaining();
      }
      return FramedFormat.HEADER_BYTES + (long) stateSize + FramedFormat.TRAILER_BYTES;
    }
  }

  @Override
  public byte[] saveConfig() throws DeviceException {
    synchronized (lock) {
      requireState("saveConfig", STOP, STOP_COPY);
      if (state == null) {
        throw error(Errno.EINVAL, "saveConfig: the device holds no state");
      }
      return config.clone();
    }
  }

  @Override
  public void loadConfig(byte[] blob) throws DeviceException {
    Objects.requireNonNull(blob, "config");
    synchronized (lock) {
      requireState("loadConfig", RESUMING);
      if (blob.length < CONFIG_HEADER_BYTES) {
        throw error(
            Errno.EINVAL,
            "config blob length expected >= " + CONFIG_HEADER_BYTES + ", got " + blob.length);
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
      if (b.getInt(8) != 1) {
        throw error(Errno.EINVAL, "config format version expected 1, got " + b.getInt(8));
      }
      if (b.getInt(12) != blob.length) {
        throw error(
            Errno.EINVAL, "config length field expected " + blob.length + ", got " + b.getInt(12));
      }
      checkCompat(b.getInt(16), b.getInt(20), b.getInt(24), b.getLong(32), -1, "config");
      incomingConfig = blob.clone();
    }
  }

  @Override
  public DeviceDigest digest() {
    synchronized (lock) {
      if (state == null) {
        return new DeviceDigest(
            "sha-256",
            Bytes.sha256Hex(new byte[0]),
            0,
            incomingConfig == null ? DeviceDigest.NO_CONFIG : Bytes.sha256Hex(incomingConfig));
      }
      return new DeviceDigest(
          "sha-256",
          stateSha,
          state.length,
          config == null ? DeviceDigest.NO_CONFIG : Bytes.sha256Hex(config));
    }
  }

  @Override
  protected Optional<DataStream> step(MigrationState from, MigrationState to)
      throws DeviceException {
    if (from == STOP && to == STOP_COPY) {
      if (state == null) {
        throw error(Errno.EINVAL, "arc STOP->STOP_COPY: the device holds no state to save");
      }
      byte[] header = FramedFormat.header(STREAM_MAGIC, state.length, Bytes.sha256().digest(state));
      ByteBuffer h = Bytes.le(header);
      h.putInt(FramedFormat.MODEL_OFFSET, vendorId);
      h.putInt(FramedFormat.MODEL_OFFSET + 4, pciDeviceId);
      h.putInt(FramedFormat.MODEL_OFFSET + 8, queues);
      h.putLong(FramedFormat.MODEL_OFFSET + 16, nicFeatures);
      byte[] snapshot = state;
      saving =
          register(
              new FramedSavingStream(
                  deviceId(),
                  lock,
                  header,
                  snapshot.length,
                  (dst, offset, max) -> {
                    dst.put(snapshot, (int) offset, max);
                    return max;
                  },
                  this::state));
      return Optional.of(saving);
    }
    if (from == STOP_COPY && to == STOP) {
      saving = null;
      return Optional.empty();
    }
    if (from == STOP && to == RESUMING) {
      state = null;
      stateSha = null;
      config = null;
      incomingConfig = null;
      incoming = null;
      incomingFilled = 0;
      resuming =
          register(
              new FramedResumingStream(
                  deviceId(),
                  lock,
                  STREAM_MAGIC,
                  (h, bodyLength) -> {
                    checkCompat(
                        h.getInt(FramedFormat.MODEL_OFFSET),
                        h.getInt(FramedFormat.MODEL_OFFSET + 4),
                        h.getInt(FramedFormat.MODEL_OFFSET + 8),
                        h.getLong(FramedFormat.MODEL_OFFSET + 16),
                        bodyLength,
                        "source");
                    incoming = new byte[(int) bodyLength];
                  },
                  src -> {
                    int n = src.remaining();
                    src.get(incoming, incomingFilled, n);
                    incomingFilled += n;
                  }));
      return Optional.of(resuming);
    }
    if (from == RESUMING && to == STOP) {
      resuming.validate();
      state = incoming;
      stateSha = Bytes.sha256Hex(state);
      config = incomingConfig;
      incoming = null;
      resuming = null;
      return Optional.empty();
    }
    return Optional.empty(); // RUNNING <-> STOP / RUNNING_P2P: nothing to do for a table device
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
    saving = null;
    resuming = null;
    incoming = null;
  }

  private void checkCompat(
      int vendor, int device, int queueCount, long features, long bodyLength, String what)
      throws DeviceException {
    if (vendor != vendorId) {
      throw incompatible(what, "vendor id", Bytes.hex32(vendorId), Bytes.hex32(vendor));
    }
    if (device != pciDeviceId) {
      throw incompatible(what, "PCI device id", Bytes.hex32(pciDeviceId), Bytes.hex32(device));
    }
    if (queueCount != queues) {
      throw incompatible(what, "queues", Integer.toString(queues), Integer.toString(queueCount));
    }
    if (features != nicFeatures) {
      throw incompatible(what, "features", Bytes.hex64(nicFeatures), Bytes.hex64(features));
    }
    if (bodyLength >= 0 && bodyLength != stateSize) {
      throw incompatible(
          what, "state size", Integer.toString(stateSize), Long.toString(bodyLength));
    }
  }

  private DeviceException incompatible(String what, String field, String expected, String got) {
    return error(
        Errno.EINVAL,
        "incompatible " + what + ": " + field + " expected " + expected + ", got " + got);
  }

  private byte[] buildState(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] s = new byte[stateSize];
    ByteBuffer b = Bytes.le(s);
    b.putLong(0, STREAM_MAGIC);
    b.putShort(8, (short) 1);
    b.putShort(10, (short) COMPAT_BYTES);
    b.putInt(12, vendorId);
    b.putInt(16, pciDeviceId);
    b.putInt(20, queues);
    b.putLong(24, nicFeatures);
    b.putInt(32, queues + 1);
    b.putInt(36, MAC_FILTERS);
    int off = COMPAT_BYTES;
    for (int q = 0; q < queues; q++, off += QUEUE_CONTEXT_BYTES) {
      b.putLong(off, 0x1_0000_0000L + (long) q * 0x10000);
      b.putInt(off + 8, 1024);
      b.putInt(off + 12, r.nextInt(1024));
      b.putInt(off + 16, r.nextInt(1024));
      b.putInt(off + 20, q + 1);
      b.putInt(off + 24, 1);
      for (int i = 28; i < QUEUE_CONTEXT_BYTES; i++) {
        s[off + i] = (byte) r.nextInt(256);
      }
    }
    for (int v = 0; v <= queues; v++, off += MSIX_ENTRY_BYTES) {
      b.putLong(off, 0xFEE0_0000L | ((long) v << 12));
      b.putInt(off + 8, 0x4000 | v);
      b.putInt(off + 12, 0);
    }
    for (int m = 0; m < MAC_FILTERS; m++, off += 8) {
      b.putLong(off, r.nextLong() & 0x0000_FEFF_FFFF_FFFFL);
    }
    for (int q = 0; q < queues; q++, off += COUNTER_BYTES) {
      for (int c = 0; c < 4; c++) {
        b.putLong(off + 8 * c, r.nextLong() >>> 20);
      }
    }
    while (off < s.length) {
      s[off++] = (byte) r.nextInt(256);
    }
    return s;
  }

  private byte[] buildConfig(long seed) {
    SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
    byte[] c = new byte[configSize];
    ByteBuffer b = Bytes.le(c);
    b.putLong(0, CONFIG_MAGIC);
    b.putInt(8, 1);
    b.putInt(12, configSize);
    b.putInt(16, vendorId);
    b.putInt(20, pciDeviceId);
    b.putInt(24, queues);
    b.putInt(28, 0);
    b.putLong(32, nicFeatures);
    for (int i = CONFIG_HEADER_BYTES; i < c.length; i++) {
      c[i] = (byte) r.nextInt(256);
    }
    return c;
  }

  /** Builder; see docs/devices.md for the meaning and defaults of each parameter. */
  public static final class Builder {
    private final String deviceId;
    private int stateSize = 48 << 10;
    private int queues = 8;
    private long seed = 1;
    private int vendorId = 0x1af4;
    private int pciDeviceId = 0x1041;
    private long nicFeatures = 0x3f;
    private boolean p2p = true;
    private int configSize = 4096;
    private Role role = Role.SOURCE;

    private Builder(String deviceId) {
      this.deviceId = Objects.requireNonNull(deviceId, "deviceId");
    }

    public Builder stateSize(int bytes) {
      this.stateSize = bytes;
      return this;
    }

    public Builder queues(int queues) {
      this.queues = queues;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder vendorId(int id) {
      this.vendorId = id;
      return this;
    }

    public Builder pciDeviceId(int id) {
      this.pciDeviceId = id;
      return this;
    }

    public Builder nicFeatures(long bits) {
      this.nicFeatures = bits;
      return this;
    }

    public Builder p2p(boolean on) {
      this.p2p = on;
      return this;
    }

    public Builder configSize(int bytes) {
      this.configSize = bytes;
      return this;
    }

    public Builder role(Role role) {
      this.role = Objects.requireNonNull(role, "role");
      return this;
    }

    public ConfigOnlyDevice build() {
      return new ConfigOnlyDevice(this);
    }
  }
}

package io.ferry.devices.model.synthetic;

import static io.ferry.devices.model.MigrationState.PRE_COPY;
import static io.ferry.devices.model.MigrationState.PRE_COPY_P2P;
import static io.ferry.devices.model.MigrationState.RESUMING;
import static io.ferry.devices.model.MigrationState.RUNNING;
import static io.ferry.devices.model.MigrationState.RUNNING_P2P;
import static io.ferry.devices.model.MigrationState.STOP;
import static io.ferry.devices.model.MigrationState.STOP_COPY;

import io.ferry.devices.model.AbstractDataStream;
import io.ferry.devices.model.AbstractDeviceModel;
import io.ferry.devices.model.DataStream;
import io.ferry.devices.model.DeviceDigest;
import io.ferry.devices.model.DeviceException;
import io.ferry.devices.model.Errno;
import io.ferry.devices.model.MigrationFeatures;
import io.ferry.devices.model.MigrationState;
import io.ferry.devices.model.PrecopyInfo;
import io.ferry.devices.model.ReadResult;
import io.ferry.devices.model.ResumingStream;
import io.ferry.devices.model.Role;
import io.ferry.devices.model.SavingStream;
import io.ferry.devices.model.framing.Bytes;
import io.ferry.devices.model.framing.FieldBuffer;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.zip.CRC32C;

/**
 * A device whose state is {@code size} bytes of deterministic content in pages, from one byte to
 * tens of GiB, without holding the content in memory.
 *
 * <p><b>What it owns.</b> The seed and, per page, a version ({@code int[]}): page {@code p} holds
 * {@link PageContent} of {@code (seed, p, version[p])}. A write by the {@link DirtyingWorkload}
 * increments a version. The state digest is the pair of sums over all pages of two 64-bit mixes of
 * {@code (p, H(page p))} ({@link SyntheticFormat#DIGEST_ALGORITHM}): order-independent and updated
 * in O(1) on every write, with {@code H} computed in closed form from the device's own state, never
 * from what it streamed. A destination computes the same sums from the bytes it receives.
 *
 * <p><b>Saving.</b> A session streams a header, one record per page (version fixed at the start of
 * the record), and at the end of STOP_COPY a trailer with the page count, byte counts, the source's
 * digest and a CRC32C of the stream ({@link SyntheticFormat}). With precopy, RUNNING to PRE_COPY
 * opens the session: initial bytes are the header and every page not yet sent; a page written after
 * its record started (sent, or still being streamed) is queued again, once (dirty bytes), and dirty
 * pages are resent in passes in index order. A record is never torn: its content is generated from
 * the version snapshotted in its header, whatever happens to the page meanwhile. When both are zero
 * a read reports the temporary end (ENOMSG, or {@code read() == 0} with {@code precopy-end =
 * zero}); STOP_COPY sends the rest (including pages written by the workload's last advance at the
 * arc), the trailer with the source's current digest, then end of stream forever.
 *
 * <p><b>Resuming.</b> STOP to RESUMING discards the state. The resuming stream parses the byte
 * stream with a state machine that accepts any segmentation; it never stores page contents, only
 * the last version and hash per page. Structural errors (bad magic, geometry of an incompatible
 * source, unknown tag, index out of range, version not increasing) fail the write at once; content
 * errors (page hash vs its version, CRC32C, digest, missing pages or records, truncation) fail
 * RESUMING to STOP with EINVAL, and the device stays in RESUMING. A successful RESUMING to STOP
 * adopts the received state, so a destination can run, dirty and be migrated again.
 *
 * <p><b>Threading.</b> All methods take the device lock; reads generate into the caller's buffer
 * and never block. The workload is advanced on each call ({@link DirtyingWorkload}).
 */
public final class SyntheticDevice extends AbstractDeviceModel {

  /** What a PRE_COPY read returns at a temporary end. */
  public enum PrecopyEnd {
    /** {@link ReadResult#NO_DATA_YET}, the uAPI's ENOMSG (mlx5). */
    ENOMSG,
    /** {@link ReadResult#END_OF_STREAM}, i.e. {@code read() == 0} (mtty, HiSilicon, QAT). */
    ZERO
  }

  /** Counters for tests and logs. */
  public record Stats(long pageWrites, int precopyPasses, long recordsSent, long pagesResent) {}

  public static final String KIND = "synthetic";

  private final SyntheticGeometry geometry;
  private final PrecopyEnd precopyEnd;
  private final boolean dirtyInP2p;
  private final int configSize;
  private final LongSupplier clock;
  private final DirtyingWorkload workload;
  private final PageContent.ClosedForm fullPageHash;
  private final PageContent.ClosedForm lastPageHash;

  /** Where the workload's writes land (under the lock, from advanceWorkload and syncWorkload). */
  private final DirtyingWorkload.PageSink pageSink =
      new DirtyingWorkload.PageSink() {
        @Override
        public void dirty(int page) {
          dirtyPage(page, 1);
        }

        @Override
        public void dirty(int page, int times) {
          dirtyPage(page, times);
        }
      };

  private long seed;

  /** Version per page; null while the device holds no state (destination, or during RESUMING). */
  private int[] versions;

  private long sumA;
  private long sumB;
  private byte[] config;
  private SavingSession saving;
  private ResumingSession resuming;
  private int lastPasses;
  private long recordsSent;
  private long pagesResent;

  private SyntheticDevice(Builder b) {
    super(b.deviceId, MigrationFeatures.of(b.p2p, b.precopy));
    this.geometry = new SyntheticGeometry(b.size, b.pageSize);
    if (b.configSize < SyntheticFormat.CONFIG_HEADER_BYTES || b.configSize > (1 << 20)) {
      throw new IllegalArgumentException(
          "config-size must be in ["
              + SyntheticFormat.CONFIG_HEADER_BYTES
              + ", 1048576], got "
              + b.configSize);
    }
    this.precopyEnd = Objects.requireNonNull(b.precopyEnd, "precopyEnd");
    this.dirtyInP2p = b.dirtyInP2p;
    this.configSize = b.configSize;
    this.clock = Objects.requireNonNull(b.clock, "clock");
    this.workload =
        b.dirtyRate == 0
            ? null
            : new DirtyingWorkload(
                b.dirtyRate,
                b.hotFraction,
                b.hotShare,
                geometry.pageCount(),
                geometry.pageSize(),
                b.seed);
    this.fullPageHash = PageContent.ClosedForm.forLength(geometry.pageSize());
    this.lastPageHash = PageContent.ClosedForm.forLength(geometry.lastPageLength());
    this.seed = b.seed;
    if (b.role == Role.SOURCE) {
      this.versions = new int[geometry.pageCount()];
      for (int p = 0; p < versions.length; p++) {
        long h = pageHash(p, 0);
        sumA += termA(p, h);
        sumB += termB(p, h);
      }
      this.config = buildConfig(seed, geometry, configSize);
    }
    synchronized (lock) {
      syncWorkload(RUNNING);
    }
  }

  /** A builder for a device named {@code deviceId}; defaults as in docs/devices.md. */
  public static Builder builder(String deviceId) {
    return new Builder(deviceId);
  }

  @Override
  public String kind() {
    return KIND;
  }

  /** The device's geometry. */
  public SyntheticGeometry geometry() {
    return geometry;
  }

  /** The seed of the state the device holds (adopted from the stream after a load). */
  public long seed() {
    synchronized (lock) {
      return seed;
    }
  }

  /** True if the device holds a state (a source, or a destination after a successful load). */
  public boolean hasState() {
    synchronized (lock) {
      return versions != null;
    }
  }

  /** The version of page {@code p}. */
  public int pageVersion(int p) {
    synchronized (lock) {
      requireStateHeld();
      return versions[p];
    }
  }

  /**
   * Writes page {@code p} once (a guest or firmware write), as the workload does: the version is
   * incremented, the digest updated and, during a saving session, the page queued again if its
   * record has already started.
   */
  public void writePage(int p) {
    synchronized (lock) {
      requireStateHeld();
      Objects.checkIndex(p, versions.length);
      dirtyPage(p);
    }
  }

  /** Applies the workload's writes owed until now; returns them. */
  public long tick() {
    synchronized (lock) {
      return advanceWorkload();
    }
  }

  /** Counters: page writes, precopy passes of the current or last session, records sent. */
  public Stats stats() {
    synchronized (lock) {
      advanceWorkload();
      int passes = saving != null ? saving.passes : lastPasses;
      return new Stats(
          workload == null ? 0 : workload.pageWrites(), passes, recordsSent, pagesResent);
    }
  }

  @Override
  public long stopCopyLength() throws DeviceException {
    synchronized (lock) {
      checkNotClosed();
      advanceWorkload();
      return saving != null ? saving.remainingToEnd() : geometry.fullStreamLength();
    }
  }

  @Override
  public byte[] saveConfig() throws DeviceException {
    synchronized (lock) {
      requireState("saveConfig", STOP, STOP_COPY);
      if (versions == null || config == null) {
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
      if (blob.length < SyntheticFormat.CONFIG_HEADER_BYTES) {
        throw error(
            Errno.EINVAL,
            "config blob length expected >= "
                + SyntheticFormat.CONFIG_HEADER_BYTES
                + ", got "
                + blob.length);
      }
      ByteBuffer b = Bytes.le(blob);
      long magic = b.getLong(0);
      if (magic != SyntheticFormat.CONFIG_MAGIC) {
        throw error(
            Errno.EINVAL,
            "config magic expected "
                + Bytes.ascii(SyntheticFormat.CONFIG_MAGIC, 8)
                + ", got "
                + Bytes.ascii(magic, 8));
      }
      int version = b.getInt(8);
      if (version != SyntheticFormat.FORMAT_VERSION) {
        throw error(
            Errno.EINVAL,
            "config format version expected "
                + SyntheticFormat.FORMAT_VERSION
                + ", got "
                + version);
      }
      int length = b.getInt(12);
      if (length != blob.length) {
        throw error(
            Errno.EINVAL, "config length field expected " + blob.length + ", got " + length);
      }
      long size = b.getLong(24);
      if (size != geometry.size()) {
        throw error(
            Errno.EINVAL,
            "incompatible source config: state size expected " + geometry.size() + ", got " + size);
      }
      int pageSize = b.getInt(32);
      if (pageSize != geometry.pageSize()) {
        throw error(
            Errno.EINVAL,
            "incompatible source config: page size expected "
                + geometry.pageSize()
                + ", got "
                + pageSize);
      }
      long cfgSeed = b.getLong(16);
      if (resuming.headerParsed && cfgSeed != resuming.seed) {
        throw error(
            Errno.EINVAL,
            "config does not belong to the loaded state: seed expected "
                + resuming.seed
                + ", got "
                + cfgSeed);
      }
      resuming.config = blob.clone();
    }
  }

  @Override
  public DeviceDigest digest() {
    synchronized (lock) {
      advanceWorkload();
      if (versions == null && resuming != null) {
        return resuming.digest();
      }
      if (versions == null) {
        return new DeviceDigest(
            SyntheticFormat.DIGEST_ALGORITHM, Bytes.hex128(0, 0), 0, DeviceDigest.NO_CONFIG);
      }
      return new DeviceDigest(
          SyntheticFormat.DIGEST_ALGORITHM,
          Bytes.hex128(sumB, sumA),
          geometry.size(),
          config == null ? DeviceDigest.NO_CONFIG : Bytes.sha256Hex(config));
    }
  }

  @Override
  protected Optional<DataStream> step(MigrationState from, MigrationState to)
      throws DeviceException {
    if (from == STOP && to == STOP_COPY
        || from == RUNNING && to == PRE_COPY
        || from == RUNNING_P2P && to == PRE_COPY_P2P) {
      if (versions == null) {
        throw error(
            Errno.EINVAL, "arc " + from + "->" + to + ": the device holds no state to save");
      }
      saving = register(new SavingSession(deviceId(), to != STOP_COPY));
      return Optional.of(saving);
    }
    if (to == STOP_COPY) { // PRE_COPY or PRE_COPY_P2P -> STOP_COPY: same session
      // writes owed until the arc belong to the running device; stateChanged then stops the
      // workload, and any write it still applies is queued like every other (pageWritten)
      advanceWorkload();
      saving.enterStopCopy();
      return Optional.empty();
    }
    if (from.isSaving() && !to.isSaving()) { // STOP_COPY->STOP, PRE_COPY*->RUNNING*
      lastPasses = saving.passes;
      saving = null;
      return Optional.empty();
    }
    if (from == STOP && to == RESUMING) {
      versions = null;
      config = null;
      sumA = 0;
      sumB = 0;
      resuming = register(new ResumingSession(deviceId()));
      return Optional.of(resuming);
    }
    if (from == RESUMING && to == STOP) {
      resuming.validateAndAdopt();
      resuming = null;
      return Optional.empty();
    }
    // arcs that change only whether the device runs: the workload follows in stateChanged
    return Optional.empty();
  }

  @Override
  protected void beforeTransition(MigrationState target) {
    advanceWorkload();
  }

  @Override
  protected void stateChanged(MigrationState from, MigrationState to) {
    syncWorkload(to);
  }

  @Override
  protected void onReset() {
    advanceWorkload();
    endSessions();
  }

  @Override
  protected void onError() {
    endSessions();
  }

  @Override
  protected void onClose() {
    advanceWorkload();
    endSessions();
    if (workload != null) {
      workload.stop();
    }
  }

  private void endSessions() {
    if (saving != null) {
      lastPasses = saving.passes;
    }
    saving = null;
    // a partial load is discarded: versions stay null
    resuming = null;
  }

  private void syncWorkload(MigrationState s) {
    if (workload == null) {
      return;
    }
    boolean run = s.isRunning() && (dirtyInP2p || !s.isP2p()) && versions != null && !isClosed();
    if (run && !workload.isActive()) {
      workload.start(clock.getAsLong());
    } else if (!run && workload.isActive()) {
      workload.advance(clock.getAsLong(), pageSink);
      workload.stop();
    }
  }

  private long advanceWorkload() {
    if (workload == null || !workload.isActive()) {
      return 0;
    }
    return workload.advance(clock.getAsLong(), pageSink);
  }

  private void dirtyPage(int p) {
    dirtyPage(p, 1);
  }

  /**
   * Page {@code p} written {@code times} times: one version step per write (saturating at the
   * largest version the stream can carry), the digest updated once, and the page queued once.
   */
  private void dirtyPage(int p, int times) {
    int old = versions[p];
    int v = (int) Math.min((long) old + times, Integer.MAX_VALUE);
    if (v == old) {
      return;
    }
    long oldHash = pageHash(p, old);
    long newHash = pageHash(p, v);
    versions[p] = v;
    sumA += termA(p, newHash) - termA(p, oldHash);
    sumB += termB(p, newHash) - termB(p, oldHash);
    if (saving != null) {
      saving.pageWritten(p);
    }
  }

  private void requireStateHeld() {
    if (versions == null) {
      throw new IllegalStateException("device " + deviceId() + " holds no state");
    }
  }

  private long pageHash(int p, int version) {
    PageContent.ClosedForm f = p == geometry.pageCount() - 1 ? lastPageHash : fullPageHash;
    return f.hash(PageContent.pageKey(seed, p, version));
  }

  /** Digest term A of page {@code p} with hash {@code h}. */
  static long termA(long p, long h) {
    return Bytes.mix64(h ^ Bytes.mix64(p * 0x9E3779B97F4A7C15L + 1));
  }

  /** Digest term B of page {@code p} with hash {@code h}. */
  static long termB(long p, long h) {
    return Bytes.mix64(Long.rotateLeft(h, 32) + Bytes.mix64(p * 0xC2B2AE3D27D4EB4FL + 2));
  }

  static byte[] buildConfig(long seed, SyntheticGeometry g, int configSize) {
    byte[] blob = new byte[configSize];
    ByteBuffer b = Bytes.le(blob);
    b.putLong(0, SyntheticFormat.CONFIG_MAGIC);
    b.putInt(8, SyntheticFormat.FORMAT_VERSION);
    b.putInt(12, configSize);
    b.putLong(16, seed);
    b.putLong(24, g.size());
    b.putInt(32, g.pageSize());
    PageContent.Generator gen = new PageContent.Generator();
    int body = configSize - SyntheticFormat.CONFIG_HEADER_BYTES;
    gen.start(PageContent.pageKey(seed, -1, 0), body);
    b.position(SyntheticFormat.CONFIG_HEADER_BYTES);
    gen.emit(b, body);
    return blob;
  }

  // ------------------------------------------------------------------------------------------
  // Saving

  private enum Section {
    HEADER,
    RECORD_HEADER,
    PAGE,
    IDLE,
    TRAILER,
    DONE
  }

  /** The saving session of one PRE_COPY or STOP_COPY run; reads take the device lock. */
  private final class SavingSession extends AbstractDataStream implements SavingStream {
    private final PageContent.Generator gen = new PageContent.Generator();
    private final CRC32C crc = new CRC32C();
    private final BitSet dirty;
    private final byte[] small = new byte[SyntheticFormat.TRAILER_BYTES];
    private final ByteBuffer smallLe = Bytes.le(small);
    private boolean precopy;
    private Section section = Section.HEADER;
    private int smallPos;
    private int smallLen;
    private int initialCursor;
    private long dirtyBytes;
    private int dirtyCursor = Integer.MAX_VALUE;
    private int passes = 1;
    private int currentPage = -1;
    private boolean currentInitial;
    private long records;

    SavingSession(String deviceId, boolean precopy) {
      super(deviceId);
      this.precopy = precopy;
      this.dirty = new BitSet(precopy ? geometry.pageCount() : 0);
      smallLe.putLong(0, SyntheticFormat.MAGIC);
      smallLe.putShort(8, (short) SyntheticFormat.FORMAT_VERSION);
      smallLe.putShort(10, (short) SyntheticFormat.HEADER_BYTES);
      smallLe.putInt(12, precopy ? SyntheticFormat.FLAG_PRECOPY : 0);
      smallLe.putInt(16, geometry.pageSize());
      smallLe.putInt(20, geometry.pageCount());
      smallLe.putLong(24, geometry.size());
      smallLe.putLong(32, seed);
      smallLe.putInt(40, SyntheticFormat.GENERATOR_ID);
      smallLen = SyntheticFormat.HEADER_BYTES;
    }

    void enterStopCopy() {
      precopy = false;
    }

    /**
     * Page {@code p} was written. If its record has already started (it was sent, or it is being
     * streamed: {@code p < initialCursor} covers both, since the cursor moves past a page when its
     * record starts), the page is queued once to be sent again at its new version.
     *
     * <p>This holds in every state of the session, STOP_COPY included: the workload's last writes
     * are applied when it stops, which for {@code PRE_COPY(_P2P) -> STOP_COPY} is after the arc,
     * and a write that is not queued here makes the trailer's digest (the source's true state)
     * differ from what the destination receives.
     */
    void pageWritten(int p) {
      if (p < initialCursor && !dirty.get(p)) {
        dirty.set(p);
        dirtyBytes += geometry.recordBytes(p);
      }
    }

    /** Remaining bytes of the record in progress, or 0. */
    private long currentRecordRemaining() {
      switch (section) {
        case RECORD_HEADER:
          return (smallLen - smallPos) + geometry.pageLength(currentPage);
        case PAGE:
          return gen.remaining();
        default:
          return 0;
      }
    }

    long initialRemaining() {
      long header = section == Section.HEADER ? smallLen - smallPos : 0;
      long current = currentInitial ? currentRecordRemaining() : 0;
      return header + current + geometry.recordBytesFrom(initialCursor);
    }

    long dirtyRemaining() {
      return dirtyBytes + (currentInitial ? 0 : currentRecordRemaining());
    }

    long remainingToEnd() {
      switch (section) {
        case DONE:
          return 0;
        case TRAILER:
          return smallLen - smallPos;
        default:
          return initialRemaining() + dirtyRemaining() + SyntheticFormat.TRAILER_BYTES;
      }
    }

    @Override
    public ReadResult read(ByteBuffer dst) throws DeviceException {
      Objects.requireNonNull(dst, "dst");
      synchronized (lock) {
        checkUsable();
        advanceWorkload();
        final int start = dst.position();
        int crcMark = start;
        while (dst.hasRemaining()) {
          if (section == Section.PAGE) {
            gen.emit(dst, dst.remaining());
            if (gen.remaining() == 0) {
              section = Section.IDLE;
              currentPage = -1;
            }
          } else if (section == Section.HEADER
              || section == Section.RECORD_HEADER
              || section == Section.TRAILER) {
            int n = Math.min(smallLen - smallPos, dst.remaining());
            dst.put(small, smallPos, n);
            smallPos += n;
            if (section == Section.TRAILER) {
              crcMark = dst.position(); // the trailer's CRC covers its own prefix already
            }
            if (smallPos == smallLen) {
              section =
                  section == Section.RECORD_HEADER
                      ? Section.PAGE
                      : section == Section.TRAILER ? Section.DONE : Section.IDLE;
            }
          } else if (section == Section.IDLE) {
            if (!startNextRecord()) {
              if (precopy) {
                break; // temporary end
              }
              crcMark = updateCrc(dst, crcMark);
              buildTrailer(position + (dst.position() - start));
              section = Section.TRAILER;
            }
          } else {
            break; // DONE
          }
        }
        updateCrc(dst, crcMark);
        int n = dst.position() - start;
        position += n;
        if (n > 0) {
          return new ReadResult.Data(n);
        }
        if (section == Section.DONE) {
          return ReadResult.END_OF_STREAM;
        }
        if (!dst.hasRemaining()) {
          return new ReadResult.Data(0);
        }
        return precopyEnd == PrecopyEnd.ENOMSG ? ReadResult.NO_DATA_YET : ReadResult.END_OF_STREAM;
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

    private boolean startNextRecord() {
      int p;
      if (initialCursor < geometry.pageCount()) {
        p = initialCursor++;
        currentInitial = true;
      } else if (!dirty.isEmpty()) {
        p = dirtyCursor >= geometry.pageCount() ? -1 : dirty.nextSetBit(dirtyCursor);
        if (p < 0) {
          passes++;
          p = dirty.nextSetBit(0);
        }
        dirtyCursor = p + 1;
        dirty.clear(p);
        dirtyBytes -= geometry.recordBytes(p);
        currentInitial = false;
        pagesResent++;
      } else {
        currentInitial = false;
        return false;
      }
      int version = versions[p];
      int length = geometry.pageLength(p);
      smallLe.putInt(0, SyntheticFormat.TAG_PAGE);
      smallLe.putInt(4, length);
      smallLe.putLong(8, p);
      smallLe.putInt(16, version);
      smallLe.putInt(20, 0);
      smallPos = 0;
      smallLen = SyntheticFormat.RECORD_HEADER_BYTES;
      gen.start(PageContent.pageKey(seed, p, version), length);
      currentPage = p;
      section = Section.RECORD_HEADER;
      records++;
      recordsSent++;
      return true;
    }

    private void buildTrailer(long streamBytes) {
      smallLe.putInt(0, SyntheticFormat.TAG_TRAILER);
      smallLe.putInt(4, SyntheticFormat.TRAILER_BYTES - SyntheticFormat.RECORD_PREFIX_BYTES);
      smallLe.putLong(8, geometry.pageCount());
      smallLe.putLong(16, geometry.size());
      smallLe.putLong(24, records);
      smallLe.putLong(32, streamBytes);
      smallLe.putLong(40, sumA);
      smallLe.putLong(48, sumB);
      crc.update(small, 0, SyntheticFormat.TRAILER_CRC_OFFSET);
      smallLe.putInt(SyntheticFormat.TRAILER_CRC_OFFSET, (int) crc.getValue());
      smallLe.putInt(60, 0);
      smallPos = 0;
      smallLen = SyntheticFormat.TRAILER_BYTES;
    }

    @Override
    public PrecopyInfo precopyInfo() throws DeviceException {
      synchronized (lock) {
        checkUsable();
        MigrationState s = state();
        if (!s.isPrecopy()) {
          throw error(
              Errno.EINVAL,
              "precopy info is valid only in PRE_COPY and PRE_COPY_P2P, device is in " + s);
        }
        advanceWorkload();
        return new PrecopyInfo(initialRemaining(), dirtyRemaining());
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // Resuming

  private enum Parse {
    HEADER,
    RECORD,
    PAGE,
    TRAILER,
    DONE
  }

  /** The resuming session; writes take the device lock. */
  private final class ResumingSession extends AbstractDataStream implements ResumingStream {
    private final FieldBuffer field = new FieldBuffer(SyntheticFormat.TRAILER_BYTES);
    private final PageContent.Hasher hasher = new PageContent.Hasher();
    private final CRC32C crc = new CRC32C();
    private Parse parse = Parse.HEADER;
    private DeviceException structural;
    private String contentError;
    private boolean headerParsed;
    private long seed;
    private int[] receivedVersion;
    private long[] receivedHash;
    private int received;
    private long receivedBytes;
    private long sumA;
    private long sumB;
    private long records;
    private long fieldOffset;
    private int page;
    private int version;
    private int pagePending;
    private long trailerPageCount;
    private long trailerStateBytes;
    private long trailerRecords;
    private long trailerDigestLo;
    private long trailerDigestHi;
    private int trailerCrc;
    private int computedCrc;
    private byte[] config;
    private int writeStartPosition;

    ResumingSession(String deviceId) {
      super(deviceId);
      field.expect(SyntheticFormat.HEADER_BYTES);
    }

    @Override
    public int write(ByteBuffer src) throws DeviceException {
      Objects.requireNonNull(src, "src");
      synchronized (lock) {
        checkUsable();
        if (structural != null) {
          throw error(structural.errno(), structural.detail());
        }
        int start = src.position();
        writeStartPosition = start;
        try {
          while (src.hasRemaining()) {
            consume(src);
          }
        } catch (DeviceException e) {
          structural = e;
          src.position(start);
          throw e;
        }
        int n = src.position() - start;
        position += n;
        return n;
      }
    }

    private void consume(ByteBuffer src) throws DeviceException {
      switch (parse) {
        case HEADER:
        case RECORD:
        case TRAILER:
          {
            int before = field.filled();
            if (before == 0) {
              fieldOffset = streamOffset(src);
            }
            int n = field.fill(src);
            int crcEnd =
                parse == Parse.TRAILER
                    ? Math.min(before + n, SyntheticFormat.TRAILER_CRC_OFFSET)
                    : before + n;
            if (crcEnd > before) {
              crc.update(field.array(), before, crcEnd - before);
            }
            if (field.complete()) {
              fieldComplete();
            }
            return;
          }
        case PAGE:
          {
            int n = Math.min(pagePending, src.remaining());
            int p0 = src.position();
            int limit = src.limit();
            src.limit(p0 + n);
            crc.update(src);
            src.limit(limit).position(p0);
            hasher.update(src, n);
            pagePending -= n;
            if (pagePending == 0) {
              pageComplete();
            }
            return;
          }
        default:
          throw error(
              Errno.EINVAL,
              "unexpected "
                  + src.remaining()
                  + " bytes after the trailer at offset "
                  + streamOffset(src));
      }
    }

    /** The stream offset of {@code src}'s position during a write. */
    private long streamOffset(ByteBuffer src) {
      return position + (src.position() - writeStartPosition);
    }

    private void fieldComplete() throws DeviceException {
      ByteBuffer f = field.le();
      switch (parse) {
        case HEADER:
          parseHeader(f);
          parse = Parse.RECORD;
          field.expect(SyntheticFormat.RECORD_PREFIX_BYTES);
          return;
        case RECORD:
          if (field.size() == SyntheticFormat.RECORD_PREFIX_BYTES) {
            int tag = f.getInt(0);
            int length = f.getInt(4);
            if (tag == SyntheticFormat.TAG_PAGE) {
              field.extendTo(SyntheticFormat.RECORD_HEADER_BYTES);
            } else if (tag == SyntheticFormat.TAG_TRAILER) {
              int expected = SyntheticFormat.TRAILER_BYTES - SyntheticFormat.RECORD_PREFIX_BYTES;
              if (length != expected) {
                throw error(
                    Errno.EINVAL,
                    "trailer length expected "
                        + expected
                        + ", got "
                        + length
                        + " at offset "
                        + fieldOffset);
              }
              parse = Parse.TRAILER;
              field.extendTo(SyntheticFormat.TRAILER_BYTES);
            } else {
              throw error(
                  Errno.EINVAL,
                  "record tag expected 'PAGE' or 'TRLR', got "
                      + Bytes.ascii(tag, 4)
                      + " at offset "
                      + fieldOffset);
            }
            return;
          }
          startPage(f);
          return;
        case TRAILER:
          trailerPageCount = f.getLong(8);
          trailerStateBytes = f.getLong(16);
          trailerRecords = f.getLong(24);
          long streamBytes = f.getLong(32);
          if (streamBytes != fieldOffset) {
            throw error(
                Errno.EINVAL,
                "trailer at offset "
                    + fieldOffset
                    + " says the stream before it has "
                    + streamBytes
                    + " bytes (missing or duplicated data)");
          }
          int reserved = f.getInt(60);
          if (reserved != 0) {
            throw error(
                Errno.EINVAL,
                "trailer reserved field expected 0, got "
                    + reserved
                    + " at offset "
                    + (fieldOffset + 60));
          }
          trailerDigestLo = f.getLong(40);
          trailerDigestHi = f.getLong(48);
          trailerCrc = f.getInt(SyntheticFormat.TRAILER_CRC_OFFSET);
          computedCrc = (int) crc.getValue();
          parse = Parse.DONE;
          return;
        default:
          throw new IllegalStateException("no field in " + parse);
      }
    }

    private void parseHeader(ByteBuffer f) throws DeviceException {
      long magic = f.getLong(0);
      if (magic != SyntheticFormat.MAGIC) {
        throw error(
            Errno.EINVAL,
            "stream magic expected "
                + Bytes.ascii(SyntheticFormat.MAGIC, 8)
                + ", got "
                + Bytes.ascii(magic, 8)
                + " at offset 0");
      }
      int formatVersion = f.getShort(8) & 0xffff;
      if (formatVersion != SyntheticFormat.FORMAT_VERSION) {
        throw error(
            Errno.EINVAL,
            "stream format version expected "
                + SyntheticFormat.FORMAT_VERSION
                + ", got "
                + formatVersion
                + " at offset 8");
      }
      int headerLength = f.getShort(10) & 0xffff;
      if (headerLength != SyntheticFormat.HEADER_BYTES) {
        throw error(
            Errno.EINVAL,
            "header length expected "
                + SyntheticFormat.HEADER_BYTES
                + ", got "
                + headerLength
                + " at offset 10");
      }
      int generator = f.getInt(40);
      if (generator != SyntheticFormat.GENERATOR_ID) {
        throw error(
            Errno.EINVAL,
            "generator id expected " + SyntheticFormat.GENERATOR_ID + ", got " + generator);
      }
      long size = f.getLong(24);
      if (size != geometry.size()) {
        throw error(
            Errno.EINVAL,
            "incompatible source: state size expected " + geometry.size() + ", got " + size);
      }
      int pageSize = f.getInt(16);
      if (pageSize != geometry.pageSize()) {
        throw error(
            Errno.EINVAL,
            "incompatible source: page size expected " + geometry.pageSize() + ", got " + pageSize);
      }
      int pageCount = f.getInt(20);
      if (pageCount != geometry.pageCount()) {
        throw error(
            Errno.EINVAL,
            "inconsistent header: page count expected "
                + geometry.pageCount()
                + ", got "
                + pageCount);
      }
      for (int off = 44; off < SyntheticFormat.HEADER_BYTES; off += 4) {
        if (f.getInt(off) != 0) {
          throw error(
              Errno.EINVAL,
              "reserved header field at offset " + off + " expected 0, got " + f.getInt(off));
        }
      }
      seed = f.getLong(32);
      if (config != null && Bytes.le(config).getLong(16) != seed) {
        throw error(
            Errno.EINVAL,
            "stream does not belong to the loaded config: seed expected "
                + Bytes.le(config).getLong(16)
                + ", got "
                + seed);
      }
      receivedVersion = new int[pageCount];
      Arrays.fill(receivedVersion, -1);
      receivedHash = new long[pageCount];
      headerParsed = true;
    }

    private void startPage(ByteBuffer f) throws DeviceException {
      int length = f.getInt(4);
      long index = f.getLong(8);
      int v = f.getInt(16);
      int reserved = f.getInt(20);
      if (index < 0 || index >= geometry.pageCount()) {
        throw error(
            Errno.EINVAL,
            "page index expected in [0, "
                + geometry.pageCount()
                + "), got "
                + index
                + " in record at offset "
                + fieldOffset);
      }
      int p = (int) index;
      if (length != geometry.pageLength(p)) {
        throw error(
            Errno.EINVAL,
            "page "
                + p
                + ": length expected "
                + geometry.pageLength(p)
                + ", got "
                + length
                + " in record at offset "
                + fieldOffset);
      }
      if (reserved != 0) {
        throw error(
            Errno.EINVAL,
            "page "
                + p
                + ": reserved field expected 0, got "
                + reserved
                + " in record at offset "
                + fieldOffset);
      }
      if (v < 0 || v <= receivedVersion[p]) {
        throw error(
            Errno.EINVAL,
            "page "
                + p
                + ": version expected > "
                + receivedVersion[p]
                + ", got "
                + v
                + " in record at offset "
                + fieldOffset
                + " (duplicate or reordered record)");
      }
      page = p;
      version = v;
      pagePending = length;
      hasher.reset();
      parse = Parse.PAGE;
      if (length == 0) {
        pageComplete();
      }
    }

    private void pageComplete() {
      long h = hasher.finish();
      int length = geometry.pageLength(page);
      long expected =
          (page == geometry.pageCount() - 1 ? lastPageHash : fullPageHash)
              .hash(PageContent.pageKey(seed, page, version));
      if (h != expected && contentError == null) {
        contentError =
            "page "
                + page
                + " version "
                + version
                + ": content hash expected "
                + Bytes.hex64(expected)
                + ", got "
                + Bytes.hex64(h)
                + " (record at offset "
                + fieldOffset
                + ")";
      }
      if (receivedVersion[page] >= 0) {
        long old = receivedHash[page];
        sumA -= termA(page, old);
        sumB -= termB(page, old);
      } else {
        received++;
        receivedBytes += length;
      }
      sumA += termA(page, h);
      sumB += termB(page, h);
      receivedVersion[page] = version;
      receivedHash[page] = h;
      records++;
      parse = Parse.RECORD;
      field.expect(SyntheticFormat.RECORD_PREFIX_BYTES);
    }

    DeviceDigest digest() {
      return new DeviceDigest(
          SyntheticFormat.DIGEST_ALGORITHM,
          Bytes.hex128(sumB, sumA),
          receivedBytes,
          config == null ? DeviceDigest.NO_CONFIG : Bytes.sha256Hex(config));
    }

    void validateAndAdopt() throws DeviceException {
      if (structural != null) {
        throw error(structural.errno(), "invalid stream: " + structural.detail());
      }
      if (!headerParsed) {
        throw error(
            Errno.EINVAL,
            "stream truncated: header has "
                + field.filled()
                + " of "
                + SyntheticFormat.HEADER_BYTES
                + " bytes");
      }
      if (parse != Parse.DONE) {
        throw error(
            Errno.EINVAL,
            "stream truncated at offset "
                + position
                + ": no trailer ("
                + received
                + " of "
                + geometry.pageCount()
                + " pages received)");
      }
      if (trailerCrc != computedCrc) {
        throw error(
            Errno.EINVAL,
            "stream CRC32C expected "
                + Bytes.hex32(trailerCrc)
                + " (trailer), got "
                + Bytes.hex32(computedCrc));
      }
      if (contentError != null) {
        throw error(Errno.EINVAL, contentError);
      }
      if (trailerPageCount != geometry.pageCount()) {
        throw error(
            Errno.EINVAL,
            "trailer page count expected " + geometry.pageCount() + ", got " + trailerPageCount);
      }
      if (received != geometry.pageCount()) {
        int missing = 0;
        while (receivedVersion[missing] >= 0) {
          missing++;
        }
        throw error(
            Errno.EINVAL,
            "missing pages: "
                + received
                + " of "
                + geometry.pageCount()
                + " received, first missing page "
                + missing);
      }
      if (trailerRecords != records) {
        throw error(
            Errno.EINVAL, "records expected " + trailerRecords + " (trailer), got " + records);
      }
      if (trailerStateBytes != receivedBytes) {
        throw error(
            Errno.EINVAL,
            "state bytes expected " + trailerStateBytes + " (trailer), got " + receivedBytes);
      }
      if (trailerDigestLo != sumA || trailerDigestHi != sumB) {
        throw error(
            Errno.EINVAL,
            "state digest expected "
                + Bytes.hex128(trailerDigestHi, trailerDigestLo)
                + " (source), got "
                + Bytes.hex128(sumB, sumA)
                + " (received)");
      }
      SyntheticDevice.this.seed = seed;
      SyntheticDevice.this.versions = receivedVersion;
      SyntheticDevice.this.sumA = sumA;
      SyntheticDevice.this.sumB = sumB;
      SyntheticDevice.this.config = config;
    }
  }

  /** Builder; see docs/devices.md for the meaning and defaults of each parameter. */
  public static final class Builder {
    private final String deviceId;
    private long size = 64L << 20;
    private int pageSize = 64 << 10;
    private long seed = 1;
    private boolean precopy;
    private boolean p2p = true;
    private long dirtyRate;
    private double hotFraction = 0.1;
    private double hotShare = 0.9;
    private PrecopyEnd precopyEnd = PrecopyEnd.ENOMSG;
    private boolean dirtyInP2p = true;
    private int configSize = 4096;
    private LongSupplier clock = System::nanoTime;
    private Role role = Role.SOURCE;

    private Builder(String deviceId) {
      this.deviceId = Objects.requireNonNull(deviceId, "deviceId");
    }

    public Builder size(long bytes) {
      this.size = bytes;
      return this;
    }

    public Builder pageSize(int bytes) {
      this.pageSize = bytes;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder precopy(boolean on) {
      this.precopy = on;
      return this;
    }

    public Builder p2p(boolean on) {
      this.p2p = on;
      return this;
    }

    /** Bytes per second dirtied while running (0 = none). */
    public Builder dirtyRate(long bytesPerSecond) {
      this.dirtyRate = bytesPerSecond;
      return this;
    }

    public Builder hotFraction(double fraction) {
      this.hotFraction = fraction;
      return this;
    }

    public Builder hotShare(double share) {
      this.hotShare = share;
      return this;
    }

    public Builder precopyEnd(PrecopyEnd end) {
      this.precopyEnd = end;
      return this;
    }

    /** Whether the workload keeps dirtying in RUNNING_P2P and PRE_COPY_P2P (default true). */
    public Builder dirtyInP2p(boolean on) {
      this.dirtyInP2p = on;
      return this;
    }

    public Builder configSize(int bytes) {
      this.configSize = bytes;
      return this;
    }

    /** The clock driving the workload, in nanoseconds (default System::nanoTime). */
    public Builder clock(LongSupplier nanoClock) {
      this.clock = nanoClock;
      return this;
    }

    public Builder role(Role role) {
      this.role = Objects.requireNonNull(role, "role");
      return this;
    }

    public SyntheticDevice build() {
      return new SyntheticDevice(this);
    }
  }
}

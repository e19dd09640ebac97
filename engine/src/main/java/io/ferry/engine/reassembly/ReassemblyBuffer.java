package io.ferry.engine.reassembly;

import akka.util.ByteString;
import java.util.HashMap;
import java.util.Map;

/**
 * The reorder buffer of one device: chunks arrive by index from any multifd channel in any order
 * and leave strictly in index order, the config chunk (the last index) last. QEMU's
 * {@code VFIOStateBuffers} plus the checks of {@code vfio_multifd_load_state_buffer()}, with the
 * gaps that QEMU leaves closed (analysis in qemu-vfio-multifd.md §7.2):
 *
 * <ul>
 *   <li>memory is bounded by {@code maxQueuedBytes}, counting a fixed per-chunk overhead so that a
 *       flood of tiny chunks cannot grow the map beyond the cap;
 *   <li>an index is kept in a hash map, never used to size an array, so a huge index costs nothing;
 *   <li>data beyond the config index, a second config chunk, and a config index below a data index
 *       already received are rejected, not silently ignored.
 * </ul>
 *
 * Not thread-safe: owned by one {@link ReassemblyActor}.
 */
public final class ReassemblyBuffer {
  /** Bytes charged per queued chunk on top of its data: map entry, key, ByteString header. */
  public static final int PER_CHUNK_OVERHEAD = 96;

  private final String deviceId;
  private final long maxQueuedBytes;
  private final Map<Long, Chunk> queued = new HashMap<>();
  private long nextIndex;
  private long configIndex = -1;
  private long highestDataIndex = -1;
  private long queuedBytes;
  private long peakQueuedBytes;
  private long releasedChunks;
  private long releasedDataBytes;

  public ReassemblyBuffer(String deviceId, long maxQueuedBytes) {
    if (maxQueuedBytes <= PER_CHUNK_OVERHEAD) {
      throw new IllegalArgumentException(
          "maxQueuedBytes: expected > " + PER_CHUNK_OVERHEAD + ", got " + maxQueuedBytes);
    }
    this.deviceId = deviceId;
    this.maxQueuedBytes = maxQueuedBytes;
  }

  /** A chunk on its way to the device. */
  public record Chunk(long index, boolean config, ByteString data) {}

  /** Queues one chunk or says why it cannot be accepted; on refusal the buffer is unchanged. */
  public void offer(long index, boolean config, ByteString data) throws ReassemblyException {
    if (index < nextIndex || queued.containsKey(index)) {
      throw new ReassemblyException(
          deviceId + ": chunk " + index + ": duplicate index (already received; next expected "
              + nextIndex + ")");
    }
    if (configIndex >= 0 && index > configIndex) {
      throw new ReassemblyException(
          deviceId + ": chunk " + index + ": data after the config chunk: expected index <= "
              + configIndex + ", got " + index);
    }
    if (config) {
      if (configIndex >= 0) {
        throw new ReassemblyException(
            deviceId + ": chunk " + index + ": second config chunk: expected one at index "
                + configIndex + ", got another at " + index);
      }
      if (index <= highestDataIndex) {
        throw new ReassemblyException(
            deviceId + ": chunk " + index + ": config chunk must have the last index: expected > "
                + highestDataIndex + ", got " + index);
      }
    }
    long cost = (long) data.size() + PER_CHUNK_OVERHEAD;
    if (queuedBytes + cost > maxQueuedBytes) {
      throw new ReassemblyException(
          deviceId + ": chunk " + index + ": queued bytes would exceed the cap: expected <= "
              + maxQueuedBytes + ", got " + (queuedBytes + cost));
    }
    queued.put(index, new Chunk(index, config, data));
    queuedBytes += cost;
    peakQueuedBytes = Math.max(peakQueuedBytes, queuedBytes);
    if (config) {
      configIndex = index;
    } else {
      highestDataIndex = Math.max(highestDataIndex, index);
    }
  }

  /** The next chunk in index order, or null if it has not arrived (the loader is starved). */
  public Chunk pollNext() {
    Chunk c = queued.remove(nextIndex);
    if (c == null) {
      return null;
    }
    queuedBytes -= (long) c.data().size() + PER_CHUNK_OVERHEAD;
    nextIndex++;
    releasedChunks++;
    if (!c.config()) {
      releasedDataBytes += c.data().size();
    }
    return c;
  }

  /** True once the config chunk has been released: everything before it was released too. */
  public boolean complete() {
    return configIndex >= 0 && nextIndex > configIndex;
  }

  /** Whether every chunk up to the config chunk is either released or queued. */
  public boolean holdsEverything() {
    return configIndex >= 0 && queued.size() == configIndex - nextIndex + 1;
  }

  /**
   * Explains what is missing once no more chunks can arrive, or null if nothing is. Used when every
   * channel has ended: QEMU would wait forever here (§3.5); Ferry fails with this message.
   */
  public String missing() {
    if (configIndex < 0) {
      return deviceId + ": never received its config chunk (next expected index " + nextIndex
          + ", " + queued.size() + " chunks queued, highest data index " + highestDataIndex + ")";
    }
    if (holdsEverything()) {
      return null;
    }
    for (long i = nextIndex; i <= configIndex; i++) {
      if (!queued.containsKey(i)) {
        return deviceId + ": chunk " + i + " never arrived: expected indexes " + nextIndex + ".."
            + configIndex + ", got " + queued.size() + " of " + (configIndex - nextIndex + 1);
      }
    }
    return null;
  }

  /** Drops everything queued (on abort), returning how many bytes were freed. */
  public long clear() {
    long freed = queuedBytes;
    queued.clear();
    queuedBytes = 0;
    return freed;
  }

  public long nextIndex() {
    return nextIndex;
  }

  public long configIndex() {
    return configIndex;
  }

  public long queuedBytes() {
    return queuedBytes;
  }

  public long peakQueuedBytes() {
    return peakQueuedBytes;
  }

  public int queuedChunks() {
    return queued.size();
  }

  public long releasedChunks() {
    return releasedChunks;
  }

  public long releasedDataBytes() {
    return releasedDataBytes;
  }
}

package io.ferry.engine.reassembly;

/**
 * The destination's side of one device's credit: how much it granted, how much arrived, how much
 * was loaded and not yet granted back. Credit is counted in cost units, a chunk costing its
 * payload plus {@link ReassemblyBuffer#PER_CHUNK_OVERHEAD}, the same units the reassembly cap
 * uses, so that a source within its credit can never exceed the cap (the window equals the cap).
 *
 * <p>Grants are batched: loaded bytes are granted back once they reach a quarter of the window,
 * which keeps control messages to a few per window, and whenever the device has nothing left to
 * load ({@link #flush}), so that a source waiting for credit is never left waiting on bytes
 * already loaded. Not thread-safe: owned by one {@link ReassemblyActor}.
 */
public final class CreditWindow {
  private final String deviceId;
  private final long window;
  private long granted;
  private long received;
  private long ungranted;

  public CreditWindow(String deviceId, long window) {
    if (window <= ReassemblyBuffer.PER_CHUNK_OVERHEAD) {
      throw new IllegalArgumentException("window: expected > "
          + ReassemblyBuffer.PER_CHUNK_OVERHEAD + ", got " + window);
    }
    this.deviceId = deviceId;
    this.window = window;
    this.granted = window;
  }

  /** The cost of a chunk with this payload size, on both sides of the wire. */
  public static long cost(int payloadBytes) {
    return (long) payloadBytes + ReassemblyBuffer.PER_CHUNK_OVERHEAD;
  }

  public long window() {
    return window;
  }

  /** Accounts an arriving chunk; refuses one the source had no credit for. */
  public void received(int payloadBytes) throws ReassemblyException {
    long next = received + cost(payloadBytes);
    if (next > granted) {
      throw new ReassemblyException(deviceId + ": source sent beyond its credit: expected at most "
          + granted + " credit bytes received, got " + next + " (window " + window + ")");
    }
    received = next;
  }

  /**
   * Accounts a chunk loaded into the device.
   *
   * @return bytes to grant back now, or 0 while fewer than a quarter window are pending
   */
  public long loaded(int payloadBytes) {
    ungranted += cost(payloadBytes);
    if (ungranted >= window / 4) {
      long grant = ungranted;
      granted += grant;
      ungranted = 0;
      return grant;
    }
    return 0;
  }

  /** Grants back whatever was loaded and not yet granted: called when the device is idle. */
  public long flush() {
    long grant = ungranted;
    granted += grant;
    ungranted = 0;
    return grant;
  }

  public long granted() {
    return granted;
  }

  public long received() {
    return received;
  }
}

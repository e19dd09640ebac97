package io.ferry.devices.vfio;

import akka.util.ByteIterator;
import akka.util.ByteString;
import akka.util.ByteStringBuilder;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The device-private payload a VFIO device puts inside its main-channel sections, with QEMU's be64
 * markers ({@code hw/vfio/migration.c}) so that the stream reads like QEMU's:
 *
 * <pre>
 *  setup  (START): DEV_SETUP_STATE | be32 features | be64 stop-copy estimate | END_OF_STATE
 *  data   (END, legacy; PART, precopy): DEV_DATA_STATE | be64 size | size bytes
 *  end of state (END, legacy):          END_OF_STATE
 *  initial data sent (PART, precopy):   DEV_INIT_DATA_SENT
 *  config (FULL, legacy):               DEV_CONFIG_STATE | be32 size | size bytes | END_OF_STATE
 *  dummy  (FULL, multifd):              END_OF_STATE
 * </pre>
 *
 * One Ferry record carries one of these payloads (Ferry frames records, QEMU's QEMUFile does not),
 * so a legacy device's stop-copy data is a run of SECTION_END records. The parser treats the bytes
 * as hostile: unknown tags, short fields and trailing bytes are errors naming the device.
 */
public final class VfioSectionPayload {
  private VfioSectionPayload() {}

  public static final long END_OF_STATE = 0xFFFFFFFFEF100001L;
  public static final long DEV_CONFIG_STATE = 0xFFFFFFFFEF100002L;
  public static final long DEV_SETUP_STATE = 0xFFFFFFFFEF100003L;
  public static final long DEV_DATA_STATE = 0xFFFFFFFFEF100004L;
  public static final long DEV_INIT_DATA_SENT = 0xFFFFFFFFEF100005L;

  private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;

  /** A parsed payload. */
  public sealed interface Item {}

  public record Setup(int features, long stopCopyEstimate) implements Item {}

  public record Data(ByteString bytes) implements Item {}

  public record Config(ByteString bytes) implements Item {}

  public record EndOfState() implements Item {}

  /** Precopy: every initial byte has been sent (QEMU's switchover-ack trigger). */
  public record InitDataSent() implements Item {}

  public static ByteString initDataSent() {
    return new ByteStringBuilder().putLong(DEV_INIT_DATA_SENT, BE).result();
  }

  public static ByteString setup(int features, long stopCopyEstimate) {
    return new ByteStringBuilder()
        .putLong(DEV_SETUP_STATE, BE)
        .putInt(features, BE)
        .putLong(stopCopyEstimate, BE)
        .putLong(END_OF_STATE, BE)
        .result();
  }

  /** The 16 header bytes of a data block; the data follows without a copy. */
  public static ByteString dataHeader(int size) {
    return new ByteStringBuilder().putLong(DEV_DATA_STATE, BE).putLong(size, BE).result();
  }

  public static ByteString endOfState() {
    return new ByteStringBuilder().putLong(END_OF_STATE, BE).result();
  }

  public static ByteString config(byte[] config) {
    return new ByteStringBuilder()
        .putLong(DEV_CONFIG_STATE, BE)
        .putInt(config.length, BE)
        .putBytes(config)
        .putLong(END_OF_STATE, BE)
        .result();
  }

  /** Parses a whole section payload into its items. */
  public static List<Item> parse(String deviceId, ByteString payload) throws VfioStreamException {
    List<Item> items = new ArrayList<>(2);
    int pos = 0;
    while (pos < payload.size()) {
      long tag = readLong(deviceId, payload, pos, "tag");
      pos += 8;
      if (tag == END_OF_STATE) {
        items.add(new EndOfState());
      } else if (tag == DEV_INIT_DATA_SENT) {
        items.add(new InitDataSent());
      } else if (tag == DEV_SETUP_STATE) {
        need(deviceId, payload, pos, 20, "DEV_SETUP_STATE body");
        ByteIterator it = payload.iterator().drop(pos);
        int features = it.getInt(BE);
        long estimate = it.getLong(BE);
        long end = it.getLong(BE);
        pos += 20;
        if (end != END_OF_STATE) {
          throw new VfioStreamException(String.format(
              "%s: DEV_SETUP_STATE: expected END_OF_STATE 0x%X after it, got 0x%X", deviceId,
              END_OF_STATE, end));
        }
        items.add(new Setup(features, estimate));
      } else if (tag == DEV_DATA_STATE) {
        long size = readLong(deviceId, payload, pos, "DEV_DATA_STATE size");
        pos += 8;
        if (size < 0 || size > payload.size() - pos) {
          throw new VfioStreamException(deviceId + ": DEV_DATA_STATE size: expected <= "
              + (payload.size() - pos) + " bytes present, got " + size);
        }
        items.add(new Data(payload.slice(pos, pos + (int) size)));
        pos += (int) size;
      } else if (tag == DEV_CONFIG_STATE) {
        need(deviceId, payload, pos, 4, "DEV_CONFIG_STATE size");
        int size = payload.iterator().drop(pos).getInt(BE);
        pos += 4;
        if (size < 0 || size > payload.size() - pos - 8) {
          throw new VfioStreamException(deviceId + ": DEV_CONFIG_STATE size: expected <= "
              + Math.max(0, payload.size() - pos - 8) + ", got " + size);
        }
        ByteString config = payload.slice(pos, pos + size);
        pos += size;
        long end = readLong(deviceId, payload, pos, "DEV_CONFIG_STATE end");
        pos += 8;
        if (end != END_OF_STATE) {
          throw new VfioStreamException(String.format(
              "%s: DEV_CONFIG_STATE: expected END_OF_STATE 0x%X after the config, got 0x%X",
              deviceId, END_OF_STATE, end));
        }
        items.add(new Config(config));
      } else {
        throw new VfioStreamException(String.format("%s: unknown tag 0x%X at offset %d", deviceId,
            tag, pos - 8));
      }
    }
    return items;
  }

  private static long readLong(String deviceId, ByteString p, int pos, String field)
      throws VfioStreamException {
    need(deviceId, p, pos, 8, field);
    return p.iterator().drop(pos).getLong(BE);
  }

  private static void need(String deviceId, ByteString p, int pos, int n, String field)
      throws VfioStreamException {
    if (p.size() - pos < n) {
      throw new VfioStreamException(deviceId + ": " + field + ": expected " + n
          + " bytes at offset " + pos + ", got " + (p.size() - pos));
    }
  }

  /** A section payload that does not parse. */
  public static final class VfioStreamException extends Exception {
    private static final long serialVersionUID = 1L;

    public VfioStreamException(String message) {
      super(message);
    }
  }
}

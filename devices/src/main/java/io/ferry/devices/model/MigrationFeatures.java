package io.ferry.devices.model;

import java.util.StringJoiner;

/**
 * The migration feature flags of {@code struct vfio_device_feature_migration.flags}.
 *
 * <p>{@link #STOP_COPY} must always be set; the uAPI defines behaviour only for the combinations
 * STOP_COPY, STOP_COPY|P2P, STOP_COPY|PRE_COPY and STOP_COPY|P2P|PRE_COPY ({@link #isValid}).
 */
public final class MigrationFeatures {
  /** {@code VFIO_MIGRATION_STOP_COPY}: STOP, STOP_COPY, RESUMING (mandatory). */
  public static final int STOP_COPY = 1;

  /** {@code VFIO_MIGRATION_P2P}: RUNNING_P2P (and PRE_COPY_P2P with PRE_COPY). */
  public static final int P2P = 2;

  /** {@code VFIO_MIGRATION_PRE_COPY}: PRE_COPY (and PRE_COPY_P2P with P2P). */
  public static final int PRE_COPY = 4;

  /** All flags defined by the uAPI. */
  public static final int ALL = STOP_COPY | P2P | PRE_COPY;

  private MigrationFeatures() {}

  /** True if STOP_COPY is set and no undefined bit is set. */
  public static boolean isValid(int features) {
    return (features & STOP_COPY) != 0 && (features & ~ALL) == 0;
  }

  /** Builds a flag set. */
  public static int of(boolean p2p, boolean precopy) {
    return STOP_COPY | (p2p ? P2P : 0) | (precopy ? PRE_COPY : 0);
  }

  /** Renders the flags as {@code STOP_COPY|P2P|PRE_COPY}, or {@code 0} for none. */
  public static String describe(int features) {
    StringJoiner j = new StringJoiner("|");
    if ((features & STOP_COPY) != 0) {
      j.add("STOP_COPY");
    }
    if ((features & P2P) != 0) {
      j.add("P2P");
    }
    if ((features & PRE_COPY) != 0) {
      j.add("PRE_COPY");
    }
    int unknown = features & ~ALL;
    if (unknown != 0) {
      j.add("0x" + Integer.toHexString(unknown));
    }
    return j.length() == 0 ? "0" : j.toString();
  }
}

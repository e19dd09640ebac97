package io.ferry.devices.model;

import static io.ferry.devices.model.MigrationState.ERROR;
import static io.ferry.devices.model.MigrationState.PRE_COPY;
import static io.ferry.devices.model.MigrationState.PRE_COPY_P2P;
import static io.ferry.devices.model.MigrationState.RESUMING;
import static io.ferry.devices.model.MigrationState.RUNNING;
import static io.ferry.devices.model.MigrationState.RUNNING_P2P;
import static io.ferry.devices.model.MigrationState.STOP;
import static io.ferry.devices.model.MigrationState.STOP_COPY;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The kernel's combination rule for migration state transitions: {@code vfio_mig_get_next_state()}
 * in {@code drivers/vfio/vfio_main.c}, with {@code vfio_from_fsm_table} and {@code
 * state_flags_table} copied verbatim.
 *
 * <p>A driver implements only the direct arcs; every other request is decomposed by calling {@link
 * #nextState} repeatedly, one direct arc per call, skipping the optional states the device does not
 * support. {@link AbstractDeviceModel#setState} is that loop.
 *
 * <p><b>The ERROR guard.</b> As written in the kernel before the 2026 fix, the skip loop never ends
 * when the table yields ERROR: {@code state_flags_table[ERROR] = ~0} is never "supported", and
 * {@code table[ERROR][*] = ERROR}. The blocked arcs STOP_COPY to PRE_COPY and STOP_COPY to
 * PRE_COPY_P2P on a PRE_COPY device would spin forever. This copy stops skipping at ERROR (the
 * upstream fix, {@code Fixes: 4db52602a607}) and reports EINVAL.
 *
 * <pre>
 * cur \ target   STOP     RUNNING  STOP_COPY RESUMING RUN_P2P  PRE_COPY PRE_P2P  ERROR
 * STOP           STOP     RUN_P2P  STOP_COPY RESUMING RUN_P2P  RUN_P2P  RUN_P2P  ERR
 * RUNNING        RUN_P2P  RUNNING  RUN_P2P   RUN_P2P  RUN_P2P  PRE_COPY RUN_P2P  ERR
 * STOP_COPY      STOP     STOP     STOP_COPY STOP     STOP     ERR      ERR      ERR
 * RESUMING       STOP     STOP     STOP      RESUMING STOP     STOP     STOP     ERR
 * RUNNING_P2P    STOP     RUNNING  STOP      STOP     RUN_P2P  RUNNING  PRE_P2P  ERR
 * PRE_COPY       RUNNING  RUNNING  PRE_P2P   RUNNING  RUNNING  PRE_COPY PRE_P2P  ERR
 * PRE_COPY_P2P   RUN_P2P  RUN_P2P  STOP_COPY RUN_P2P  RUN_P2P  PRE_COPY PRE_P2P  ERR
 * ERROR          ERR      ERR      ERR       ERR      ERR      ERR      ERR      ERR
 * </pre>
 */
public final class MigrationFsm {

  /** {@code vfio_from_fsm_table[cur][new]}, indexed by uAPI value. */
  private static final MigrationState[][] TABLE = {
    /* ERROR */ {ERROR, ERROR, ERROR, ERROR, ERROR, ERROR, ERROR, ERROR},
    /* STOP */ {
      ERROR, STOP, RUNNING_P2P, STOP_COPY, RESUMING, RUNNING_P2P, RUNNING_P2P, RUNNING_P2P
    },
    /* RUNNING */ {
      ERROR, RUNNING_P2P, RUNNING, RUNNING_P2P, RUNNING_P2P, RUNNING_P2P, PRE_COPY, RUNNING_P2P
    },
    /* STOP_COPY */ {ERROR, STOP, STOP, STOP_COPY, STOP, STOP, ERROR, ERROR},
    /* RESUMING */ {ERROR, STOP, STOP, STOP, RESUMING, STOP, STOP, STOP},
    /* RUNNING_P2P */ {ERROR, STOP, RUNNING, STOP, STOP, RUNNING_P2P, RUNNING, PRE_COPY_P2P},
    /* PRE_COPY */ {
      ERROR, RUNNING, RUNNING, PRE_COPY_P2P, RUNNING, RUNNING, PRE_COPY, PRE_COPY_P2P
    },
    /* PRE_COPY_P2P */ {
      ERROR, RUNNING_P2P, RUNNING_P2P, STOP_COPY, RUNNING_P2P, RUNNING_P2P, PRE_COPY, PRE_COPY_P2P
    },
  };

  /** {@code state_flags_table}: the features a state needs; ERROR needs all bits (~0). */
  private static final int[] STATE_FLAGS = {
    /* ERROR */ ~0,
    /* STOP */ MigrationFeatures.STOP_COPY,
    /* RUNNING */ MigrationFeatures.STOP_COPY,
    /* STOP_COPY */ MigrationFeatures.STOP_COPY,
    /* RESUMING */ MigrationFeatures.STOP_COPY,
    /* RUNNING_P2P */ MigrationFeatures.STOP_COPY | MigrationFeatures.P2P,
    /* PRE_COPY */ MigrationFeatures.STOP_COPY | MigrationFeatures.PRE_COPY,
    /* PRE_COPY_P2P */ MigrationFeatures.STOP_COPY
        | MigrationFeatures.P2P
        | MigrationFeatures.PRE_COPY,
  };

  private static final String NO_DEVICE = "(fsm)";

  private MigrationFsm() {}

  /**
   * True if a device with these features has state {@code s} ({@code vfio_mig_state_supported});
   * never true for ERROR.
   */
  public static boolean supports(MigrationState s, int features) {
    int needed = STATE_FLAGS[s.uapiValue()];
    return (needed & features) == needed;
  }

  /** The raw table entry {@code vfio_from_fsm_table[cur][target]}, without skipping. */
  public static MigrationState tableEntry(MigrationState cur, MigrationState target) {
    return TABLE[cur.uapiValue()][target.uapiValue()];
  }

  /** {@link #nextState(String, MigrationState, MigrationState, int)} with no device named. */
  public static MigrationState nextState(MigrationState cur, MigrationState target, int features)
      throws DeviceException {
    return nextState(NO_DEVICE, cur, target, features);
  }

  /**
   * The next direct arc's end state on the way from {@code cur} to {@code target}, exactly as
   * {@code vfio_mig_get_next_state()} computes it, with the ERROR guard. Returns {@code cur} when
   * {@code cur == target}.
   *
   * @throws DeviceException EINVAL if {@code cur} or {@code target} is not supported by the
   *     features (ERROR never is), or if the table forbids the transition (STOP_COPY to PRE_COPY*)
   */
  public static MigrationState nextState(
      String deviceId, MigrationState cur, MigrationState target, int features)
      throws DeviceException {
    Objects.requireNonNull(cur, "cur");
    Objects.requireNonNull(target, "target");
    if (!supports(cur, features)) {
      throw new DeviceException(
          deviceId,
          Errno.EINVAL,
          "current state "
              + cur
              + " is not supported by features "
              + MigrationFeatures.describe(features));
    }
    if (!supports(target, features)) {
      throw new DeviceException(
          deviceId,
          Errno.EINVAL,
          "target state "
              + target
              + " is not supported by features "
              + MigrationFeatures.describe(features));
    }
    MigrationState next = tableEntry(cur, target);
    // The guard: stop skipping at ERROR, which is never "supported" (the kernel bug looped here).
    while (next != ERROR && !supports(next, features)) {
      next = tableEntry(next, target);
    }
    if (next == ERROR) {
      throw new DeviceException(
          deviceId,
          Errno.EINVAL,
          "no transition from " + cur + " to " + target + " (the uAPI blocks this arc)");
    }
    return next;
  }

  /**
   * The states a transition passes through, one per direct arc, ending with {@code target}; empty
   * when {@code cur == target}.
   */
  public static List<MigrationState> path(MigrationState cur, MigrationState target, int features)
      throws DeviceException {
    List<MigrationState> steps = new ArrayList<>();
    MigrationState s = cur;
    while (s != target) {
      s = nextState(s, target, features);
      steps.add(s);
      if (steps.size() > TABLE.length) {
        throw new IllegalStateException("no progress from " + cur + " to " + target);
      }
    }
    return steps;
  }

  /**
   * True if {@code from -> to} opens a new data stream: an arc into the saving group from outside
   * it (a saving stream), or STOP to RESUMING (a resuming stream).
   */
  public static boolean opensSession(MigrationState from, MigrationState to) {
    return (!from.isSaving() && to.isSaving()) || (from == STOP && to == RESUMING);
  }

  /**
   * True if {@code from -> to} ends the current session: an arc out of the saving group, or out of
   * RESUMING.
   */
  public static boolean endsSession(MigrationState from, MigrationState to) {
    return (from.isSaving() && !to.isSaving()) || (from == RESUMING && to != RESUMING);
  }
}

package io.ferry.devices.model;

import static io.ferry.devices.model.MigrationState.PRE_COPY;
import static io.ferry.devices.model.MigrationState.PRE_COPY_P2P;
import static io.ferry.devices.model.MigrationState.RESUMING;
import static io.ferry.devices.model.MigrationState.RUNNING;
import static io.ferry.devices.model.MigrationState.RUNNING_P2P;
import static io.ferry.devices.model.MigrationState.STOP;
import static io.ferry.devices.model.MigrationState.STOP_COPY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The kernel's table, transcribed here a second time from {@code vfio_main.c} (as text, with the
 * kernel's own state names) and driven by a separate transcription of {@code
 * vfio_mig_get_next_state()}, so that a typo in {@link MigrationFsm} cannot hide in both.
 */
class MigrationFsmTest {

  /** vfio_from_fsm_table, rows = current state, columns = requested state, both in uAPI order. */
  private static final String KERNEL_TABLE =
      "ERROR:        ERROR ERROR ERROR ERROR ERROR ERROR ERROR ERROR\n"
          + "STOP:         ERROR STOP RUNNING_P2P STOP_COPY RESUMING RUNNING_P2P RUNNING_P2P"
          + " RUNNING_P2P\n"
          + "RUNNING:      ERROR RUNNING_P2P RUNNING RUNNING_P2P RUNNING_P2P RUNNING_P2P PRE_COPY"
          + " RUNNING_P2P\n"
          + "STOP_COPY:    ERROR STOP STOP STOP_COPY STOP STOP ERROR ERROR\n"
          + "RESUMING:     ERROR STOP STOP STOP RESUMING STOP STOP STOP\n"
          + "RUNNING_P2P:  ERROR STOP RUNNING STOP STOP RUNNING_P2P RUNNING PRE_COPY_P2P\n"
          + "PRE_COPY:     ERROR RUNNING RUNNING PRE_COPY_P2P RUNNING RUNNING PRE_COPY"
          + " PRE_COPY_P2P\n"
          + "PRE_COPY_P2P: ERROR RUNNING_P2P RUNNING_P2P STOP_COPY RUNNING_P2P RUNNING_P2P PRE_COPY"
          + " PRE_COPY_P2P\n";

  private static final int SC = 1;
  private static final int P2P = 2;
  private static final int PRE = 4;

  /** state_flags_table from vfio_main.c. */
  private static final int[] KERNEL_FLAGS = {
    ~0, SC, SC, SC, SC, SC | P2P, SC | PRE, SC | P2P | PRE
  };

  private static final int[][] TABLE = parse();

  private static int[][] parse() {
    List<String> names =
        List.of(
            "ERROR",
            "STOP",
            "RUNNING",
            "STOP_COPY",
            "RESUMING",
            "RUNNING_P2P",
            "PRE_COPY",
            "PRE_COPY_P2P");
    int[][] t = new int[8][8];
    String[] rows = KERNEL_TABLE.split("\n");
    assertEquals(8, rows.length);
    for (int r = 0; r < 8; r++) {
      String[] parts = rows[r].split(":");
      assertEquals(names.get(r), parts[0].trim());
      String[] cells = parts[1].trim().split("\\s+");
      assertEquals(8, cells.length, "row " + parts[0]);
      for (int c = 0; c < 8; c++) {
        t[r][c] = names.indexOf(cells[c]);
        assertTrue(t[r][c] >= 0, cells[c]);
      }
    }
    return t;
  }

  private static boolean supported(int state, int flags) {
    return (KERNEL_FLAGS[state] & flags) == KERNEL_FLAGS[state];
  }

  /** vfio_mig_get_next_state() with the guard; -1 for -EINVAL. */
  private static int kernelNext(int cur, int target, int flags) {
    if (!supported(cur, flags) || !supported(target, flags)) {
      return -1;
    }
    int next = TABLE[cur][target];
    while (next != 0 && !supported(next, flags)) {
      next = TABLE[next][target];
    }
    return next == 0 ? -1 : next;
  }

  /** The kernel's loop before the fix; -2 if it has not ended after {@code bound} iterations. */
  private static int unguardedNext(int cur, int target, int flags, int bound) {
    if (!supported(cur, flags) || !supported(target, flags)) {
      return -1;
    }
    int next = TABLE[cur][target];
    int spins = 0;
    while (!supported(next, flags)) {
      next = TABLE[next][target];
      if (++spins > bound) {
        return -2;
      }
    }
    return next == 0 ? -1 : next;
  }

  @Test
  void nextStateEqualsTheKernelTableForAll64PairsUnderAll8FeatureCombinations() throws Exception {
    int compared = 0;
    for (int f = 0; f < 8; f++) {
      final int flags = f;
      for (MigrationState cur : MigrationState.values()) {
        for (MigrationState target : MigrationState.values()) {
          int expected = kernelNext(cur.uapiValue(), target.uapiValue(), flags);
          String what = cur + " -> " + target + " with " + MigrationFeatures.describe(flags);
          if (expected < 0) {
            DeviceException e =
                assertThrows(
                    DeviceException.class,
                    () -> MigrationFsm.nextState("d0", cur, target, flags),
                    what);
            assertEquals(Errno.EINVAL, e.errno(), what);
            assertTrue(e.getMessage().contains("d0"), e.getMessage());
          } else {
            assertEquals(
                MigrationState.fromUapi(expected),
                MigrationFsm.nextState(cur, target, flags),
                what);
          }
          compared++;
        }
      }
    }
    assertEquals(8 * 8 * 8, compared);
  }

  @Test
  void flagCombinationsWithoutStopCopyRefuseEveryTransition() {
    for (int flags : new int[] {0, P2P, PRE, P2P | PRE}) {
      for (MigrationState cur : MigrationState.values()) {
        for (MigrationState target : MigrationState.values()) {
          assertThrows(DeviceException.class, () -> MigrationFsm.nextState(cur, target, flags));
        }
      }
    }
  }

  @Test
  void theUnguardedKernelLoopSpinsOnStopCopyToPreCopyAndTheGuardedOneRefuses() throws Exception {
    for (int flags : new int[] {SC | PRE, SC | P2P | PRE}) {
      for (MigrationState target : new MigrationState[] {PRE_COPY, PRE_COPY_P2P}) {
        if (!supported(target.uapiValue(), flags)) {
          continue;
        }
        assertEquals(
            -2,
            unguardedNext(STOP_COPY.uapiValue(), target.uapiValue(), flags, 1_000),
            "the unfixed kernel loop must spin on STOP_COPY -> " + target);
        DeviceException e =
            assertThrows(
                DeviceException.class, () -> MigrationFsm.nextState(STOP_COPY, target, flags));
        assertEquals(Errno.EINVAL, e.errno());
      }
    }
    // every other pair ends even without the guard
    for (int flags : new int[] {SC, SC | P2P, SC | PRE, SC | P2P | PRE}) {
      for (int cur = 1; cur < 8; cur++) {
        for (int target = 1; target < 8; target++) {
          boolean blocked = cur == STOP_COPY.uapiValue() && (target == 6 || target == 7);
          if (!blocked) {
            assertEquals(kernelNext(cur, target, flags), unguardedNext(cur, target, flags, 1_000));
          }
        }
      }
    }
  }

  /** The direct arcs of vfio_main.c's comment, per feature set. */
  private static Set<String> documentedArcs(int flags) {
    Set<String> arcs =
        new TreeSet<>(
            List.of("RESUMING->STOP", "STOP->RESUMING", "STOP->STOP_COPY", "STOP_COPY->STOP"));
    boolean p2p = (flags & P2P) != 0;
    boolean pre = (flags & PRE) != 0;
    if (!p2p) {
      arcs.addAll(List.of("RUNNING->STOP", "STOP->RUNNING"));
    } else {
      arcs.addAll(
          List.of(
              "RUNNING->RUNNING_P2P",
              "RUNNING_P2P->RUNNING",
              "RUNNING_P2P->STOP",
              "STOP->RUNNING_P2P"));
    }
    if (pre && !p2p) {
      arcs.addAll(List.of("RUNNING->PRE_COPY", "PRE_COPY->RUNNING", "PRE_COPY->STOP_COPY"));
    }
    if (pre && p2p) {
      arcs.addAll(
          List.of(
              "PRE_COPY->RUNNING",
              "PRE_COPY->PRE_COPY_P2P",
              "PRE_COPY_P2P->PRE_COPY",
              "PRE_COPY_P2P->RUNNING_P2P",
              "PRE_COPY_P2P->STOP_COPY",
              "RUNNING->PRE_COPY",
              "RUNNING_P2P->PRE_COPY_P2P"));
    }
    return arcs;
  }

  @Test
  void theArcsADriverSeesAreExactlyTheDocumentedDirectArcs() throws Exception {
    for (int flags : new int[] {SC, SC | P2P, SC | PRE, SC | P2P | PRE}) {
      Set<String> seen = new TreeSet<>();
      for (MigrationState cur : MigrationState.values()) {
        for (MigrationState target : MigrationState.values()) {
          if (cur == target || !MigrationFsm.supports(cur, flags)) {
            continue;
          }
          try {
            MigrationState s = cur;
            for (MigrationState next : MigrationFsm.path(cur, target, flags)) {
              seen.add(s + "->" + next);
              s = next;
            }
          } catch (DeviceException e) {
            // blocked or unsupported target
          }
        }
      }
      assertEquals(documentedArcs(flags), seen, MigrationFeatures.describe(flags));
    }
  }

  @Test
  void combinationPathsNeverPassThroughTheSavingGroupExceptWithinIt() throws Exception {
    int flags = SC | P2P | PRE;
    for (MigrationState cur : MigrationState.values()) {
      for (MigrationState target : MigrationState.values()) {
        if (cur == target || !MigrationFsm.supports(cur, flags)) {
          continue;
        }
        List<MigrationState> path;
        try {
          path = MigrationFsm.path(cur, target, flags);
        } catch (DeviceException e) {
          continue;
        }
        for (int i = 0; i < path.size() - 1; i++) {
          if (path.get(i).isSaving()) {
            assertEquals(List.of(PRE_COPY_P2P, STOP_COPY), path, cur + " -> " + target);
            assertEquals(PRE_COPY, cur);
          }
        }
      }
    }
  }

  @Test
  void theKernelCommentsWorkedPathsAreReproduced() throws Exception {
    int all = SC | P2P | PRE;
    assertEquals(List.of(RUNNING_P2P, STOP, STOP_COPY), MigrationFsm.path(RUNNING, STOP_COPY, all));
    assertEquals(List.of(PRE_COPY_P2P, STOP_COPY), MigrationFsm.path(PRE_COPY, STOP_COPY, all));
    assertEquals(List.of(STOP, RUNNING_P2P, RUNNING), MigrationFsm.path(RESUMING, RUNNING, all));
    assertEquals(List.of(STOP, RUNNING_P2P, RUNNING), MigrationFsm.path(STOP_COPY, RUNNING, all));
    assertEquals(List.of(RUNNING_P2P, STOP, RESUMING), MigrationFsm.path(RUNNING, RESUMING, all));
    // skipping optional states
    assertEquals(List.of(STOP), MigrationFsm.path(RUNNING, STOP, SC));
    assertEquals(List.of(STOP_COPY), MigrationFsm.path(PRE_COPY, STOP_COPY, SC | PRE));
    assertEquals(List.of(STOP, STOP_COPY), MigrationFsm.path(RUNNING, STOP_COPY, SC | PRE));
  }

  @Test
  void theFirstStepOfAPathIsAlsoTheWholePathToThatStep() throws Exception {
    // FaultyDevice relies on this: asking for the next state again takes exactly one arc.
    for (int flags : new int[] {SC, SC | P2P, SC | PRE, SC | P2P | PRE}) {
      for (MigrationState cur : MigrationState.values()) {
        for (MigrationState target : MigrationState.values()) {
          if (cur == target || !MigrationFsm.supports(cur, flags)) {
            continue;
          }
          MigrationState next;
          try {
            next = MigrationFsm.nextState(cur, target, flags);
          } catch (DeviceException e) {
            continue;
          }
          assertEquals(List.of(next), MigrationFsm.path(cur, next, flags), cur + " -> " + next);
        }
      }
    }
  }

  @Test
  void sessionArcsAreTheOnesThatReturnADataFd() {
    Map<String, Boolean> opens = new HashMap<>();
    opens.put("RUNNING->PRE_COPY", true);
    opens.put("RUNNING_P2P->PRE_COPY_P2P", true);
    opens.put("STOP->STOP_COPY", true);
    opens.put("STOP->RESUMING", true);
    opens.put("PRE_COPY->PRE_COPY_P2P", false);
    opens.put("PRE_COPY_P2P->STOP_COPY", false);
    opens.put("PRE_COPY->STOP_COPY", false);
    opens.put("RESUMING->STOP", false);
    opens.put("RUNNING->RUNNING_P2P", false);
    for (Map.Entry<String, Boolean> e : opens.entrySet()) {
      String[] ends = e.getKey().split("->");
      assertEquals(
          e.getValue(),
          MigrationFsm.opensSession(
              MigrationState.valueOf(ends[0]), MigrationState.valueOf(ends[1])),
          e.getKey());
    }
    assertTrue(MigrationFsm.endsSession(STOP_COPY, STOP));
    assertTrue(MigrationFsm.endsSession(PRE_COPY, RUNNING));
    assertTrue(MigrationFsm.endsSession(RESUMING, STOP));
    assertFalse(MigrationFsm.endsSession(PRE_COPY, PRE_COPY_P2P));
    assertFalse(MigrationFsm.endsSession(PRE_COPY_P2P, STOP_COPY));
  }

  @Test
  void statesCarryTheirUapiValuesAndGroups() {
    int[] values = {0, 1, 2, 3, 4, 5, 6, 7};
    MigrationState[] states = MigrationState.values();
    for (int i = 0; i < 8; i++) {
      assertEquals(values[i], states[i].uapiValue());
      assertEquals(states[i], MigrationState.fromUapi(values[i]));
    }
    assertThrows(IllegalArgumentException.class, () -> MigrationState.fromUapi(8));
    assertEquals(
        Set.of(PRE_COPY, PRE_COPY_P2P, STOP_COPY),
        Set.of(states).stream()
            .filter(MigrationState::isSaving)
            .collect(java.util.stream.Collectors.toSet()));
    assertEquals(
        Set.of(RUNNING, RUNNING_P2P, PRE_COPY, PRE_COPY_P2P),
        Set.of(states).stream()
            .filter(MigrationState::isRunning)
            .collect(java.util.stream.Collectors.toSet()));
    for (MigrationState s : states) {
      for (int flags = 0; flags < 8; flags++) {
        assertEquals(
            supported(s.uapiValue(), flags), MigrationFsm.supports(s, flags), s + " " + flags);
      }
      if (s != MigrationState.ERROR) {
        assertTrue(MigrationFsm.supports(s, MigrationFeatures.ALL));
      }
    }
    assertFalse(MigrationFsm.supports(MigrationState.ERROR, MigrationFeatures.ALL));
    assertEquals("STOP_COPY|P2P|PRE_COPY", MigrationFeatures.describe(7));
    assertTrue(MigrationFeatures.isValid(1));
    assertFalse(MigrationFeatures.isValid(6));
    assertFalse(MigrationFeatures.isValid(9));
    if (MigrationState.values().length != 8) {
      fail("the uAPI has eight states");
    }
  }
}

package io.ferry.it.process;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every process the harness starts, so that none outlives the test JVM: {@link Workspace#close()}
 * kills a test's own processes, and a shutdown hook kills whatever is left if the JVM ends another
 * way (failsafe's fork timeout sends SIGTERM, which runs the hook; only a SIGKILL of the test JVM
 * itself can leave node processes behind).
 */
final class ProcessRegistry {
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(ProcessRegistry::killAll,
        "ferry-it-process-reaper"));
  }

  private ProcessRegistry() {}

  static void register(Process process) {
    LIVE.add(process);
  }

  static void unregister(Process process) {
    LIVE.remove(process);
  }

  /**
   * SIGKILL to the process and every descendant, then waits for the process to be reaped.
   *
   * @return true if it is dead within {@code wait}
   */
  static boolean kill(Process process, Duration wait) {
    List<ProcessHandle> tree = new ArrayList<>();
    process.toHandle().descendants().forEach(tree::add);
    process.destroyForcibly();
    tree.forEach(ProcessHandle::destroyForcibly);
    try {
      boolean dead = process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS);
      for (ProcessHandle h : tree) {
        h.onExit().get(wait.toMillis(), TimeUnit.MILLISECONDS);
      }
      if (dead) {
        LIVE.remove(process);
      }
      return dead;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    } catch (Exception e) {
      return !process.isAlive();
    }
  }

  private static void killAll() {
    for (Process p : List.copyOf(LIVE)) {
      kill(p, Duration.ofSeconds(5));
    }
  }
}

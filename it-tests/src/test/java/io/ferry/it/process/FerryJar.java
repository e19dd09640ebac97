package io.ferry.it.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

/**
 * Where the shaded {@code ferry} jar and the JVM that runs it are. The jar is {@code
 * app/target/ferry-app.jar}, built by the reactor's package phase of module {@code app} before
 * {@code it-tests} runs; failsafe passes its path as {@code ferry.app.jar}, and without it (an IDE
 * run) it is found relative to this module's directory.
 */
public final class FerryJar {
  /**
   * JVM options of every node process: a small heap, no half-dead JVM after an OOM, and C1 only.
   * The test devices are tens of MiB, so C2 would mostly burn the CPU of a two-core machine while
   * compiling; a 256 MiB migration measured 1.6 s of downtime with C2 and 1.9 s with C1 only.
   */
  static final List<String> NODE_JVM_OPTIONS = List.of("-Xmx384m", "-XX:+ExitOnOutOfMemoryError",
      "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  /** JVM options of every client process: they live for seconds. */
  static final List<String> CLIENT_JVM_OPTIONS =
      List.of("-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  private static Path snapshot;
  private static Path classArchive;
  private static boolean classArchiveTried;

  private FerryJar() {}

  /**
   * The copy of the application jar that every process of this test JVM runs. A JVM reads classes
   * from its jar lazily, so a node started from {@code app/target/ferry-app.jar} dies with {@code
   * NoClassDefFoundError} when a build rewrites that file under it (it happens when sources change
   * while a suite runs). The copy is taken once, after the jar's size and time have been stable
   * for a second, and checked to hold the main class.
   */
  public static synchronized Path appJar() {
    if (snapshot == null) {
      snapshot = takeSnapshot(builtJar());
    }
    return snapshot;
  }

  /**
   * This test JVM's own directory for the jar copy and the class archive, {@code
   * <ferry.it.output>/runtime-<pid>}: two runs at once (two checkouts' builds, a developer and
   * CI) never replace each other's files. Removed when the test JVM exits.
   */
  private static Path runtimeDir() throws IOException {
    Path dir = Path.of(System.getProperty("ferry.it.output",
        moduleDir().resolve("target/it-processes").toString())).toAbsolutePath()
        .resolve("runtime-" + ProcessHandle.current().pid());
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir),
          "ferry-it-runtime-cleanup"));
    }
    return dir;
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // Only disk space in target/ is at stake.
    }
  }

  private static Path takeSnapshot(Path built) {
    Path dir;
    try {
      dir = runtimeDir();
    } catch (IOException e) {
      throw new IllegalStateException("cannot create the test runtime directory", e);
    }
    Path copy = dir.resolve("ferry-app.jar");
    Exception last = null;
    for (int attempt = 0; attempt < 30; attempt++) {
      try {
        long size = Files.size(built);
        FileTime time = Files.getLastModifiedTime(built);
        Thread.sleep(1000);
        if (size != Files.size(built) || !time.equals(Files.getLastModifiedTime(built))) {
          continue; // being written
        }
        Path tmp = dir.resolve("ferry-app.jar.tmp");
        Files.copy(built, tmp, StandardCopyOption.REPLACE_EXISTING);
        try (ZipFile zip = new ZipFile(tmp.toFile())) {
          if (zip.getEntry("io/ferry/app/FerryCli.class") == null) {
            throw new IllegalStateException(built + " holds no io.ferry.app.FerryCli");
          }
        }
        Files.move(tmp, copy, StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
        return copy;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while copying " + built, e);
      } catch (Exception e) {
        last = e; // a half-written jar: try again
      }
    }
    throw new IllegalStateException("could not take a stable copy of " + built, last);
  }

  /**
   * The shaded application jar as the build leaves it.
   *
   * @throws IllegalStateException naming the expected path and how to build it, if missing
   */
  public static Path builtJar() {
    String explicit = System.getProperty("ferry.app.jar");
    Path jar = explicit != null && !explicit.isBlank()
        ? Path.of(explicit).toAbsolutePath().normalize()
        : moduleDir().resolve("../app/target/ferry-app.jar").toAbsolutePath().normalize();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("the ferry application jar is missing: expected " + jar
          + " (the shaded jar of module app). Build it first: `mvn -B -pl app -am package "
          + "-DskipTests` or run the whole reactor (`mvn -B verify`), which packages app before "
          + "it-tests.");
    }
    return jar;
  }

  /** This module's directory: failsafe's {@code basedir}, else the working directory. */
  public static Path moduleDir() {
    String basedir = System.getProperty("basedir");
    return Path.of(basedir != null && !basedir.isBlank() ? basedir : "").toAbsolutePath();
  }

  /** The {@code java} of the JVM running the tests (Java 17 or later, as the jar needs). */
  public static Path java() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  /**
   * A class-data-sharing archive of the classes a node loads (AppCDS, {@code
   * -XX:ArchiveClassesAtExit}), made once per test JVM by starting and stopping one node: it
   * halves the start of every later node and client JVM (5.7 s to 3.3 s to the ready line
   * measured here). Null if it could not be made, or with {@code -Dferry.it.cds=false}; the
   * processes then start without it.
   */
  static synchronized Path classArchive() {
    if (classArchiveTried) {
      return classArchive;
    }
    classArchiveTried = true;
    if ("false".equals(System.getProperty("ferry.it.cds"))) {
      return null;
    }
    Path jar = appJar();
    Path dir = jar.getParent();
    Path archive = dir.resolve("ferry-app.jsa");
    try {
      Path config = dir.resolve("cds-node.conf");
      Files.writeString(config, "ferry.node.devices-role = source\n" + NodeSpec.PROBE_BINDINGS
          + "ferry.devices = [ " + Device.synthetic("cds0", "1 MiB", 1).hocon() + ", "
          + Device.faulty("cds1", "rate-limit = 0", Device.syntheticModel("1 MiB", 1)).hocon()
          + ", " + Device.configOnly("cds2", 2, 1).hocon() + " ]\n");
      Path log = dir.resolve("cds-node.log");
      List<String> cmd = new ArrayList<>();
      cmd.add(java().toString());
      cmd.add("-XX:ArchiveClassesAtExit=" + archive);
      cmd.addAll(NODE_JVM_OPTIONS);
      cmd.addAll(List.of("-jar", jar.toString(), "node", "--config", config.toString(),
          "--name", "ferry-cds"));
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      ProcessRegistry.register(p);
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (p.isAlive() && System.nanoTime() < deadline
            && Files.readAllLines(log).stream().noneMatch(l -> l.startsWith("ready "))) {
          Thread.sleep(100);
        }
        p.destroy(); // SIGTERM: a normal exit, which writes the archive
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          ProcessRegistry.kill(p, Duration.ofSeconds(10));
        }
      } finally {
        if (p.isAlive()) {
          ProcessRegistry.kill(p, Duration.ofSeconds(10));
        }
        ProcessRegistry.unregister(p);
      }
      if (Files.size(archive) > 0) {
        classArchive = archive;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // No archive: the processes start more slowly, nothing else changes.
    }
    return classArchive;
  }

  /**
   * The command line that runs {@code ferry args...}: optionally inside a network namespace
   * ({@code ip netns exec NS}, which execs, so the process is the JVM itself).
   */
  static List<String> command(String netns, List<String> jvmOptions, List<String> args) {
    List<String> cmd = new ArrayList<>();
    if (netns != null) {
      cmd.addAll(List.of("ip", "netns", "exec", netns));
    }
    cmd.add(java().toString());
    Path archive = classArchive();
    if (archive != null) {
      cmd.add("-XX:SharedArchiveFile=" + archive);
    }
    cmd.addAll(jvmOptions);
    cmd.add("-jar");
    cmd.add(appJar().toString());
    cmd.addAll(args);
    return cmd;
  }
}

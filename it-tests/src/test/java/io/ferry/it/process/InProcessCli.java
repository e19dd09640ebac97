package io.ferry.it.process;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code io.ferry.app.FerryCli} run in the test JVM, loaded from the same jar copy the node
 * processes run ({@link FerryJar#appJar()}) through a class loader of its own, not from the
 * module classpath:
 *
 * <ul>
 *   <li>the client is the exact build the nodes are (the classpath's {@code ferry-app} can be a
 *       different build when only it-tests is built);
 *   <li>a concurrent {@code mvn install} that rewrites the jars of the local repository under
 *       the running test JVM cannot break it (it does break classes loaded lazily from there:
 *       {@code NoClassDefFoundError}, "invalid LOC header");
 *   <li>its logging (it reconfigures logback's levels per command) stays out of the test JVM's.
 * </ul>
 *
 * <p>One loader for the whole test JVM; each command is {@code FerryCli.commandLine(new
 * FerryCli(dir, Terminal(false, 80)), out, err).execute(args)} by reflection, with the loader
 * as the thread's context class loader (Akka and Typesafe Config look there).
 */
final class InProcessCli {
  private static ClassLoader loader;

  private InProcessCli() {}

  private static synchronized ClassLoader loader() {
    if (loader == null) {
      try {
        loader = new URLClassLoader("ferry-app-snapshot",
            new URL[] {FerryJar.appJar().toUri().toURL()}, ClassLoader.getPlatformClassLoader());
      } catch (MalformedURLException e) {
        throw new IllegalStateException("bad jar path " + FerryJar.appJar(), e);
      }
    }
    return loader;
  }

  /** Runs {@code ferry args...} with {@code dir} as its working directory; the exit status. */
  static int execute(Path dir, PrintWriter out, PrintWriter err, List<String> args)
      throws ReflectiveOperationException {
    ClassLoader cl = loader();
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(cl);
    try {
      Class<?> cliClass = cl.loadClass("io.ferry.app.FerryCli");
      Class<?> terminalClass = cl.loadClass("io.ferry.app.FerryCli$Terminal");
      Object terminal = terminalClass.getConstructor(boolean.class, int.class)
          .newInstance(false, 80);
      Object cli = cliClass.getConstructor(Path.class, terminalClass).newInstance(dir, terminal);
      Object commandLine = cliClass.getMethod("commandLine", cliClass, PrintWriter.class,
          PrintWriter.class).invoke(null, cli, out, err);
      Method execute = commandLine.getClass().getMethod("execute", String[].class);
      return (Integer) execute.invoke(commandLine, (Object) args.toArray(String[]::new));
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error x) {
        throw x;
      }
      throw e;
    } finally {
      thread.setContextClassLoader(previous);
    }
  }
}

package io.ferry.app;

import com.typesafe.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code ferry} command: {@code demo}, {@code node}, {@code migrate}, {@code status}, {@code
 * cancel}, {@code set-downtime} (docs/cli.md). Exit status: 0 success, 1 a failed migration or a
 * runtime error (one line on stderr), 2 a usage error (one line on stderr). Set {@code FERRY_DEBUG=1} to get the stack
 * trace of a runtime error as well.
 *
 * <p>The subcommands read the working directory and the terminal through this object ({@link
 * #workingDir}, {@link #terminal}) so that tests can run them in-process.
 */
@Command(
    name = "ferry",
    mixinStandardHelpOptions = true,
    versionProvider = FerryCli.Version.class,
    description = {
      "Live migration of device state between Ferry nodes: QEMU 10's VFIO multifd device-state "
          + "transfer on the JVM.",
      "",
      "Run `ferry demo` for a migration between two nodes in this process, or start nodes with "
          + "`ferry node` and drive them with `ferry migrate`, `ferry status`, `ferry cancel` and "
          + "`ferry set-downtime`."
    },
    subcommands = {
      DemoCommand.class,
      NodeCommand.class,
      MigrateCommand.class,
      StatusCommand.class,
      CancelCommand.class,
      SetDowntimeCommand.class,
      CommandLine.HelpCommand.class
    })
public final class FerryCli implements Callable<Integer> {
  /** Exit status of a usage error. */
  public static final int USAGE = 2;

  /** Exit status of a failed migration or a runtime error. */
  public static final int FAILURE = 1;

  private final Path workingDir;
  private final Terminal terminal;

  @Spec CommandSpec spec;

  /**
   * What the commands need to know about where they run.
   *
   * @param interactive stdout is a terminal that understands ANSI cursor movement
   * @param columns its width
   */
  public record Terminal(boolean interactive, int columns) {
    /** The terminal of this process: System.console() present and TERM not dumb. */
    static Terminal detect() {
      String term = System.getenv("TERM");
      boolean interactive = isTerminal() && term != null && !term.isBlank()
          && !term.equals("dumb");
      return new Terminal(interactive, interactive ? terminalColumns() : 80);
    }

    private static boolean isTerminal() {
      java.io.Console console = System.console();
      if (console == null) {
        return false;
      }
      try {
        // Java 22+: System.console() exists even when redirected; isTerminal() tells.
        return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
      } catch (ReflectiveOperationException e) {
        return true;
      }
    }

    private static int terminalColumns() {
      String env = System.getenv("COLUMNS");
      if (env != null && env.matches("[0-9]{2,4}")) {
        return Integer.parseInt(env);
      }
      try {
        Process p = new ProcessBuilder("sh", "-c", "stty size < /dev/tty")
            .redirectErrorStream(true).start();
        if (p.waitFor(1, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0) {
          String[] parts = new String(p.getInputStream().readAllBytes()).trim().split("\\s+");
          if (parts.length == 2 && parts[1].matches("[0-9]{2,4}")) {
            return Integer.parseInt(parts[1]);
          }
        } else {
          p.destroy();
        }
      } catch (IOException e) {
        return 80;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return 80;
    }
  }

  public FerryCli(Path workingDir, Terminal terminal) {
    this.workingDir = workingDir;
    this.terminal = terminal;
  }

  Path workingDir() {
    return workingDir;
  }

  Terminal terminal() {
    return terminal;
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(),
        "missing command: expected one of demo, node, migrate, status, cancel, set-downtime");
  }

  /** The command line with Ferry's error handling, writing to {@code out} and {@code err}. */
  public static CommandLine commandLine(FerryCli cli, PrintWriter out, PrintWriter err) {
    CommandLine cmd = new CommandLine(cli);
    cmd.setOut(out);
    cmd.setErr(err);
    cmd.setCaseInsensitiveEnumValuesAllowed(true);
    cmd.registerConverter(java.util.UUID.class, new Converters.MigrationId());
    cmd.setParameterExceptionHandler(USAGE_ERROR);
    cmd.setExecutionExceptionHandler(RUNTIME_ERROR);
    return cmd;
  }

  public static void main(String[] args) {
    FerryCli cli = new FerryCli(Path.of("").toAbsolutePath(), Terminal.detect());
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    int status = commandLine(cli, out, err).execute(args);
    out.flush();
    err.flush();
    System.exit(status);
  }

  /** A usage error: one line naming the command and the problem, then exit 2. */
  static final IParameterExceptionHandler USAGE_ERROR = (ex, args) -> {
    CommandLine cmd = ex.getCommandLine();
    String name = cmd.getCommandSpec().qualifiedName();
    String message = oneLine(ex.getMessage());
    if (ex instanceof UnmatchedArgumentException u) {
      List<String> suggestions = u.getSuggestions();
      if (!suggestions.isEmpty()) {
        message += "; did you mean " + String.join(" or ", suggestions) + "?";
      }
    }
    cmd.getErr().println(name + ": " + message + " (see '" + name + " --help')");
    cmd.getErr().flush();
    return USAGE;
  };

  /** A runtime error: one line, exit 1; the stack trace only with FERRY_DEBUG set. */
  static final IExecutionExceptionHandler RUNTIME_ERROR = (ex, cmd, parseResult) -> {
    Throwable cause = ex;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + describe(cause));
    if (System.getenv("FERRY_DEBUG") != null) {
      cause.printStackTrace(cmd.getErr());
    }
    cmd.getErr().flush();
    return FAILURE;
  };

  static String describe(Throwable t) {
    if (t instanceof CliException || t instanceof IllegalArgumentException
        || t instanceof IllegalStateException) {
      return oneLine(t.getMessage() == null ? t.toString() : t.getMessage());
    }
    if (t instanceof ConfigException) {
      return "invalid configuration: " + oneLine(t.getMessage());
    }
    return "unexpected error: " + oneLine(t.toString());
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", "; ");
  }

  /** {@code ferry --version}: this build, Akka and the JVM. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = FerryCli.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {
        "ferry " + p.getProperty("version", "unknown"),
        "Akka " + akka.Version.current() + ", Java " + System.getProperty("java.version")
      };
    }
  }
}

package io.ferry.it.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * How one {@code ferry} client command ended: exit status, what it printed, how long it took.
 *
 * @param args the command's arguments (without {@code java -jar ...})
 * @param exitCode 0 success, 1 failed migration or runtime error, 2 usage error (docs/cli.md)
 * @param stdout everything printed on stdout (with {@code --json}: one JSON object)
 * @param stderr everything printed on stderr (an error is one line)
 * @param took wall time from start to exit
 * @param output where the output was saved, for diagnosis
 */
public record CommandResult(
    List<String> args, int exitCode, String stdout, String stderr, Duration took, String output) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * The JSON object on stdout ({@code --json}: exactly one line).
   *
   * @throws AssertionError if stdout is not exactly one line of JSON
   */
  public JsonNode json() {
    String out = stdout.strip();
    if (out.isEmpty() || out.contains("\n")) {
      throw new AssertionError("expected exactly one line of JSON on stdout of " + this);
    }
    try {
      return MAPPER.readTree(out);
    } catch (IOException e) {
      throw new AssertionError("stdout is not JSON: " + e.getMessage() + " in " + this, e);
    }
  }

  /** The non-empty lines of stderr. */
  public List<String> stderrLines() {
    return stderr.lines().filter(l -> !l.isBlank()).toList();
  }

  @Override
  public String toString() {
    return "`ferry " + String.join(" ", args) + "` exit " + exitCode + " after " + took.toMillis()
        + " ms (output " + output + ")\n  stdout: " + abbreviate(stdout) + "\n  stderr: "
        + abbreviate(stderr);
  }

  private static String abbreviate(String s) {
    String t = s.strip();
    return t.length() > 4000 ? t.substring(0, 4000) + "..." : t;
  }
}

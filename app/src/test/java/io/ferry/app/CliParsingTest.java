package io.ferry.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Usage errors end with exactly one line on stderr naming the command and the problem, exit 2 and
 * no stack trace; nothing here starts an ActorSystem, because parsing fails first.
 */
class CliParsingTest {
  @TempDir Path dir;

  private CliRun rejected(String expectedInMessage, String... args) {
    CliRun r = CliRun.run(dir, args);
    assertEquals(FerryCli.USAGE, r.exit(), r::toString);
    assertEquals(1, r.errLines().length, r::toString);
    assertTrue(r.err().contains(expectedInMessage), r::toString);
    assertFalse(r.err().contains("\tat "), r::toString);
    assertEquals("", r.out(), r::toString);
    return r;
  }

  @Test
  void aNegativeChannelCountIsAUsageError() {
    CliRun r = rejected("expected 1..255 channels, got -1", "demo", "--channels", "-1");
    assertTrue(r.err().startsWith("ferry demo: Invalid value for option '--channels'"), r.err());
    assertTrue(r.err().contains("(see 'ferry demo --help')"), r.err());
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "256", "four"})
  void channelCountsOutside1To255AreRejected(String channels) {
    rejected("--channels", "demo", "--channels", channels);
  }

  @Test
  void anUnknownOptionIsNamedWithASuggestion() {
    CliRun r = rejected("Unknown options: '--chanels', '4'", "demo", "--chanels", "4");
    assertTrue(r.err().contains("did you mean --channels or --chunk-size?"), r.err());
    rejected("Unknown option: '--bogus'", "status", "--node", "akka://a@127.0.0.1:1", "--bogus");
  }

  @Test
  void aBadSizeSaysWhatASizeLooksLike() {
    rejected("expected a size such as 1MiB", "demo", "--chunk-size", "big");
    rejected("unknown size unit 'XB'", "demo", "--chunk-size", "12XB");
    rejected("expected a chunk size of 1KiB..16MiB", "demo", "--chunk-size", "32MiB");
    rejected("expected a chunk size of 1KiB..16MiB", "migrate", "--from",
        "akka://a@127.0.0.1:1", "--to", "akka://b@127.0.0.1:2", "--device", "x", "--chunk-size",
        "512");
  }

  @Test
  void otherBadValuesAreUsageErrors() {
    rejected("expected on or off, got 'maybe'", "demo", "--multifd", "maybe");
    rejected("expected a positive duration", "demo", "--downtime-limit", "0ms");
    rejected("expected a rate such as 100MiB/s", "demo", "--max-bandwidth", "fast");
    rejected("expected ID:TYPE[:KEY=VALUE,...]", "demo", "--device", "gpu0");
    rejected("expected a node address akka://SYSTEM@HOST:PORT", "status", "--node",
        "127.0.0.1:25520");
    rejected("expected a port 0..65535, got 70000", "node", "--config", "x.conf", "--port",
        "70000");
    rejected("expected a migration id (a UUID, as migrate prints it), got 'nope'", "status",
        "--node", "akka://a@127.0.0.1:1", "--id", "nope");
  }

  @Test
  void badPrecopyOptionsAreUsageErrors() {
    rejected("expected 0 (no limit) or more passes, got -1", "demo", "--max-passes", "-1");
    rejected("expected a number of passes (0 = no limit), got 'many'", "migrate", "--from",
        "akka://a@127.0.0.1:1", "--to", "akka://b@127.0.0.1:2", "--device", "x", "--max-passes",
        "many");
    rejected("expected a positive duration, got '0s'", "demo", "--max-precopy-time", "0s");
    rejected("expected on or off, got 'sometimes'", "demo", "--switchover-ack", "sometimes");
    rejected("expected one of [EVENTS, POLL]", "demo", "--progress-source", "push");
    rejected("expected at most 2000s", "demo", "--downtime-limit", "1h");
    rejected("expected a positive duration", "set-downtime", "--node", "akka://a@127.0.0.1:1",
        "--id", "3c0c1a2e-0000-4000-8000-000000000001", "--limit", "0");
  }

  @Test
  void missingRequiredOptionsAndCommandsAreUsageErrors() {
    rejected("Missing required options: '--from=ADDR', '--to=ADDR', '--device=ID'", "migrate");
    rejected("Missing required option: '--config=FILE'", "node");
    rejected("missing command: expected one of demo, node, migrate, status, cancel, "
        + "set-downtime");
    rejected("Missing required options: '--node=ADDR', '--id=UUID', '--limit=DURATION'",
        "set-downtime");
    rejected("Unmatched argument at index 0: 'teleport'", "teleport");
  }

  @Test
  void theSameDeviceTwiceIsRejectedByMigrate() {
    rejected("--device: each device may be given once", "migrate", "--from",
        "akka://a@127.0.0.1:1", "--to", "akka://b@127.0.0.1:2", "--device", "nic0,nic0");
  }

  @Test
  void noDeviceAtAllIsRejectedByTheDemoBeforeAnyNodeStarts() {
    rejected("no devices to migrate", "demo", "--no-config-devices", "--work-dir",
        dir.resolve("w").toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"demo", "node", "migrate", "status", "cancel", "set-downtime"})
  void everyCommandHasHelpThatExitsZero(String command) {
    CliRun r = CliRun.run(dir, command, "--help");
    assertEquals(0, r.exit(), r::toString);
    assertTrue(r.out().startsWith("Usage: ferry " + command), r.out());
    assertEquals("", r.err());
  }

  @Test
  void theHelpOfDemoAndMigrateListsEveryMigrationOption() {
    for (String command : new String[] {"demo", "migrate"}) {
      String help = CliRun.run(dir, command, "--help").out();
      for (String option : new String[] {"--channels", "--multifd", "--chunk-size",
          "--downtime-limit", "--max-bandwidth", "--switchover-ack", "--max-passes",
          "--max-precopy-time", "--progress-source", "--device", "--json"}) {
        assertTrue(help.contains(option), command + " --help lacks " + option);
      }
      // The help wraps at 80 columns: compare with line breaks and indentation folded.
      String folded = help.replaceAll("\\s+", " ");
      assertTrue(folded.contains("applied by the engine to every precopy pass"), help);
      assertTrue(folded.contains("never applied to the switchover"), help);
    }
  }

  @Test
  void versionNamesTheBuildAndAkka() {
    CliRun r = CliRun.run(dir, "--version");
    assertEquals(0, r.exit());
    assertTrue(r.out().startsWith("ferry "), r.out());
    assertTrue(r.out().contains("Akka 2.6.21"), r.out());
    CliRun sub = CliRun.run(dir, "status", "--version");
    assertEquals(0, sub.exit());
    assertEquals(r.out(), sub.out());
  }
}

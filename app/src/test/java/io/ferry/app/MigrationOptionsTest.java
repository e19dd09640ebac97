package io.ferry.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.ferry.engine.config.MigrationParameters;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The migration options of {@code demo} and {@code migrate} as parameters: parsing only. */
class MigrationOptionsTest {
  private static final MigrationParameters BASE =
      MigrationParameters.fromConfig(ConfigFactory.load().getConfig("ferry.migration"));

  private static CommandLine.ParseResult parse(String... args) {
    FerryCli cli = new FerryCli(Path.of("."), new FerryCli.Terminal(false, 80));
    return FerryCli.commandLine(cli, new PrintWriter(new StringWriter()),
        new PrintWriter(new StringWriter())).parseArgs(args);
  }

  private static MigrationParameters demo(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "demo";
    System.arraycopy(args, 0, all, 1, args.length);
    DemoCommand demo = (DemoCommand) parse(all).subcommand().commandSpec().userObject();
    return demo.migration.apply(BASE);
  }

  @Test
  void withoutOptionsThePrecopyKnobsAreTheSettings() {
    MigrationParameters p = demo();
    assertEquals(BASE.precopy(), p.precopy());
    assertFalse(p.precopy().switchoverAck());
  }

  @Test
  void thePrecopyOptionsMapToMigrationParametersPrecopy() {
    MigrationParameters p = demo("--switchover-ack", "--max-passes", "12",
        "--max-precopy-time", "45s", "--max-bandwidth", "200MiB/s", "--downtime-limit", "1s");
    MigrationParameters.Precopy c = p.precopy();
    assertTrue(c.switchoverAck());
    assertEquals(12, c.maxPasses());
    assertEquals(Duration.ofSeconds(45), c.maxTime());
    assertEquals(200L << 20, c.maxBandwidth());
    assertEquals(BASE.precopy().passBytes(), c.passBytes());
    assertEquals(Duration.ofSeconds(1), p.downtimeLimit());
  }

  @Test
  void oneLimitKeepsTheOtherAndSwitchoverAckTakesAnExplicitValue() {
    MigrationParameters.Precopy c = demo("--max-passes", "3", "--switchover-ack", "off").precopy();
    assertEquals(3, c.maxPasses());
    assertEquals(BASE.precopy().maxTime(), c.maxTime());
    assertFalse(c.switchoverAck());
    c = demo("--max-precopy-time", "2m", "--switchover-ack", "on").precopy();
    assertEquals(BASE.precopy().maxPasses(), c.maxPasses());
    assertEquals(Duration.ofMinutes(2), c.maxTime());
    assertTrue(c.switchoverAck());
  }

  @Test
  void migrateTakesTheSameOptionsAndTheProgressSource() {
    CommandLine.ParseResult r = parse("migrate", "--from", "akka://a@127.0.0.1:1", "--to",
        "akka://b@127.0.0.1:2", "--device", "gpu0", "--max-passes", "0", "--switchover-ack",
        "--progress-source", "poll");
    MigrateCommand m = (MigrateCommand) r.subcommand().commandSpec().userObject();
    MigrationParameters.Precopy c = m.migration.apply(BASE).precopy();
    assertEquals(0, c.maxPasses());
    assertTrue(c.switchoverAck());
    assertSame(OutputOptions.Source.POLL, m.output.source);
    DemoCommand d = (DemoCommand) parse("demo").subcommand().commandSpec().userObject();
    assertSame(OutputOptions.Source.EVENTS, d.output.source, "events by default");
  }
}

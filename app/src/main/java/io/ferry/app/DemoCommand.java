package io.ferry.app;

import ch.qos.logback.classic.Level;
import io.ferry.app.FerryConfig.Loaded;
import io.ferry.app.progress.EventProgressFeed;
import io.ferry.app.progress.ProgressDisplay;
import io.ferry.app.report.RunSettings;
import io.ferry.devices.node.FerryNodeHost;
import io.ferry.engine.config.MigrationParameters;
import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.coordinator.MigrationRequest;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code ferry demo}: a source and a destination node in this process (two ActorSystems talking
 * over Artery on loopback, data over TCP), one migration of the configured devices between them,
 * live progress, and the report. Exit status 0 only if the migration completed and every device's
 * destination digest matches its source digest.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    versionProvider = FerryCli.Version.class,
    sortOptions = false,
    description = {
      "Start a source and a destination node in this process and migrate a device set between "
          + "them, with live progress and a final report.",
      "",
      "Devices come from ferry.demo.devices of the settings (./application.conf, --config FILE "
          + "or the built-in one: a 2 GiB synthetic GPU-like device that precopies while it "
          + "dirties its memory, a NIC and a disk file) and "
          + "from --device. Exit status 0 only if the migration COMPLETED and every destination "
          + "digest matches its source."
    },
    footer = {
      "",
      "Examples:",
      "  ferry demo",
      "  ferry demo --channels 8 --chunk-size 512KiB",
      "  ferry demo --switchover-ack --max-bandwidth 300MiB/s --max-passes 100",
      "  ferry demo --no-config-devices --device gpu0:synthetic:size=256MiB,seed=9 \\",
      "             --device nic0:config-only --json"
    })
final class DemoCommand implements Callable<Integer> {
  static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(5);

  @ParentCommand FerryCli cli;
  @Spec CommandSpec spec;

  @Mixin MigrationOptions migration;

  @Option(names = "--device", paramLabel = "ID:TYPE[:KEY=VALUE,...]",
      converter = Converters.Device.class,
      description = "Add a device (repeatable), e.g. nic1:config-only:queues=4 or "
          + "disk1:file:path=disk1.img,size=8MiB; TYPE is synthetic, config-only, file or faulty, "
          + "keys as in docs/devices.md. Replaces a config device with the same id.")
  List<DeviceSpec> devices = new ArrayList<>();

  @Option(names = "--no-config-devices",
      description = "Leave out ferry.demo.devices: migrate only the --device ones.")
  boolean noConfigDevices;

  @Option(names = "--config", paramLabel = "FILE",
      description = "Settings file (default: ./application.conf, else the built-in one).")
  Path config;

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "Where device files live (default: ferry.demo.work-dir, target/ferry-demo).")
  Path workDir;

  @Mixin OutputOptions output;

  @Override
  public Integer call() throws InterruptedException {
    Logging.configure(output.verbose, Level.OFF);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Loaded loaded = FerryConfig.load(config, cli.workingDir());
    Path work = cli.workingDir().resolve(workDir != null ? workDir
        : Path.of(loaded.config().getString("ferry.demo.work-dir"))).normalize();
    DemoSetup setup;
    try {
      setup = DemoSetup.create(loaded.config(), work, devices, !noConfigDevices);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    MigrationParameters params = migration.apply(
        MigrationParameters.fromConfig(loaded.config().getConfig("ferry.migration")));
    setup.prepare();

    try (FerryNodeHost source = FerryNodeHost.start(setup.source().systemName(),
            setup.source().config());
        FerryNodeHost destination = FerryNodeHost.start(setup.destination().systemName(),
            setup.destination().config())) {
      RunSettings settings = new RunSettings(source.address(), destination.address(), params);
      if (!output.json) {
        header(out, loaded, setup, source, destination, settings);
      }
      // The subscriber lives in the source's system; subscribed before the start, it misses
      // nothing.
      try (EventProgressFeed.Inbox events = output.subscribe(source.system(), source.node(),
          source.address(), ANSWER_TIMEOUT)) {
        FerryNodeHost.Running running = source.startMigration(
            new MigrationRequest(destination.address(), setup.deviceIds(), params));
        ProgressDisplay display = output.display(out, cli.terminal());
        MigrationInfo info;
        try (InterruptNotice notice = new InterruptNotice(err, display, spec.qualifiedName()
            + ": interrupted; both nodes stop and the migration is abandoned")) {
          info = output.feed(events, source.system(), source.node(), source.address(),
              running.migrationId(), ANSWER_TIMEOUT, running.result()).follow(display);
        }
        display.close();
        return Reports.finish(spec.qualifiedName(), out, err, info, settings, output.json);
      }
    }
  }

  private static void header(PrintWriter out, Loaded loaded, DemoSetup setup,
      FerryNodeHost source, FerryNodeHost destination, RunSettings settings) {
    out.println("ferry demo (settings: " + loaded.origin() + ", work dir: " + setup.workDir()
        + ")");
    out.println("  source       " + source.address() + "  data " + dataAddress(source));
    out.println("  destination  " + destination.address() + "  data "
        + dataAddress(destination));
    out.println("  devices      " + String.join(", ", setup.describe()));
    for (DemoSetup.CreatedFile f : setup.created()) {
      out.println("  created      " + f.path() + " (" + Units.bytes(f.size()) + ", " + f.deviceId()
          + " source)");
    }
    MigrationParameters p = settings.params();
    out.println("  migration    " + Reports.parameters(p));
    out.println("  precopy      " + Reports.precopyParameters(p));
    out.println();
    out.flush();
  }

  private static String dataAddress(FerryNodeHost host) {
    var info = host.info();
    return info.dataHost() + ":" + info.dataPort();
  }
}

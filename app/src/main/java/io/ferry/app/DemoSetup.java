package io.ferry.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValueFactory;
import io.ferry.devices.model.faulty.FaultyDevice;
import io.ferry.devices.model.file.FileBackedDevice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The two nodes of {@code ferry demo} as configs: {@code ferry.demo.devices} (unless left out) plus
 * the {@code --device} declarations, once with role source and once with role destination, and the
 * settings of each node ({@code ferry.demo.source}, {@code ferry.demo.destination}).
 *
 * <p>File devices get a file per side: a relative {@code path} is resolved in {@code
 * <work-dir>/source} and {@code <work-dir>/destination}; an absolute path is kept on the source and
 * replaced by {@code <work-dir>/destination/<file name>} on the destination, so the destination
 * never writes over the source's file. The destination drops {@code size} (only a source creates
 * its file). {@link #prepare} empties the destination's files so every run migrates into nothing.
 */
final class DemoSetup {
  static final String SOURCE = "source";
  static final String DESTINATION = "destination";

  /** One node: its system name and host, and the full config to start it with. */
  record Node(String systemName, String host, Config config) {}

  /** A source file the source device will create on start (absent, and {@code size} given). */
  record CreatedFile(String deviceId, Path path, long size) {}

  private final Path workDir;
  private final List<Config> devices;
  private final Node source;
  private final Node destination;
  private final List<Path> destinationFiles = new ArrayList<>();
  private final List<CreatedFile> created = new ArrayList<>();

  private DemoSetup(Path workDir, List<Config> devices, Config settings) {
    this.workDir = workDir;
    this.devices = devices;
    this.source = node(settings, SOURCE);
    this.destination = node(settings, DESTINATION);
  }

  /**
   * Builds the setup.
   *
   * @param settings the loaded settings, with {@code ferry.demo}
   * @param workDir the demo's work directory (absolute)
   * @param extra devices from {@code --device}; one with the id of a config device replaces it
   * @param configDevices whether {@code ferry.demo.devices} is used
   * @throws IllegalArgumentException if there is no device at all
   */
  static DemoSetup create(Config settings, Path workDir, List<DeviceSpec> extra,
      boolean configDevices) {
    Map<String, Config> byId = new LinkedHashMap<>();
    if (configDevices) {
      for (Config d : settings.getConfigList("ferry.demo.devices")) {
        if (!d.hasPath("id")) {
          throw new IllegalArgumentException("ferry.demo.devices: a device has no id: "
              + d.root().render(com.typesafe.config.ConfigRenderOptions.concise()));
        }
        byId.put(d.getString("id"), d);
      }
    }
    for (DeviceSpec spec : extra) {
      byId.put(spec.id(), spec.device());
    }
    if (byId.isEmpty()) {
      throw new IllegalArgumentException(
          "no devices to migrate: declare some with --device ID:TYPE[:KEY=VALUE,...]");
    }
    return new DemoSetup(workDir, new ArrayList<>(byId.values()), settings);
  }

  private Node node(Config settings, String role) {
    Config side = settings.getConfig("ferry.demo." + role);
    String host = side.getString("host");
    Path dir = workDir.resolve(role);
    List<ConfigObject> list = new ArrayList<>();
    for (Config d : devices) {
      Config local = d.withValue("role", ConfigValueFactory.fromAnyRef(role));
      if (d.hasPath("model")) {
        local = local.withValue("model",
            localize(d.getString("id"), d.getConfig("model"), role, dir).root());
      }
      list.add(local.root());
    }
    Config config = ConfigFactory.empty()
        .withValue("akka.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(host))
        .withValue("akka.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(0))
        .withValue("akka.stdout-loglevel", ConfigValueFactory.fromAnyRef("OFF"))
        .withValue("ferry.node.data-host", ConfigValueFactory.fromAnyRef(host))
        .withValue("ferry.node.data-port", ConfigValueFactory.fromAnyRef(0))
        .withValue("ferry.node.devices-role", ConfigValueFactory.fromAnyRef(role))
        .withValue("ferry.devices", ConfigValueFactory.fromIterable(list))
        .withFallback(settings);
    return new Node(side.getString("system-name"), host, config);
  }

  private Config localize(String deviceId, Config model, String role, Path dir) {
    String type = model.hasPath("type") ? model.getString("type") : "";
    if (type.equals(FileBackedDevice.KIND) && model.hasPath("path")) {
      Path given = Path.of(model.getString("path"));
      Path path;
      if (role.equals(SOURCE)) {
        path = given.isAbsolute() ? given : dir.resolve(given);
        if (!Files.exists(path) && model.hasPath("size")) {
          created.add(new CreatedFile(deviceId, path, model.getBytes("size")));
        }
      } else {
        path = dir.resolve(given.isAbsolute() ? given.getFileName() : given);
        model = model.withoutPath("size");
        destinationFiles.add(path);
      }
      model = model.withValue("path", ConfigValueFactory.fromAnyRef(path.toString()));
    }
    if (type.equals(FaultyDevice.KIND) && model.hasPath("inner")) {
      model = model.withValue("inner",
          localize(deviceId, model.getConfig("inner"), role, dir).root());
    }
    return model;
  }

  /** Creates the work directories and removes what an earlier run left on the destination. */
  void prepare() {
    try {
      Files.createDirectories(workDir.resolve(SOURCE));
      Files.createDirectories(workDir.resolve(DESTINATION));
      for (Path p : destinationFiles) {
        Files.createDirectories(p.getParent());
        Files.deleteIfExists(p);
        Files.deleteIfExists(p.resolveSibling(p.getFileName() + ".resuming"));
      }
      for (CreatedFile f : created) {
        Files.createDirectories(f.path().getParent());
      }
    } catch (IOException e) {
      throw new CliException("cannot prepare the demo work directory " + workDir + ": " + e, e);
    }
  }

  Node source() {
    return source;
  }

  Node destination() {
    return destination;
  }

  Path workDir() {
    return workDir;
  }

  /** Device ids in declaration order: the migration's section order. */
  List<String> deviceIds() {
    List<String> ids = new ArrayList<>();
    devices.forEach(d -> ids.add(d.getString("id")));
    return ids;
  }

  /** {@code id (type)} per device, {@code id (type, precopy)} for a precopy one, for the header. */
  List<String> describe() {
    List<String> out = new ArrayList<>();
    for (Config d : devices) {
      String type = d.hasPath("model.type") ? d.getString("model.type") : "?";
      out.add(d.getString("id") + " (" + type + (precopy(d) ? ", precopy" : "") + ")");
    }
    return out;
  }

  /** The device declares {@code precopy = on} (a faulty device: its inner device does). */
  private static boolean precopy(Config d) {
    for (String path : new String[] {"model.precopy", "model.inner.precopy"}) {
      try {
        if (d.hasPath(path) && d.getBoolean(path)) {
          return true;
        }
      } catch (com.typesafe.config.ConfigException.WrongType e) {
        // Not a boolean: the device model rejects it when the nodes start.
      }
    }
    return false;
  }

  /** Source files the source devices create on this run. */
  List<CreatedFile> created() {
    return created;
  }
}

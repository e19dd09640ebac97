package io.ferry.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a command's settings come from: {@code --config FILE}; else {@code application.conf} in
 * the working directory; else nothing. Whichever file it is lies over the copy of the repository's
 * application.conf built into the jar (so a file that sets only {@code ferry.migration} still has
 * the demo's device set), which lies over the engine's node defaults
 * ({@link io.ferry.engine.config.FerryConfig#NODE_DEFAULTS}) and every {@code reference.conf} on
 * the classpath; JVM system properties override all, as in {@code ConfigFactory.load}.
 */
public final class FerryConfig {
  /** The classpath copy of the repository's application.conf (see app/pom.xml). */
  static final String EMBEDDED = "io/ferry/app/application.conf";

  /** A resolved config and a short description of where it came from, for headers and errors. */
  public record Loaded(Config config, String origin) {}

  private FerryConfig() {}

  /**
   * Loads the settings.
   *
   * @param explicit the {@code --config} file, or null
   * @param workingDir the directory searched for {@code application.conf}
   * @throws CliException if the explicit file is missing or any file does not parse
   */
  public static Loaded load(Path explicit, Path workingDir) {
    ConfigParseOptions strict = ConfigParseOptions.defaults().setAllowMissing(false);
    try {
      Config embedded =
          ConfigFactory.parseResources(FerryConfig.class.getClassLoader(), EMBEDDED, strict);
      Config user = ConfigFactory.empty();
      String origin = "built-in application.conf";
      Path local = workingDir.resolve("application.conf");
      if (explicit != null) {
        if (!Files.isRegularFile(explicit)) {
          throw new CliException("config file " + explicit + " does not exist");
        }
        user = ConfigFactory.parseFile(explicit.toFile(), strict);
        origin = explicit.toString();
      } else if (Files.isRegularFile(local)) {
        user = ConfigFactory.parseFile(local.toFile(), strict);
        origin = local.toString();
      }
      Config layered = user.withFallback(embedded);
      return new Loaded(io.ferry.engine.config.FerryConfig.load(layered), origin);
    } catch (ConfigException e) {
      throw new CliException("invalid configuration: " + e.getMessage(), e);
    }
  }
}

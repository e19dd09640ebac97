package io.ferry.engine.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * How a Ferry node's configuration is assembled, highest precedence first: JVM system
 * properties; the caller's settings; {@link #NODE_DEFAULTS} (the Akka settings a node needs:
 * remote provider, Artery TCP, slf4j logging, TCP buffer sizes); every {@code reference.conf}
 * (Akka's, and the engine's {@code ferry.*} defaults).
 *
 * <p>An application embedding Ferry in its own ActorSystem builds that system's config the same
 * way, or puts the keys of {@link #NODE_DEFAULTS} into its own settings.
 */
public final class FerryConfig {
  private FerryConfig() {}

  /** Classpath resource holding the Akka settings of a node. */
  public static final String NODE_DEFAULTS = "io/ferry/engine/ferry-node.conf";

  public static Config nodeDefaults() {
    return ConfigFactory.parseResources(FerryConfig.class.getClassLoader(), NODE_DEFAULTS);
  }

  /**
   * A resolved node configuration from the caller's settings, which must not already contain the
   * merged reference configuration (pass {@code ConfigFactory.parseString(...)} or a parsed file,
   * not {@code ConfigFactory.load()}: its copy of Akka's defaults would hide the node defaults).
   */
  public static Config load(Config settings) {
    return ConfigFactory.load(FerryConfig.class.getClassLoader(),
        settings.withFallback(nodeDefaults()));
  }
}

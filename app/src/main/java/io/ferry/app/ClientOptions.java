package io.ferry.app;

import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Options of the commands that talk to running nodes over Artery. */
public final class ClientOptions {
  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5s",
      converter = Converters.Timeout.class,
      description = "How long a node may take to answer one request (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--client-host", paramLabel = "HOST", defaultValue = "127.0.0.1",
      description = "Address this client's Artery endpoint binds to; nodes send their answers "
          + "there, so it must be reachable from them (default: ${DEFAULT-VALUE}).")
  String clientHost;

  @Option(names = "--config", paramLabel = "FILE",
      description = "Settings file (default: ./application.conf, else the built-in one).")
  Path config;
}

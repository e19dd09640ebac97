package io.ferry.app;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node's Artery address as the node prints it, {@code akka://<system>@<host>:<port>}; the node
 * actor lives at {@code <address>/user/<ferry.node.actor-name>}.
 */
public record NodeAddress(String system, String host, int port) {
  private static final Pattern FORM =
      Pattern.compile("akka://([A-Za-z0-9][A-Za-z0-9_-]*)@([^:/@\\[\\]]+|\\[[0-9A-Fa-f:.]+\\]):"
          + "([0-9]{1,5})/?");

  /** Parses {@code akka://system@host:port}; the error says what was expected. */
  public static NodeAddress parse(String text) {
    Matcher m = FORM.matcher(text.trim());
    int port = m.matches() ? Integer.parseInt(m.group(3)) : -1;
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "expected a node address akka://SYSTEM@HOST:PORT (as `ferry node` prints it), got '"
              + text + "'");
    }
    return new NodeAddress(m.group(1), m.group(2), port);
  }

  /** The path of the node actor named {@code actorName} on this node. */
  public String actorPath(String actorName) {
    return this + "/user/" + actorName;
  }

  @Override
  public String toString() {
    return "akka://" + system + "@" + host + ":" + port;
  }
}

package io.ferry.engine.coordinator;

import io.ferry.engine.config.MigrationParameters;
import io.ferry.engine.transport.ControlMessage;
import java.util.List;
import java.util.Objects;

/**
 * What to migrate where: QEMU's {@code migrate} command.
 *
 * @param destination the destination node's Artery address, e.g. {@code akka://ferry@10.0.0.2:25520}
 *     (its node actor is then {@code /user/<ferry.node.actor-name>}), or the full path of a node
 *     embedded elsewhere, e.g. {@code akka://app@10.0.0.2:25520/user/app/ferry}
 * @param deviceIds devices of this node to migrate, in section order
 * @param params the migration's knobs
 */
public record MigrationRequest(String destination, List<String> deviceIds, MigrationParameters params)
    implements ControlMessage {
  public MigrationRequest {
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(params, "params");
    deviceIds = List.copyOf(deviceIds);
    if (deviceIds.isEmpty()) {
      throw new IllegalArgumentException("deviceIds: expected at least one device, got none");
    }
    if (deviceIds.stream().distinct().count() != deviceIds.size()) {
      throw new IllegalArgumentException("deviceIds: expected distinct ids, got " + deviceIds);
    }
  }
}

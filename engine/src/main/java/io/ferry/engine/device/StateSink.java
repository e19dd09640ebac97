package io.ferry.engine.device;

import akka.actor.typed.ActorRef;
import akka.util.ByteString;
import java.util.Objects;

/**
 * Where a saving device puts its stop-copy payloads: the multifd sender (payload = encoded
 * device-state chunk) or the main-channel writer (payload = section payload). The sink replies
 * {@link Accepted} once the payload has been handed to a channel, which is the device's cue to
 * read the next chunk: a device never has more than its {@code maxOutstanding} payloads unaccepted
 * (QEMU R1: "one producer blocks when all channels are busy").
 */
public final class StateSink {
  private StateSink() {}

  /**
   * @param section on the main channel, the section record the payload goes into: PART for
   *     precopy (iterate) data, END for stop-copy data; ignored on multifd channels
   */
  public record Put(
      String deviceId,
      int instanceId,
      DeviceMigration.SectionKind section,
      ByteString payload,
      long requestId,
      ActorRef<Accepted> replyTo)
      implements io.ferry.engine.transport.ChannelSender.Command {
    public Put {
      Objects.requireNonNull(deviceId, "deviceId");
      Objects.requireNonNull(section, "section");
      Objects.requireNonNull(payload, "payload");
      Objects.requireNonNull(replyTo, "replyTo");
      if (payload.isEmpty()) {
        throw new IllegalArgumentException(deviceId + ": payload: expected > 0 bytes, got 0");
      }
    }
  }

  /** The payload with {@code requestId} is on its way; {@code bytes} counts payload bytes. */
  public record Accepted(long requestId, int bytes) {}
}

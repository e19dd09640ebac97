package io.ferry.protocol.packet;

import akka.util.ByteString;

/**
 * A continuation of a device section, QEMU_VM_SECTION_PART: one {@code save_live_iterate} round.
 *
 * @param sectionId the id an earlier {@link SectionStart} bound to the device, 0..2^31-1
 * @param payload the device's bytes
 */
public record SectionPart(int sectionId, ByteString payload) implements SectionRecord {

  private static final String RECORD = "SectionPart";

  public SectionPart {
    Fields.nonNegative(RECORD, "sectionId", sectionId);
    Fields.bytes(RECORD, "payload", payload);
  }

  @Override
  public String toString() {
    return "SectionPart[sectionId=" + sectionId + ", payload=" + Fields.size(payload) + "]";
  }
}

package io.ferry.protocol.packet;

import akka.util.ByteString;

/**
 * The last record of a live device section, QEMU_VM_SECTION_END: the {@code save_complete} data (for a VFIO device in multifd mode just the end-of-state marker; the bulk goes over multifd).
 *
 * @param sectionId the id an earlier {@link SectionStart} bound to the device, 0..2^31-1
 * @param payload the device's bytes
 */
public record SectionEnd(int sectionId, ByteString payload) implements SectionRecord {

  private static final String RECORD = "SectionEnd";

  public SectionEnd {
    Fields.nonNegative(RECORD, "sectionId", sectionId);
    Fields.bytes(RECORD, "payload", payload);
  }

  @Override
  public String toString() {
    return "SectionEnd[sectionId=" + sectionId + ", payload=" + Fields.size(payload) + "]";
  }
}

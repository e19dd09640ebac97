package io.ferry.protocol.packet;

import akka.util.ByteString;
import io.ferry.protocol.WireText;

/**
 * Opens a device section: binds {@code sectionId} to the device, QEMU_VM_SECTION_START. The setup phase of a live device (QEMU {@code save_setup}) sends one; later PART and END records use only the id.
 *
 * @param sectionId the section id, 0..2^31-1
 * @param deviceId the device id (QEMU idstr, e.g. {@code "0000:00:03.0/vfio"}), {@value
 *     WireText#DEVICE_ID_RULE}
 * @param instanceId the instance id, 0..2^31-1
 * @param versionId the device's state version, 0..2^31-1
 * @param payload the device's bytes
 */
public record SectionStart(
    int sectionId, String deviceId, int instanceId, int versionId, ByteString payload)
    implements SectionRecord {

  private static final String RECORD = "SectionStart";

  public SectionStart {
    Fields.nonNegative(RECORD, "sectionId", sectionId);
    WireText.deviceIdBytes(RECORD, deviceId);
    Fields.nonNegative(RECORD, "instanceId", instanceId);
    Fields.nonNegative(RECORD, "versionId", versionId);
    Fields.bytes(RECORD, "payload", payload);
  }

  @Override
  public String toString() {
    return "SectionStart[sectionId="
        + sectionId
        + ", deviceId="
        + WireText.quoted(deviceId)
        + ", instanceId="
        + instanceId
        + ", versionId="
        + versionId
        + ", payload="
        + Fields.size(payload)
        + "]";
  }
}

package io.ferry.protocol.packet;

import akka.util.ByteString;

/**
 * A main-channel record that belongs to one device's section: START and FULL name the device and
 * bind it to {@link #sectionId()}; PART and END refer back to that id, as in QEMU's savevm.c.
 */
public sealed interface SectionRecord extends MainRecord
    permits SectionStart, SectionPart, SectionEnd, SectionFull {

  /** The section id, chosen by the source; 0..2^31-1. */
  int sectionId();

  /** The device's bytes for this section. */
  ByteString payload();
}

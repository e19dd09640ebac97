package io.ferry.protocol.packet;

/**
 * A record of the main migration channel, the counterpart of QEMU's QEMUFile stream elements
 * ({@code QEMU_VM_SECTION_*}, {@code QEMU_VM_COMMAND}, {@code QEMU_VM_EOF}). Each one is sent as a
 * length-prefixed frame; see {@code WireFormat}.
 */
public sealed interface MainRecord extends Packet permits SectionRecord, Command, EndOfStream {}

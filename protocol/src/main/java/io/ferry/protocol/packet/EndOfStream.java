package io.ferry.protocol.packet;

/**
 * The last record of the main channel, QEMU_VM_EOF: everything the source had to say has been said.
 * Nothing may follow it. All instances are equal; use {@link #INSTANCE}.
 */
public record EndOfStream() implements MainRecord {

  /** The one value there is. */
  public static final EndOfStream INSTANCE = new EndOfStream();
}

package io.ferry.engine.reassembly;

/** A device-state chunk the destination refuses; the message names device, index, expected, got. */
public final class ReassemblyException extends Exception {
  private static final long serialVersionUID = 1L;

  public ReassemblyException(String message) {
    super(message);
  }
}

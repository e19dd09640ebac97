package io.ferry.engine.coordinator;

/**
 * QEMU's MigrationStatus values that Ferry's switchover path uses, with the same meaning: SETUP
 * (channels and setup sections), ACTIVE (iterating; devices running), DEVICE (devices stopped,
 * stop-copy state moving: the downtime), COMPLETED, FAILED, CANCELLING, CANCELLED.
 */
public enum MigrationStatus {
  NONE,
  SETUP,
  ACTIVE,
  DEVICE,
  COMPLETED,
  FAILED,
  CANCELLING,
  CANCELLED;

  public boolean isFinal() {
    return this == COMPLETED || this == FAILED || this == CANCELLED;
  }
}

package io.ferry.devices.model;

/** Which end of a migration a device model is created for ({@link DeviceModels#create}). */
public enum Role {
  /** Holds its initial state; will be saved. */
  SOURCE,
  /** Starts empty, ready to be moved to RESUMING and loaded. */
  DESTINATION
}

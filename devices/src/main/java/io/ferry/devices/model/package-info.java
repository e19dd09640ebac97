/**
 * The device-model layer: plain-Java devices that follow the Linux VFIO migration uAPI v2 (no Akka
 * types).
 *
 * <p>{@link io.ferry.devices.model.MigrationFsm} is the kernel's combination table with the ERROR
 * guard; {@link io.ferry.devices.model.AbstractDeviceModel} drives it one direct arc at a time;
 * {@link io.ferry.devices.model.DeviceModel} is the contract the device actors code against, and
 * {@link io.ferry.devices.model.DeviceModels} creates the synthetic, config-only, file and faulty
 * models from config. Reads and writes of the data streams may block: callers run them on a
 * blocking dispatcher. The contract, each model's parameters, stream format and digest are
 * described in {@code docs/devices.md}.
 */
package io.ferry.devices.model;

/**
 * A fault-injecting TCP proxy for the multi-process integration tests.
 *
 * <p>{@link io.ferry.it.proxy.FaultProxy} sits between a migration source and destination on
 * 127.0.0.1 and breaks chosen connections (the main channel or one multifd channel) in a
 * described, repeatable way: cut, reset, stall, throttle or corrupt at an exact byte offset. The
 * integration suites use it to check that a broken channel turns into the expected {@code
 * MigrationScenario} outcome rather than a hang or silent corruption.
 */
package io.ferry.it.proxy;

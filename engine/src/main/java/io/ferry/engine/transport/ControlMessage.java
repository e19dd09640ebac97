package io.ferry.engine.transport;

/**
 * Marker for every message that crosses nodes over Artery. Bound to akka-serialization-jackson
 * (CBOR) in reference.conf; Java serialization is switched off. Control only: bulk data never
 * travels on Artery.
 */
public interface ControlMessage {}

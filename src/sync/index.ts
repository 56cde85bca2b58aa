/** Synchronisation primitives and memory channels, built on the core's wait/wake pair. */
export {};

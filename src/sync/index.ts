/** Synchronisation primitives and memory channels, built on the core's wait/wake pair. */
export {};
export { ParkingLot, type ParkingLotStatistics, type UnparkOptions } from "./parking-lot.js";
export { Event, type EventStatistics } from "./event.js";
export { Lock, StrictFIFOLock, type LockStatistics } from "./lock.js";
export { Semaphore, type SemaphoreOptions, type SemaphoreStatistics } from "./semaphore.js";
export { CapacityLimiter, type CapacityLimiterStatistics } from "./capacity-limiter.js";
export { Condition, type ConditionStatistics } from "./condition.js";
export { openMemoryChannel, MemorySendChannel, MemoryReceiveChannel, type ReceiveResult, type MemoryChannelStatistics } from "./channel.js";
export { StapledStream, forEachChunk, type AsyncResource, type SendStream, type ReceiveStream, type Stream, type HalfCloseableStream } from "./streams.js";
export {
  MemorySendStream,
  MemoryReceiveStream,
  memoryStreamPump,
  memoryStreamOneWayPair,
  memoryStreamPair,
  type MemorySendStreamHooks,
  type MemoryReceiveStreamHooks,
} from "./memory-streams.js";

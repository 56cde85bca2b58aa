/**
 * The asyncio layer: an asyncio-compatible event loop on the Trio core.
 * Import it as a namespace: `import { asyncio } from "trio-asyncio"`.
 */
export { EventLoop, type ExceptionContext, type ExceptionHandler, type TaskFactory, type LoopStatistics } from "./event-loop.js";
export { Future, isFuture, type DoneCallback } from "./future.js";
export { Task, type TaskOptions } from "./task.js";
export { Handle, TimerHandle } from "./handles.js";
export { getRunningLoop, currentTask } from "./running.js";
export { sleep, wrapPromise } from "./sleep.js";
export {
  CancelledError,
  TimeoutError,
  InvalidStateError,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  BrokenBarrierError,
  AsyncioError,
} from "./errors.js";
export type { Coroutine, CoroutineFn, AioYield } from "./types.js";

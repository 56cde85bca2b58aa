/**
 * The asyncio layer: an asyncio-compatible event loop on the Trio core.
 * Import it as a namespace: `import { asyncio } from "trio-asyncio"`.
 */
export { EventLoop, type ExceptionContext, type ExceptionHandler, type TaskFactory, type TaskFactoryOptions, type LoopStatistics } from "./event-loop.js";
export { Future, isFuture, type DoneCallback } from "./future.js";
export { Task, type TaskOptions } from "./task.js";
export { eagerTaskFactory, createEagerTaskFactory, type TaskConstructor } from "./eager-task-factory.js";
export { Handle, TimerHandle } from "./handles.js";
export { getRunningLoop, currentTask } from "./running.js";
export { sleep, wrapPromise } from "./sleep.js";
export { createTask, ensureFuture, allTasks, isCoroutine, type Awaitable, type AwaitedOf } from "./functions.js";
export { gather, GatheringFuture, type GatherOptions, type GatherResults, type GatherSettled } from "./gather.js";
export { wait, waitFor, asCompleted, FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED, type ReturnWhen, type WaitOptions } from "./wait.js";
export { shield } from "./shield.js";
export { staggeredRace, type StaggeredRaceOptions, type StaggeredRaceResult } from "./staggered.js";
export { timeout, timeoutAt, Timeout } from "./timeouts.js";
export { TaskGroup } from "./taskgroup.js";
export { Queue, LifoQueue, PriorityQueue, comparePriorities, type PriorityOptions } from "./queues.js";
export { Event, Lock, Condition } from "./locks.js";
export { Semaphore, BoundedSemaphore } from "./locks-semaphore.js";
export { Barrier } from "./locks-barrier.js";
export { toThread, type Executor } from "./executor.js";
export {
  CancelledError,
  TimeoutError,
  InvalidStateError,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  BrokenBarrierError,
  ValueError,
  AsyncioError,
} from "./errors.js";
export type { Coroutine, CoroutineFn, AioYield } from "./types.js";

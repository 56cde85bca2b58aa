/**
 * Workers: structured concurrency across threads (entry `trio-asyncio/workers`).
 * Page side: `openWorker`, `openWorkerPool`; worker side: `defineWorker`.
 */
export { defineWorker, withTransfer, type WorkerOperations, type DefineWorkerOptions } from "./define-worker.js";
export { openWorker, WorkerHandle, type WorkerCaller, type OperationArgs, type OperationResult } from "./open-worker.js";
export { openWorkerPool, WorkerPool, type WorkerPoolOptions, type WorkerPoolSource } from "./pool.js";
export type { WorkerOptions, CallOptions } from "./connection.js";
export type { WorkerLike, BrowserWorkerLike, NodeWorkerLike, WorkerSource, WorkerEndpoint } from "./endpoint.js";
export { WorkerLoadError, WorkerDataCloneError } from "./errors.js";
export { PROTOCOL_VERSION } from "./protocol.js";
export { WorkerExecutor } from "./executor.js";
export { toThread } from "./to-thread.js";
export {
  receiveFromPort,
  sendToPort,
  PortReceiveChannel,
  PortSendChannel,
  type MessagePortLike,
  type PortReceiveOptions,
  type PortSendOptions,
} from "./port-channel.js";

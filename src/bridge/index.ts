/** The bridges between the flavours and to the platform. */
export { openLoop, currentLoop, type OpenLoopOptions } from "./open-loop.js";
export { aioAsTrio, waitFuture } from "./aio-as-trio.js";
export { trioAsAio, TrioFuture } from "./trio-as-aio.js";
export { waitPromise, abortable, withAbortSignal, isCancelled, type PromiseWaitOptions } from "./promise.js";
export { asyncioRun, AsyncioRunner, type AsyncioRunOptions } from "./asyncio-run.js";
export {
  aioIterAsTrio,
  trioIterAsAio,
  AioIterReceiver,
  TrioIterAio,
  type AioAsyncIterator,
  type TrioReceiver,
} from "./iterators.js";

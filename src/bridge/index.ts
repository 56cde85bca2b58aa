/** The bridges between the flavours and to the platform. */
export { openLoop, currentLoop, type OpenLoopOptions } from "./open-loop.js";
export { aioAsTrio, waitFuture } from "./aio-as-trio.js";
export { trioAsAio, TrioFuture } from "./trio-as-aio.js";
export { waitPromise, abortable, withAbortSignal, isCancelled } from "./promise.js";

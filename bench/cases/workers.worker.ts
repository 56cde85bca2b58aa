/**
 * The worker module of the workers benchmark (bundled by run.ts to
 * workers.worker.mjs for Node and browser/workers.worker.js for the page).
 *
 * Why it is built so: one module serves both sides of the round-trip
 * comparison, so the raw baseline pays the same worker and the same
 * structured clone: `defineWorker` answers our calls, and a plain listener
 * echoes `{ raw }` messages straight back (defineWorker ignores them).
 */
import { currentWorkerEndpoint } from "../../src/workers/endpoint.js";
import { defineWorker } from "../../src/workers/index.js";
import { crunch } from "./crunch.js";

const endpoint = currentWorkerEndpoint()!;

export const ops = defineWorker({
  *echo<T>(value: T) {
    return value;
  },
  /** Says it started (outside the protocol), then is busy forever without a checkpoint: only termination stops it. */
  *spin() {
    endpoint.postMessage({ spinning: true }, []);
    let x = 0;
    for (;;) x = (x + 1) % 1_000_003;
  },
  *crunch(seed: number, iterations: number) {
    return crunch(seed, iterations);
  },
});

/** The operations, for the page's types. */
export type BenchOps = typeof ops;

endpoint.listen((data) => {
  if (data !== null && typeof data === "object" && "raw" in data) endpoint.postMessage(data, []);
});

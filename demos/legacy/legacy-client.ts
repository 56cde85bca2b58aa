/**
 * A "legacy" module, written the way asyncio code was written for years:
 * a callback API at the bottom (XMLHttpRequest), wrapped into Futures by
 * hand, worker Tasks fed by an asyncio Queue, results collected from a
 * second Queue, `waitFor` for per-job timeouts. It knows nothing of Trio.
 *
 * The one thing it does right, and all it needs for clean cancellation: a
 * cancelled Future aborts its request, and every `finally` cleans up.
 */
import { asyncio } from "../../src/index.js";

/** What /api/legacy answers. */
export interface JobResult {
  job: number;
  checksum: number;
}

/** One job's outcome, as the module reports it. */
export type JobOutcome = { job: number; worker: string; ok: true; checksum: number } | { job: number; worker: string; ok: false; error: string };

/** The module's summary of a batch. */
export interface BatchSummary {
  done: number;
  failed: number;
}

/**
 * The callback API the module was built on: calls `done(error, result)`
 * once, and returns a function that aborts the request.
 */
export function requestJob(job: number, done: (error: Error | null, result?: JobResult) => void): () => void {
  const xhr = new XMLHttpRequest();
  xhr.open("GET", `/api/legacy?job=${job}`);
  xhr.responseType = "json";
  xhr.onload = () => (xhr.status === 200 ? done(null, xhr.response as JobResult) : done(new Error(`HTTP ${xhr.status}`)));
  xhr.onerror = () => done(new Error("network error"));
  xhr.send();
  return () => xhr.abort();
}

/** The callback API as a Future. Cancelling the Future aborts the request. */
export function fetchJob(job: number): asyncio.Future<JobResult> {
  const loop = asyncio.getRunningLoop();
  const future = loop.createFuture<JobResult>();
  const abort = requestJob(job, (error, result) => {
    // The outside world enters the loop through callSoonThreadsafe, as in Python.
    loop.callSoonThreadsafe(() => {
      if (future.done()) return;
      if (error !== null) future.setException(error);
      else future.setResult(result!);
    });
  });
  future.addDoneCallback((f) => {
    if (f.cancelled()) abort();
  });
  return future;
}

/** A worker: takes jobs from `jobs` until cancelled, puts outcomes on `results`. */
export function* worker(name: string, jobs: asyncio.Queue<number>, results: asyncio.Queue<JobOutcome>, log: (line: string) => void): asyncio.Coroutine<void> {
  log(`${name}: started`);
  try {
    for (;;) {
      const job = yield* jobs.get();
      try {
        const result = yield* asyncio.waitFor(fetchJob(job), 2.0);
        yield* results.put({ job, worker: name, ok: true, checksum: result.checksum });
      } catch (error) {
        if (error instanceof asyncio.CancelledError) {
          log(`${name}: job ${job} cancelled, request aborted`);
          throw error;
        }
        yield* results.put({ job, worker: name, ok: false, error: String(error) });
      } finally {
        jobs.taskDone();
      }
    }
  } finally {
    log(`${name}: stopped`);
  }
}

/**
 * Runs a batch: `concurrency` workers over a Queue of job ids; reports each
 * outcome through `onResult`. On the way out (done, failed or cancelled) it
 * cancels its workers and waits for them.
 */
export function* processJobs(
  jobIds: readonly number[],
  concurrency: number,
  onResult: (outcome: JobOutcome) => void,
  log: (line: string) => void,
): asyncio.Coroutine<BatchSummary> {
  const loop = asyncio.getRunningLoop();
  const jobs = new asyncio.Queue<number>();
  const results = new asyncio.Queue<JobOutcome>();
  for (const id of jobIds) jobs.putNowait(id);
  const workers = Array.from({ length: concurrency }, (_, i) => loop.createTask(worker(`worker ${i + 1}`, jobs, results, log), { name: `worker ${i + 1}` }));
  let done = 0;
  let failed = 0;
  try {
    while (done + failed < jobIds.length) {
      const outcome = yield* results.get();
      if (outcome.ok) done++;
      else failed++;
      onResult(outcome);
    }
    yield* jobs.join();
    return { done, failed };
  } finally {
    for (const w of workers) w.cancel();
    yield* asyncio.gather(...workers, { returnExceptions: true });
    log(`processJobs: all ${workers.length} workers have stopped`);
  }
}

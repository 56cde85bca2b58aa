/**
 * Compile-time checks, run by `tsc -p tsconfig.json` (never executed): the
 * workers entry's doc examples with a typed pool and the DOM's MessagePort.
 */
import type { Operation } from "../../src/index.js";
import { openWorkerPool, receiveFromPort, sendToPort, WorkerExecutor, type WorkerHandle } from "../../src/workers/index.js";

interface Summary { rows: number }
// A type alias, not an interface: operations are checked against an index signature.
type Ops = {
  parse(text: string, work: number): Operation<Summary>;
};

export function* typedPoolExecutor(): Operation<void> {
  yield* openWorkerPool<Ops>("./parser.worker.js", function* (pool) {
    // Was refused: a WorkerPool<Ops> is no WorkerCaller<WorkerOperations>, and Ops was not inferred.
    const executor = new WorkerExecutor(pool);
    const same: WorkerExecutor<Ops> = executor;
    void same;
  });
}

export function typedHandleExecutor(worker: WorkerHandle<Ops>): WorkerExecutor<Ops> {
  return new WorkerExecutor(worker);
}

export function* domMessagePort(): Operation<void> {
  const { port1, port2 } = new MessageChannel();
  yield* receiveFromPort<Summary>(port1, function* (rows) {
    void (yield* rows.receive()).rows;
  });
  yield* sendToPort<Summary>(port2, function* (out) {
    yield* out.send({ rows: 1 });
  });
}

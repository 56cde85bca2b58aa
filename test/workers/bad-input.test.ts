/** Bad input to the workers layer: each a clear error naming the fix, with nothing left running. */
import { describe, expect, it } from "vitest";
import { run } from "../../src/index.js";
import { openWorker, openWorkerPool, WorkerDataCloneError, WorkerLoadError } from "../../src/workers/index.js";
import type { BasicOps } from "./fixtures/basic.worker.js";
import { caught, tracker } from "./helpers.js";

async function failure(body: () => Generator<never, unknown, unknown> | Generator<unknown, unknown, unknown>): Promise<Error> {
  try {
    await run(body as never);
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the run to fail");
}

describe("workers bad input", () => {
  it("a non-cloneable argument: WorkerDataCloneError in the caller naming the argument and the fix; nothing posted", async () => {
    const t = await tracker("basic.worker");
    let posted = 0;
    await run(function* () {
      const worker = t.make();
      const post = worker.postMessage.bind(worker);
      worker.postMessage = (...args: Parameters<typeof post>) => {
        post(...args);
        posted++;
      };
      yield* openWorker<BasicOps>(worker, function* (w) {
        const error = yield* caught(w.call("echo", [() => 1] as never));
        expect(error).toBeInstanceOf(WorkerDataCloneError);
        const e = error as Error & { cause: Error };
        expect(e.message).toMatch(/argument 0 \(function/);
        expect(e.message).toMatch(/structured-cloned.*transfer/);
        expect(e.cause.name).toBe("DataCloneError");
        expect(posted).toBe(0);
        // The worker is fine afterwards.
        expect(yield* w.call("add", [1, 2])).toBe(3);
      });
    });
    expect(t.alive).toBe(0);
  });

  it("an unknown operation name: TypeError listing the worker's operations, nothing posted", async () => {
    const t = await tracker("basic.worker");
    await run(function* () {
      yield* openWorker<BasicOps>(t.make(), function* (w) {
        const error = yield* caught(w.call("parse" as never, [] as never));
        expect(error).toBeInstanceOf(TypeError);
        expect((error as Error).message).toMatch(/no operation "parse"; it defines "echo", "add".*defineWorker/);
      });
    });
    expect(t.alive).toBe(0);
  });

  it("arguments not in an array are refused", async () => {
    const t = await tracker("basic.worker");
    await run(function* () {
      yield* openWorker<BasicOps>(t.make(), function* (w) {
        const error = yield* caught(w.call("add", 1 as never));
        expect((error as Error).message).toMatch(/arguments must be an array/);
      });
    });
  });

  it("an operation that is not a generator function: the error crosses back", async () => {
    const t = await tracker("basic.worker");
    const error = await failure(function* () {
      yield* openWorker<BasicOps>(t.make(), function* (w) {
        yield* w.call("notAGenerator", []);
      });
    });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/"notAGenerator" must be a generator function/);
    expect(t.alive).toBe(0);
  });

  it("a worker module that throws while loading: WorkerLoadError, and the thread has exited", async () => {
    const t = await tracker("throws-on-load.worker");
    const error = await failure(function* () {
      yield* openWorker(t.make(), function* () {});
    });
    expect(error).toBeInstanceOf(WorkerLoadError);
    expect(error.message).toMatch(/failed to load: SyntaxError: this worker module is broken on purpose.*defineWorker/);
    expect(t.alive).toBe(0);
  });

  it("a module URL that does not exist: WorkerLoadError", async () => {
    const error = await failure(function* () {
      yield* openWorker(new URL("file:///nonexistent/worker.mjs"), function* () {});
    });
    expect(error).toBeInstanceOf(WorkerLoadError);
    expect(error.message).toMatch(/Check the module URL/);
  });

  it("a module that never calls defineWorker: WorkerLoadError after startSeconds", async () => {
    const t = await tracker("no-define.worker");
    const error = await failure(function* () {
      yield* openWorker(t.make(), function* () {}, { startSeconds: 0.3 });
    });
    expect(error).toBeInstanceOf(WorkerLoadError);
    expect(error.message).toMatch(/did not call defineWorker\(\) within 0.3 s/);
    expect(t.alive).toBe(0);
  });

  it("a worker built with another protocol version: WorkerLoadError naming the fix", async () => {
    const t = await tracker("other-version.worker");
    const error = await failure(function* () {
      yield* openWorker(t.make(), function* () {});
    });
    expect(error).toBeInstanceOf(WorkerLoadError);
    expect(error.message).toMatch(/speaks version 99 of the worker protocol, this page version 1: build the worker and the page with the same trio-asyncio/);
    expect(t.alive).toBe(0);
  });

  it("a pool whose workers fail to load: WorkerLoadError, every worker gone", async () => {
    const t = await tracker("throws-on-load.worker");
    const error = await failure(function* () {
      yield* openWorkerPool(() => t.make(), function* () {}, { size: 3 });
    });
    expect(error).toBeInstanceOf(WorkerLoadError);
    expect(t.workers).toHaveLength(3);
    expect(t.alive).toBe(0);
  });

  it("bad options and sources are refused before any worker starts", async () => {
    const cases: [() => Generator<unknown, unknown, unknown>, RegExp][] = [
      [() => openWorker(42 as never, function* () {}), /module URL .* or a Worker/],
      [() => openWorker("./w.js", "body" as never), /needs a generator function as body/],
      [() => openWorker("./w.js", function* () {}, { graceSeconds: -1 }), /graceSeconds must be a number of seconds >= 0/],
      [() => openWorkerPool("./w.js", function* () {}, { size: 0 }), /size must be a whole number of workers >= 1/],
      [() => openWorkerPool({} as never, function* () {}), /module URL .* or a function that returns a Worker/],
    ];
    for (const [body, pattern] of cases) {
      const error = await failure(body as never);
      expect(error.message).toMatch(pattern);
    }
  });
});

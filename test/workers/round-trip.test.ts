/** Calls into a worker: values, transfers and errors cross, and nothing is left after the block. */
import { describe, expect, it } from "vitest";
import { ExceptionGroup, inspector, openNursery, run, sleep, TooSlowError } from "../../src/index.js";
import { openWorker } from "../../src/workers/index.js";
import type { BasicOps } from "./fixtures/basic.worker.js";
import { caught, tracker } from "./helpers.js";

describe("openWorker round trip", () => {
  it("returns results, runs calls concurrently, and leaves no thread behind", async () => {
    const t = await tracker("basic.worker");
    const results = await run(function* () {
      return yield* openWorker<BasicOps, unknown[]>(t.make(), function* (worker) {
        expect(worker.operations).toContain("add");
        const echoed = yield* worker.call("echo", [{ nested: [1, "two", new Map([[3, 4]])] }]);
        const sum = yield* worker.call("add", [2, 3]);
        // Two calls at once run as two tasks in the worker: together they take one sleep, not two.
        // One after the other they could not take less than 1000 ms; at once they take 500 ms and
        // the round trips, which a loaded machine stretches, so the bound leaves them ~450 ms.
        const started = performance.now();
        const both: number[] = [];
        yield* openNursery(function* (nursery) {
          nursery.startSoon(function* () {
            both.push(yield* worker.call("sleepThenAdd", [0.5, 1, 1]));
          });
          nursery.startSoon(function* () {
            both.push(yield* worker.call("sleepThenAdd", [0.5, 2, 2]));
          });
        });
        expect(performance.now() - started).toBeLessThan(950);
        expect(both.sort()).toEqual([2, 4]);
        return [echoed, sum];
      });
    });
    expect(results).toEqual([{ nested: [1, "two", new Map([[3, 4]])] }, 5]);
    // openWorker returned only once the thread had exited.
    expect(t.alive).toBe(0);
  });

  it("moves transferables both ways", async () => {
    const t = await tracker("basic.worker");
    await run(function* () {
      yield* openWorker<BasicOps>(t.make(), function* (worker) {
        const input = new Uint8Array([1, 2, 3]);
        const out = yield* worker.call("double", [input], { transfer: [input.buffer] });
        expect(input.byteLength).toBe(0); // moved, not copied
        expect([...out]).toEqual([2, 4, 6]);
      });
    });
    expect(t.alive).toBe(0);
  });

  it("accepts a module URL and starts the worker itself", async () => {
    const t = await tracker("basic.worker");
    const sum = await run(function* () {
      return yield* openWorker<BasicOps, number>(t.url, function* (worker) {
        return yield* worker.call("sleepThenAdd", [0.01, 20, 22]);
      });
    });
    expect(sum).toBe(42);
  });
});

describe("seen from the inspector", () => {
  it("a caller waiting on a worker call says which worker and operation", async () => {
    const t = await tracker("basic.worker");
    let labels: string[] = [];
    await run(function* () {
      yield* openWorker<BasicOps>(
        t.make(),
        function* (worker) {
          yield* openNursery(function* (nursery) {
            nursery.startSoon(() => worker.call("sleepThenAdd", [0.2, 1, 2]));
            yield* sleep(0.05);
            labels = inspector.inspect().tasks.map((task) => task.waitingOn?.label ?? "");
          });
        },
        { name: "parser" },
      );
    });
    expect(labels).toContain('parser: call "sleepThenAdd" #1');
  });
});

describe("errors crossing back", () => {
  it("keep class, message, the worker's stack and cause", async () => {
    const t = await tracker("basic.worker");
    const error = await run(function* () {
      return yield* openWorker<BasicOps, unknown>(t.make(), function* (worker) {
        try {
          yield* worker.call("fail", ["bad input"]);
        } catch (e) {
          return e;
        }
      });
    });
    expect(error).toBeInstanceOf(RangeError);
    const e = error as RangeError & { cause: Error };
    expect(e.message).toBe("bad input");
    expect(e.stack).toContain("fail"); // the worker-side frame of the operation
    expect(e.stack).toContain("basic.worker");
    expect(e.cause).toBeInstanceOf(Error);
    expect(e.cause.name).toBe("ParseError");
    expect(e.cause.message).toBe("the root cause");
  });

  it("an ExceptionGroup stays a group, nested, with our classes rebuilt", async () => {
    const t = await tracker("basic.worker");
    const error = await run(function* () {
      return yield* openWorker<BasicOps, unknown>(t.make(), function* (worker) {
        try {
          yield* worker.call("failGroup", []);
        } catch (e) {
          return e;
        }
      });
    });
    expect(error).toBeInstanceOf(ExceptionGroup);
    const group = error as ExceptionGroup;
    expect(group.message).toBe("two things failed");
    expect(group.exceptions[0]).toBeInstanceOf(TypeError);
    expect(group.exceptions[1]).toBeInstanceOf(ExceptionGroup);
    const leaves = group.leaves() as Error[];
    expect(leaves.map((l) => [l.name, l.message])).toEqual([
      ["TypeError", "first"],
      ["TooSlowError", "second"],
      ["ParseError", "third"],
    ]);
    expect(leaves[1]).toBeInstanceOf(TooSlowError);
    expect(group.subgroup(TooSlowError)?.leaves()).toHaveLength(1);
  });

  it("a thrown non-Error value arrives as itself; an uncloneable result is a clear error", async () => {
    const t = await tracker("basic.worker");
    await run(function* () {
      yield* openWorker<BasicOps>(t.make(), function* (worker) {
        const thrown = yield* caught(worker.call("throwString", []));
        expect(thrown).toBe("a plain string");
        const error = yield* caught(worker.call("returnFunction", []));
        expect(error).toBeInstanceOf(TypeError);
        expect((error as Error).message).toMatch(/returnFunction.*cannot be sent to the page.*DataCloneError/);
        const revoked = yield* caught(worker.call("returnRevoked", []));
        expect(revoked).toBeInstanceOf(TypeError);
        expect((revoked as Error).message).toMatch(/returnRevoked" returned an object that cannot be inspected \(a revoked Proxy\?\), which cannot be sent to the page/);
        // The worker is still fine.
        expect(yield* worker.call("add", [1, 1])).toBe(2);
      });
    });
  });
});

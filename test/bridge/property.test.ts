/**
 * Property tests mixing both flavours: random trees of Trio nodes and
 * asyncio nodes that sleep, call each other through the bridges, spawn
 * children (nursery tasks, fire-and-forget asyncio tasks), cancel from
 * either side at random times, fail, and schedule loop callbacks. Each
 * program runs on an autojumping MockClock inside openLoop; fast-check is
 * seeded, so a failure reproduces with the printed seed and shrunk program.
 *
 * Checked for every program: every node that started also exited (no task
 * lost), every Future and Task ended, every callSoon callback ran exactly
 * once and no callback or node ran after its loop closed, every error that
 * was thrown comes out of the run (none vanishes), a run without errors
 * succeeds, and the runner has nothing left over.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ExceptionGroup, moveOnAfter, openNursery, sleep as trioSleep, type Operation } from "../../src/core/index.js";
import { aioAsTrio, currentLoop, openLoop, trioAsAio } from "../../src/bridge/index.js";
import * as asyncio from "../../src/asyncio/index.js";
import { expectNoLeftovers, runKeep } from "./helpers.js";

const { CancelledError } = asyncio;

// ---- program shape ------------------------------------------------------------

type Flavour = "trio" | "aio";

interface Node {
  flavour: Flavour;
  steps: Step[];
}

type Step =
  | { k: "sleep"; d: number }
  | { k: "call"; node: Node }
  | { k: "spawn"; node: Node }
  | { k: "cancelAfter"; d: number; node: Node }
  | { k: "fail" }
  | { k: "callback"; d: number | null; throws: boolean };

const delay = fc.integer({ min: 0, max: 6 }).map((n) => n / 2);

function nodeArb(depth: number): fc.Arbitrary<Node> {
  const leaves: fc.Arbitrary<Step>[] = [
    delay.map((d): Step => ({ k: "sleep", d })),
    delay.map((d): Step => ({ k: "sleep", d })),
    fc.constant<Step>({ k: "fail" }),
    fc
      .tuple(fc.option(delay, { nil: null }), fc.integer({ min: 0, max: 5 }))
      .map(([d, n]): Step => ({ k: "callback", d: d as number | null, throws: n === 0 })),
  ];
  const choices: fc.Arbitrary<Step>[] = [...leaves];
  if (depth > 0) {
    const child = nodeArb(depth - 1);
    choices.push(
      child.map((node): Step => ({ k: "call", node })),
      child.map((node): Step => ({ k: "spawn", node })),
      fc.tuple(delay, child).map(([d, node]): Step => ({ k: "cancelAfter", d, node })),
    );
  }
  return fc.record({
    flavour: fc.constantFrom<Flavour>("trio", "aio"),
    steps: fc.array(fc.oneof(...choices), { maxLength: 4 }),
  });
}

// ---- the interpreter ------------------------------------------------------------

interface Trace {
  nextId: number;
  live: Set<number>;
  started: number;
  thrown: Error[];
  futures: asyncio.Future<unknown>[];
  soonScheduled: number;
  soonRan: number;
  violations: string[];
  loop: asyncio.EventLoop | null;
  /** Errors of awaited Futures that a cancellation replaced (see noteSuperseded). */
  superseded: unknown[];
}

function newTrace(): Trace {
  return { nextId: 1, live: new Set(), started: 0, thrown: [], futures: [], soonScheduled: 0, soonRan: 0, violations: [], loop: null, superseded: [] };
}

function checkOpen(trace: Trace, what: string): void {
  if (trace.loop !== null && trace.loop.isClosed()) trace.violations.push(`${what} ran after its loop closed`);
}

function fail(trace: Trace, id: number): never {
  const error = new Error(`node ${id} failed`);
  trace.thrown.push(error);
  throw error;
}

function schedule(trace: Trace, loop: asyncio.EventLoop, step: { d: number | null; throws: boolean }, owner: number): void {
  const callback = () => {
    checkOpen(trace, `callback of node ${owner}`);
    if (step.d === null) trace.soonRan++;
    if (step.throws) fail(trace, owner);
  };
  if (step.d === null) {
    trace.soonScheduled++;
    loop.callSoon(callback);
  } else {
    loop.callLater(step.d, callback);
  }
}

/** A Trio node, run from Trio code. */
function* runTrio(trace: Trace, node: Node): Operation<void> {
  const id = trace.nextId++;
  trace.started++;
  trace.live.add(id);
  try {
    yield* openNursery(function* (nursery) {
      for (const step of node.steps) {
        checkOpen(trace, `trio node ${id}`);
        switch (step.k) {
          case "sleep":
            yield* trioSleep(step.d);
            break;
          case "call":
            yield* callFromTrio(trace, step.node);
            break;
          case "spawn":
            nursery.startSoon(callFromTrio, trace, step.node);
            break;
          case "cancelAfter":
            yield* moveOnAfter(step.d, () => callFromTrio(trace, step.node));
            break;
          case "fail":
            fail(trace, id);
            break;
          case "callback":
            schedule(trace, currentLoop(), step, id);
            break;
        }
      }
    });
  } finally {
    trace.live.delete(id);
  }
}

function* callFromTrio(trace: Trace, node: Node): Operation<void> {
  if (node.flavour === "trio") yield* runTrio(trace, node);
  else yield* aioAsTrio(runAio)(trace, node);
}

/** An asyncio node, run from asyncio code. */
function* runAio(trace: Trace, node: Node): asyncio.Coroutine<void> {
  const id = trace.nextId++;
  trace.started++;
  trace.live.add(id);
  const loop = asyncio.getRunningLoop();
  try {
    for (const step of node.steps) {
      checkOpen(trace, `asyncio node ${id}`);
      switch (step.k) {
        case "sleep":
          yield* asyncio.sleep(step.d);
          break;
        case "call":
          yield* callFromAio(trace, step.node);
          break;
        case "spawn": {
          // Fire and forget: its errors are reported when the loop closes.
          const task = loop.createTask(callFromAio(trace, step.node));
          trace.futures.push(task);
          break;
        }
        case "cancelAfter": {
          const waited: asyncio.Future<void> =
            step.node.flavour === "trio" ? trioAsAio(runTrio)(trace, step.node) : loop.createTask(runAio(trace, step.node));
          trace.futures.push(waited);
          const timer = loop.callLater(step.d, () => waited.cancel("timed out"));
          try {
            yield* waited;
          } catch (error) {
            noteSuperseded(trace, waited, error);
            // Swallow only the cancellation we caused, as asyncio.timeout does.
            if (!(error instanceof CancelledError) || (asyncio.currentTask()?.cancelling() ?? 0) > 0) throw error;
          } finally {
            timer.cancel();
          }
          break;
        }
        case "fail":
          fail(trace, id);
          break;
        case "callback":
          schedule(trace, loop, step, id);
          break;
      }
    }
  } finally {
    trace.live.delete(id);
  }
}

/**
 * As in CPython, when a Task is cancelled just as the Future it awaits
 * fails, the Task raises CancelledError and the Future's exception is
 * dropped (Task.step replaces it). That is asyncio's semantics, not a lost
 * task, so such errors are noted and excused below.
 */
function noteSuperseded(trace: Trace, future: asyncio.Future<unknown>, error: unknown): void {
  if (error instanceof CancelledError && future.done() && !future.cancelled()) trace.superseded.push(...flatten(future.exception()));
}

function* callFromAio(trace: Trace, node: Node): asyncio.Coroutine<void> {
  if (node.flavour === "aio") {
    yield* runAio(trace, node);
  } else {
    const future = trioAsAio(runTrio)(trace, node);
    trace.futures.push(future);
    try {
      yield* future;
    } catch (error) {
      noteSuperseded(trace, future, error);
      throw error;
    }
  }
}

function flatten(error: unknown, into: unknown[] = []): unknown[] {
  into.push(error);
  if (error instanceof AggregateError) for (const e of error.errors) flatten(e, into);
  if (error instanceof Error && error.cause !== undefined) flatten(error.cause, into);
  return into;
}

/**
 * Runs `root` in an openLoop block. `budget` is the loop's internal time
 * budget per host step (real seconds): 0 makes the loop yield to Trio at
 * each of its looks at the clock, every 4 callbacks, even in the middle of
 * an iteration: the most interleaved schedule, and one that does not depend
 * on the machine's speed.
 */
async function execute(root: Node, budget?: number) {
  const trace = newTrace();
  const options = (budget === undefined ? {} : { budget }) as Parameters<typeof openLoop>[1];
  const kept = await runKeep(() =>
    openLoop(function* (loop) {
      trace.loop = loop;
      yield* callFromTrio(trace, root);
    }, options),
  );
  return { trace, kept };
}

function checkRun(trace: Trace, kept: Awaited<ReturnType<typeof runKeep>>): void {
  expect(trace.violations).toEqual([]);
  expect([...trace.live], "nodes that started but never exited").toEqual([]);
  expect(trace.started).toBe(trace.nextId - 1);
  expect(trace.futures.filter((f) => !f.done()).map(String)).toEqual([]);
  expect(trace.soonRan).toBe(trace.soonScheduled);
  expect(trace.loop!.isClosed()).toBe(true);
  if (trace.thrown.length === 0) {
    expect(kept.ok, `unexpected failure: ${String(kept.value)}`).toBe(true);
  } else {
    const reported = kept.ok ? [] : flatten(kept.value);
    for (const error of trace.thrown) {
      if (!trace.superseded.includes(error)) expect(reported, `${error.message} vanished`).toContain(error);
    }
    if (!kept.ok) expect(kept.value).toBeInstanceOf(ExceptionGroup);
  }
  expectNoLeftovers(kept.runner);
}

// ---- properties ------------------------------------------------------------------

describe("property: programs mixing Trio and asyncio", () => {
  const programs = nodeArb(3);

  it("no task or callback is lost, every Future ends, nothing runs after its loop closed, no error vanishes", async () => {
    await fc.assert(
      fc.asyncProperty(programs, async (root) => {
        const { trace, kept } = await execute(root);
        checkRun(trace, kept);
      }),
      { seed: 20240611, numRuns: 300 },
    );
  });

  it("the same holds when the loop yields to Trio after every iteration", async () => {
    await fc.assert(
      fc.asyncProperty(programs, async (root) => {
        const { trace, kept } = await execute(root, 0);
        checkRun(trace, kept);
      }),
      { seed: 20240611, numRuns: 400 },
    );
  });

  it("cancelling the whole block from outside at a random time still ends everything cleanly", async () => {
    await fc.assert(
      fc.asyncProperty(programs, delay, async (root, at) => {
        const trace = newTrace();
        const kept = await runKeep(() =>
          moveOnAfter(at, () =>
            openLoop(function* (loop) {
              trace.loop = loop;
              yield* callFromTrio(trace, root);
            }),
          ),
        );
        expect(trace.violations).toEqual([]);
        expect([...trace.live]).toEqual([]);
        expect(trace.futures.filter((f) => !f.done()).map(String)).toEqual([]);
        expect(trace.soonRan).toBe(trace.soonScheduled);
        if (trace.thrown.length === 0) {
          expect(kept.ok, `unexpected failure: ${String(kept.value)}`).toBe(true);
        } else {
          const reported = kept.ok ? [] : flatten(kept.value);
          for (const error of trace.thrown) {
            if (!trace.superseded.includes(error)) expect(reported, `${error.message} vanished`).toContain(error);
          }
        }
        expectNoLeftovers(kept.runner);
      }),
      { seed: 77, numRuns: 200 },
    );
  });
});

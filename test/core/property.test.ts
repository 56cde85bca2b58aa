/**
 * Property tests: random trees of nurseries, cancel scopes (with deadlines,
 * shields, and cancellation at random times), Task.cancel(), sleeps,
 * checkpoints, start(), caught errors, shielded cleanup
 * and errors, run on an autojumping MockClock. Each property runs 300
 * seeded programs, so a failure reproduces (fast-check prints the seed and
 * the shrunk program).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  Cancelled,
  CancelScope,
  ExceptionGroup,
  checkpoint,
  currentRun,
  currentTask,
  currentTime,
  openNursery,
  runWith,
  sleep,
  type Operation,
  type Runner,
  type Task,
  type TaskStatus,
} from "../../src/core/index.js";
import { MockClock } from "../../src/testing/index.js";
import { DeadlineEntry, DeadlineHeap, isPending } from "../../src/core/deadlines.js";
import { leftovers } from "../../src/core/runner.js";

// ---- program shape ---------------------------------------------------------

type Step =
  | { k: "sleep"; t: number }
  | { k: "cp" }
  | { k: "throw"; id?: number }
  | { k: "scope"; shield: boolean; deadline: number | null; cancelAt: number | null; body: Step[]; id?: number }
  | { k: "nursery"; children: Child[]; body: Step[]; id?: number }
  /** try { body } catch: absorbs every error except Cancelled, which it rethrows. */
  | { k: "catch"; body: Step[] }
  /** try { body } finally { shielded sleep(t) }: cleanup that waits while cancelled. */
  | { k: "cleanup"; t: number; body: Step[] };

interface Child {
  start: boolean;
  /** When to call Task.cancel() on it (absolute time), if ever. */
  cancelAt: number | null;
  prefix: Step[];
  body: Step[];
  id?: number;
}

interface Flavour {
  throws: boolean;
  cancels: boolean;
  shields: boolean;
}

function programArb(f: Flavour): fc.Arbitrary<Step[]> {
  const time = fc.integer({ min: 0, max: 20 });
  const { steps } = fc.letrec<{ step: Step; steps: Step[]; child: Child }>((tie) => {
    const leaves: fc.WeightedArbitrary<Step>[] = [
      { arbitrary: time.map((t): Step => ({ k: "sleep", t })), weight: 4 },
      { arbitrary: fc.constant<Step>({ k: "cp" }), weight: 2 },
    ];
    if (f.throws) leaves.push({ arbitrary: fc.constant<Step>({ k: "throw" }), weight: 1 });
    const scope = fc.record({
      k: fc.constant("scope" as const),
      shield: f.shields ? fc.boolean() : fc.constant(false),
      deadline: f.cancels ? fc.option(fc.integer({ min: 0, max: 30 })) : fc.constant(null),
      cancelAt: f.cancels ? fc.option(fc.integer({ min: 0, max: 40 })) : fc.constant(null),
      body: tie("steps") as fc.Arbitrary<Step[]>,
    });
    const nursery = fc.record({
      k: fc.constant("nursery" as const),
      children: fc.array(tie("child") as fc.Arbitrary<Child>, { maxLength: 3 }),
      body: tie("steps") as fc.Arbitrary<Step[]>,
    });
    const nodes: fc.WeightedArbitrary<Step>[] = [
      { arbitrary: scope, weight: 2 },
      { arbitrary: nursery, weight: 2 },
    ];
    if (f.throws) {
      nodes.push({ arbitrary: fc.record({ k: fc.constant("catch" as const), body: tie("steps") as fc.Arbitrary<Step[]> }), weight: 1 });
    }
    if (f.shields) {
      nodes.push({
        arbitrary: fc.record({ k: fc.constant("cleanup" as const), t: fc.integer({ min: 0, max: 5 }), body: tie("steps") as fc.Arbitrary<Step[]> }),
        weight: 1,
      });
    }
    return {
      step: fc.oneof({ maxDepth: 4, depthIdentifier: "tree" }, fc.oneof(...leaves), ...nodes) as fc.Arbitrary<Step>,
      steps: fc.array(tie("step") as fc.Arbitrary<Step>, { maxLength: 4, depthIdentifier: "tree" }),
      child: fc.record({
        start: fc.boolean(),
        cancelAt: f.cancels ? fc.option(fc.integer({ min: 0, max: 40 }), { freq: 4 }) : fc.constant(null),
        prefix: tie("steps") as fc.Arbitrary<Step[]>,
        body: tie("steps") as fc.Arbitrary<Step[]>,
      }),
    };
  });
  // Fresh objects with unique ids for every node that needs one.
  return steps.map((program) => {
    // A JSON copy: fc.constant() hands out shared objects, which structuredClone would keep shared.
    const copy = JSON.parse(JSON.stringify(program)) as Step[];
    let next = 1;
    const number = (list: Step[]): void => {
      for (const s of list) {
        if (s.k === "throw") s.id = next++;
        else if (s.k === "catch" || s.k === "cleanup") number(s.body);
        else if (s.k === "scope") {
          s.id = next++;
          number(s.body);
        } else if (s.k === "nursery") {
          s.id = next++;
          for (const c of s.children) {
            c.id = next++;
            number(c.prefix);
            number(c.body);
          }
          number(s.body);
        }
      }
    };
    number(copy);
    return copy;
  });
}

// ---- interpreter -------------------------------------------------------------

interface Trace {
  log: string[];
  finallyCount: Map<number, number>;
  entered: Set<number>;
  thrown: Set<string>;
  /** errors absorbed by catch nodes */
  absorbed: string[];
  scopes: Map<number, CancelScope>;
  cancels: { id: number; at: number }[];
  /** Task.cancel() calls to make: child id -> time */
  taskCancels: { id: number; at: number }[];
  /** child id -> its task, once it may be cancelled with Task.cancel() */
  tasks: Map<number, Task>;
  /** child task id -> nursery id */
  parentOf: Map<number, number>;
  /** scope id -> [entry time, exit time] */
  scopeTimes: Map<number, [number, number]>;
}

function newTrace(program: Step[]): Trace {
  const trace: Trace = {
    log: [],
    finallyCount: new Map(),
    entered: new Set(),
    thrown: new Set(),
    absorbed: [],
    scopes: new Map(),
    cancels: [],
    taskCancels: [],
    tasks: new Map(),
    parentOf: new Map(),
    scopeTimes: new Map(),
  };
  const visit = (list: Step[]): void => {
    for (const s of list) {
      if (s.k === "scope") {
        trace.scopes.set(s.id!, new CancelScope({ shield: s.shield, ...(s.deadline === null ? {} : { relativeDeadline: s.deadline }) }));
        if (s.cancelAt !== null) trace.cancels.push({ id: s.id!, at: s.cancelAt });
        visit(s.body);
      } else if (s.k === "catch" || s.k === "cleanup") {
        visit(s.body);
      } else if (s.k === "nursery") {
        for (const c of s.children) {
          trace.parentOf.set(c.id!, s.id!);
          if (c.cancelAt !== null) trace.taskCancels.push({ id: c.id!, at: c.cancelAt });
          visit(c.prefix);
          visit(c.body);
        }
        visit(s.body);
      }
    }
  };
  visit(program);
  return trace;
}

function ranFinally(trace: Trace, id: number): void {
  trace.finallyCount.set(id, (trace.finallyCount.get(id) ?? 0) + 1);
}

function* runSteps(steps: Step[], trace: Trace): Operation<void> {
  for (const s of steps) yield* runStep(s, trace);
}

function* runStep(s: Step, trace: Trace): Operation<void> {
  switch (s.k) {
    case "sleep":
      yield* sleep(s.t);
      return;
    case "cp":
      yield* checkpoint();
      return;
    case "throw":
      trace.thrown.add(`E${s.id}`);
      throw new Error(`E${s.id}`);
    case "catch":
      try {
        yield* runSteps(s.body, trace);
      } catch (error) {
        if (error instanceof Cancelled) throw error;
        if (error instanceof ExceptionGroup) {
          const [cancelled, rest] = error.split(Cancelled);
          if (rest !== undefined) for (const e of rest.leaves()) trace.absorbed.push((e as Error).message);
          if (cancelled !== undefined) throw cancelled;
          return;
        }
        trace.absorbed.push((error as Error).message);
      }
      return;
    case "cleanup":
      try {
        yield* runSteps(s.body, trace);
      } finally {
        yield* new CancelScope({ shield: true }).run(() => sleep(s.t));
      }
      return;
    case "scope": {
      const id = s.id!;
      trace.entered.add(id);
      const entry = currentTime();
      try {
        yield* trace.scopes.get(id)!.run(() => runSteps(s.body, trace));
      } finally {
        trace.scopeTimes.set(id, [entry, currentTime()]);
        ranFinally(trace, id);
      }
      return;
    }
    case "nursery": {
      const id = s.id!;
      trace.entered.add(id);
      try {
        yield* openNursery(function* (n) {
          for (const c of s.children) {
            if (c.start) yield* n.start(startedChild, c, trace);
            else n.startSoon(child, c, trace);
          }
          yield* runSteps(s.body, trace);
        });
      } finally {
        trace.log.push(`nursery-exit:${id}@${currentTime()}`);
        ranFinally(trace, id);
      }
      return;
    }
  }
}

function* child(c: Child, trace: Trace): Operation<void> {
  trace.entered.add(c.id!);
  trace.tasks.set(c.id!, currentTask());
  trace.log.push(`task-start:${c.id}@${currentTime()}`);
  try {
    yield* runSteps(c.prefix, trace);
    yield* runSteps(c.body, trace);
  } finally {
    trace.log.push(`task-end:${c.id}@${currentTime()}`);
    ranFinally(trace, c.id!);
  }
}

function* startedChild(c: Child, trace: Trace, status: TaskStatus): Operation<void> {
  trace.entered.add(c.id!);
  trace.log.push(`task-start:${c.id}@${currentTime()}`);
  try {
    yield* runSteps(c.prefix, trace);
    status.started();
    // Only now: a start() child cancelled by Task.cancel() before started() makes start() raise a RuntimeError.
    trace.tasks.set(c.id!, currentTask());
    yield* runSteps(c.body, trace);
  } finally {
    trace.log.push(`task-end:${c.id}@${currentTime()}`);
    ranFinally(trace, c.id!);
  }
}

interface Outcome {
  trace: Trace;
  runner: Runner;
  ok: boolean;
  value: unknown;
  endTime: number;
}

async function execute(program: Step[]): Promise<Outcome> {
  const trace = newTrace(program);
  let runner: Runner | null = null;
  let endTime = NaN;
  const clock = new MockClock({ autojumpThreshold: 0 });
  let ok = true;
  let value: unknown;
  let hangTimer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_res, reject) => {
    hangTimer = setTimeout(() => reject(new Error(`HANG: the run did not finish: ${JSON.stringify(program)}`)), 2000);
  });
  try {
    value = await Promise.race([hang, runWith({ clock }, function* () {
      runner = currentRun();
      try {
        yield* openNursery(function* (root) {
          for (const { id, at } of trace.cancels) {
            root.startSoon(function* () {
              yield* sleep(at);
              trace.scopes.get(id)!.cancel("random cancel");
            });
          }
          for (const { id, at } of trace.taskCancels) {
            root.startSoon(function* () {
              yield* sleep(at);
              trace.tasks.get(id)?.cancel("random task cancel");
            });
          }
          yield* runSteps(program, trace);
        });
      } finally {
        endTime = currentTime();
      }
    })]);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("HANG")) throw error;
    ok = false;
    value = error;
  } finally {
    clearTimeout(hangTimer);
  }
  return { trace, runner: runner!, ok, value, endTime };
}

function leavesOf(error: unknown): unknown[] {
  return error instanceof ExceptionGroup ? error.leaves() : [error];
}

// PROP_RUNS / PROP_SEED widen the search locally; the defaults keep CI fast and reproducible.
const RUNS = Number(process.env.PROP_RUNS ?? 300);
const config = (seed: number) => ({ numRuns: RUNS, seed: Number(process.env.PROP_SEED ?? seed) });
const LONG = 600_000;

// ---- properties ----------------------------------------------------------------

describe("property: random task trees", () => {
  const everything = programArb({ throws: true, cancels: true, shields: true });

  it("every task ends, every finally runs exactly once, no task outlives its nursery, nothing is left over", async () => {
    await fc.assert(
      fc.asyncProperty(everything, async (program) => {
        const { trace, runner } = await execute(program);
        for (const id of trace.entered) expect(trace.finallyCount.get(id), `finally of node ${id}`).toBe(1);
        for (const [id, count] of trace.finallyCount) {
          expect(trace.entered.has(id)).toBe(true);
          expect(count).toBe(1);
        }
        const index = (prefix: string) => trace.log.findIndex((e) => e.startsWith(prefix));
        for (const [childId, nurseryId] of trace.parentOf) {
          if (!trace.entered.has(childId)) continue;
          const end = index(`task-end:${childId}@`);
          expect(end, `task ${childId} ended`).toBeGreaterThanOrEqual(0);
          const exit = index(`nursery-exit:${nurseryId}@`);
          expect(exit, `nursery ${nurseryId} exited`).toBeGreaterThan(end);
        }
        expect(leftovers(runner)).toEqual({ tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 });
      }),
      config(20240601),
    );
  }, LONG);

  it("errors are never lost and Cancelled never escapes the run", async () => {
    await fc.assert(
      fc.asyncProperty(everything, async (program) => {
        const { trace, ok, value } = await execute(program);
        if (trace.thrown.size === trace.absorbed.length) {
          expect(ok, `run rejected with ${String(value)}`).toBe(true);
          expect(new Set(trace.absorbed)).toEqual(trace.thrown);
          return;
        }
        expect(ok).toBe(false);
        expect(value).not.toBeInstanceOf(Cancelled);
        const leaves = leavesOf(value);
        for (const leaf of leaves) {
          expect(leaf).not.toBeInstanceOf(Cancelled);
          expect(leaf).toBeInstanceOf(Error);
        }
        const messages = [...leaves.map((e) => (e as Error).message), ...trace.absorbed];
        expect(new Set(messages).size).toBe(messages.length);
        expect(new Set(messages)).toEqual(trace.thrown);
      }),
      config(777),
    );
  }, LONG);

  it("runs are deterministic on the mock clock", async () => {
    await fc.assert(
      fc.asyncProperty(everything, async (program) => {
        const a = await execute(program);
        const b = await execute(program);
        expect(b.trace.log).toEqual(a.trace.log);
        expect(b.endTime).toBe(a.endTime);
        expect(b.ok).toBe(a.ok);
      }),
      config(4242),
    );
  }, LONG);

  it("without cancellation, a nursery lasts exactly as long as its longest branch", async () => {
    const calm = programArb({ throws: false, cancels: false, shields: true });
    // Expected end time of `steps` started at `t0`.
    const endOf = (steps: Step[], t0: number): number => {
      let t = t0;
      for (const s of steps) {
        if (s.k === "sleep") t += s.t;
        else if (s.k === "scope" || s.k === "catch") t = endOf(s.body, t);
        else if (s.k === "cleanup") t = endOf(s.body, t) + s.t;
        else if (s.k === "nursery") {
          let latest = t;
          for (const c of s.children) {
            const ready = endOf(c.prefix, t);
            latest = Math.max(latest, endOf(c.body, ready));
            if (c.start) t = ready;
          }
          t = Math.max(latest, endOf(s.body, t));
        }
      }
      return t;
    };
    await fc.assert(
      fc.asyncProperty(calm, async (program) => {
        const { ok, value, endTime } = await execute(program);
        expect(ok, String(value)).toBe(true);
        expect(endTime).toBe(endOf(program, 0));
      }),
      config(99),
    );
  }, LONG);

  it("without shields, a cancelled scope is left no later than its deadline or cancel time", async () => {
    const unshielded = programArb({ throws: true, cancels: true, shields: false });
    await fc.assert(
      fc.asyncProperty(unshielded, async (program) => {
        const { trace } = await execute(program);
        const cancelAt = new Map(trace.cancels.map((c) => [c.id, c.at]));
        for (const [id, [entry, exit]] of trace.scopeTimes) {
          const scope = trace.scopes.get(id)!;
          const deadline = scope.deadline; // absolute once entered
          const cancelTime = cancelAt.get(id) ?? Infinity;
          const bound = Math.max(entry, Math.min(deadline, cancelTime));
          expect(exit, `scope ${id} entered at ${entry}`).toBeLessThanOrEqual(bound);
          if (scope.cancelledCaught) expect(scope.cancelCalled).toBe(true);
        }
      }),
      config(31337),
    );
  }, LONG);
});

describe("property: data structures", () => {
  class Entry extends DeadlineEntry {
    constructor(readonly n: number) {
      super();
    }
    expire(): void {}
  }

  it("the deadline heap pops in (deadline, insertion) order and removes exactly", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("set" as const), entry: fc.integer({ min: 0, max: 15 }), deadline: fc.integer({ min: 0, max: 50 }) }),
      fc.record({ kind: fc.constant("remove" as const), entry: fc.integer({ min: 0, max: 15 }) }),
      fc.record({ kind: fc.constant("pop" as const), now: fc.integer({ min: 0, max: 50 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const heap = new DeadlineHeap();
        const entries = Array.from({ length: 16 }, (_, i) => new Entry(i));
        // The model: entry -> [deadline, seq] for entries in the heap.
        const model = new Map<number, [number, number]>();
        let seq = 0;
        for (const o of ops) {
          if (o.kind === "set") {
            heap.set(entries[o.entry]!, o.deadline);
            model.set(o.entry, [o.deadline, seq++]);
          } else if (o.kind === "remove") {
            heap.remove(entries[o.entry]!);
            model.delete(o.entry);
          } else {
            const popped: number[] = [];
            for (let e = heap.popExpired(o.now); e !== undefined; e = heap.popExpired(o.now)) popped.push((e as Entry).n);
            const expected = [...model.entries()]
              .filter(([, [d]]) => d <= o.now)
              .sort((a, b) => a[1][0] - b[1][0] || a[1][1] - b[1][1])
              .map(([n]) => n);
            expect(popped).toEqual(expected);
            for (const n of expected) model.delete(n);
          }
          expect(heap.size).toBe(model.size);
          const min = Math.min(...[...model.values()].map(([d]) => d));
          expect(heap.earliest()).toBe(model.size === 0 ? Infinity : min);
          for (const [i, e] of entries.entries()) expect(isPending(e)).toBe(model.has(i));
        }
      }),
      { numRuns: 300, seed: 5150 },
    );
  });

  it("ExceptionGroup.split partitions the leaves and keeps the nesting", () => {
    type Tree = number | Tree[];
    const { tree } = fc.letrec<{ tree: Tree[] }>((tie) => ({
      tree: fc.array(fc.oneof({ maxDepth: 3, depthIdentifier: "eg" }, fc.integer({ min: 0, max: 99 }), tie("tree") as fc.Arbitrary<Tree>), {
        minLength: 1,
        maxLength: 4,
        depthIdentifier: "eg",
      }),
    }));
    const build = (t: Tree[]): ExceptionGroup =>
      new ExceptionGroup(
        "g",
        t.map((x) => (typeof x === "number" ? Object.assign(new Error(String(x)), { n: x }) : build(x))),
      );
    fc.assert(
      fc.property(tree, fc.integer({ min: 1, max: 5 }), (t, mod) => {
        const g = build(t);
        const isMatch = (e: unknown) => e instanceof Error && !(e instanceof ExceptionGroup) && Number(e.message) % mod === 0;
        const [match, rest] = g.split(isMatch);
        const all = g.leaves().map((e) => (e as Error).message).sort();
        const m = match?.leaves() ?? [];
        const r = rest?.leaves() ?? [];
        expect([...m, ...r].map((e) => (e as Error).message).sort()).toEqual(all);
        for (const e of m) expect(isMatch(e)).toBe(true);
        for (const e of r) expect(isMatch(e)).toBe(false);
        // No empty groups are left in either half.
        const noEmpty = (x: ExceptionGroup | undefined): void => {
          if (x === undefined) return;
          expect(x.exceptions.length).toBeGreaterThan(0);
          for (const e of x.exceptions) if (e instanceof ExceptionGroup) noEmpty(e);
        };
        noEmpty(match);
        noEmpty(rest);
        expect(match?.subgroup(isMatch)?.leaves().length ?? 0).toBe(m.length);
      }),
      { numRuns: 300, seed: 8086 },
    );
  });
});

/**
 * Runs a primitives program (program.ts) on our runtime, on an autojumping
 * MockClock, and reports its Outcome: the same shape that
 * scripts/differential/trio-sync/interp.py reports for Trio.
 */
import {
  CancelScope,
  Cancelled,
  CapacityLimiter,
  Condition,
  Event,
  ExceptionGroup,
  Lock,
  Semaphore,
  currentRun,
  failAfter,
  moveOnAfter,
  openMemoryChannel,
  openNursery,
  runWith,
  sleep,
  type MemoryReceiveChannel,
  type MemorySendChannel,
  type Nursery,
  type Operation,
  type Runner,
  type TaskStatus,
} from "../../../src/index.js";
import { MockClock } from "../../../src/testing/index.js";
import type { Op, Program, Stmt } from "./program.js";

/** What a run did. `log` is sorted by (time, task), each task's own entries in order. */
export interface Outcome {
  log: [number, string, string][];
  /** "ok", or the canonical form of what the run raised (see `canon`). */
  result: string;
  endTime: number;
  /** Two timers (a sleep's end, a deadline) fell on one instant: the outcome may depend on Trio's random batch order. */
  ambiguous: boolean;
}

/** After this long (virtual) a run is stopped: a program may deadlock. */
export const GLOBAL_DEADLINE = 5000;

/** Ways to break the translation on purpose (for the test's meta-checks). */
export type Mutation = "none" | "fail-as-move" | "nowait-blocks";

export class ModelError extends Error {
  constructor(readonly id: number) {
    super(`model error #${id}`);
  }
}

/** Trio's name for each of our error classes that differs. */
const NAMES: Record<string, string> = { RangeError: "ValueError" };

/**
 * An order-insensitive rendering of an error: a group is its sorted
 * members; a group of Cancelled only is "Cancelled" (docs/semantics.md,
 * "Nurseries and errors", rule 6: ours raises a plain Cancelled there).
 */
export function canon(e: unknown): string {
  if (e instanceof ExceptionGroup) {
    if (e.leaves().every((x) => x instanceof Cancelled)) return "Cancelled";
    return `G(${(e.exceptions as unknown[]).map(canon).sort().join(",")})`;
  }
  if (e instanceof ModelError) return `E${e.id}`;
  if (e instanceof Cancelled) return "Cancelled";
  const name = e instanceof Error ? e.constructor.name : typeof e;
  return NAMES[name] ?? name;
}

const onlyCancelled = (e: unknown): boolean =>
  e instanceof Cancelled || (e instanceof ExceptionGroup && e.leaves().every((x) => x instanceof Cancelled));

interface Ctx {
  task: string;
  status: TaskStatus<number> | null;
}

export async function runRuntime(program: Program, mutate: Mutation = "none"): Promise<{ outcome: Outcome; runner: Runner }> {
  const clock = new MockClock({ autojumpThreshold: 0 });
  const entries: { t: number; task: string; seq: number; text: string }[] = [];
  const timers: number[] = [];
  const scopes = new Map<number, CancelScope>();
  const nurseries = new Map<number, Nursery>();
  const [s0, r0] = openMemoryChannel<number>(program.buffer);
  const sends: (MemorySendChannel<number> | null)[] = [s0, null, null];
  const receives: (MemoryReceiveChannel<number> | null)[] = [r0, null, null];
  const events = [new Event(), new Event()];
  const locks = [new Lock(), new Lock()];
  const sem = new Semaphore(program.sem[0], program.sem[1] === null ? {} : { maxValue: program.sem[1] });
  const limiter = new CapacityLimiter(program.tokens);
  const cond = new Condition();
  const borrowers = ["b0", "b1"];
  let seq = 0;
  const now = (): number => clock.currentTime();
  const log = (ctx: Ctx, text: string): void => {
    entries.push({ t: now(), task: ctx.task, seq: seq++, text });
  };

  function* block(list: readonly Stmt[], ctx: Ctx): Operation<void> {
    for (const s of list) yield* stmt(s, ctx);
  }

  function* op(o: Op, id: number): Operation<string> {
    if (mutate === "nowait-blocks" && "nowait" in o) o = { ...o, nowait: false };
    switch (o.o) {
      case "send": {
        const h = sends[o.slot];
        if (!h) return "none";
        if (o.nowait) h.sendNowait(id);
        else yield* h.send(id);
        return "ok";
      }
      case "receive": {
        const h = receives[o.slot];
        if (!h) return "none";
        return `ok ${o.nowait ? h.receiveNowait() : yield* h.receive()}`;
      }
      case "closeSend":
        if (!sends[o.slot]) return "none";
        sends[o.slot]!.close();
        return "ok";
      case "closeReceive":
        if (!receives[o.slot]) return "none";
        receives[o.slot]!.close();
        return "ok";
      case "cloneSend":
        if (!sends[o.slot]) return "none";
        sends[o.into] = sends[o.slot]!.clone();
        return "ok";
      case "cloneReceive":
        if (!receives[o.slot]) return "none";
        receives[o.into] = receives[o.slot]!.clone();
        return "ok";
      case "set":
        events[o.ev]!.set();
        return "ok";
      case "wait":
        yield* events[o.ev]!.wait();
        return "ok";
      case "acquire":
        if (o.nowait) locks[o.lock]!.acquireNowait();
        else yield* locks[o.lock]!.acquire();
        return "ok";
      case "release":
        locks[o.lock]!.release();
        return "ok";
      case "semAcquire":
        if (o.nowait) sem.acquireNowait();
        else yield* sem.acquire();
        return `ok value=${sem.value}`;
      case "semRelease":
        sem.release();
        return `ok value=${sem.value}`;
      case "limAcquire":
        if (o.borrower === null) {
          if (o.nowait) limiter.acquireNowait();
          else yield* limiter.acquire();
        } else if (o.nowait) limiter.acquireOnBehalfOfNowait(borrowers[o.borrower]);
        else yield* limiter.acquireOnBehalfOf(borrowers[o.borrower]);
        return `ok borrowed=${limiter.borrowedTokens} available=${limiter.availableTokens}`;
      case "limRelease":
        if (o.borrower === null) limiter.release();
        else limiter.releaseOnBehalfOf(borrowers[o.borrower]);
        return `ok borrowed=${limiter.borrowedTokens} available=${limiter.availableTokens}`;
      case "limTotal":
        limiter.totalTokens = o.n;
        return `ok borrowed=${limiter.borrowedTokens} available=${limiter.availableTokens}`;
      case "condWait":
        yield* cond.wait();
        return "ok";
      case "condNotify":
        if (o.n === null) cond.notifyAll();
        else cond.notify(o.n);
        return "ok";
    }
  }

  function* stmt(s: Stmt, ctx: Ctx): Operation<void> {
    switch (s.k) {
      case "sleep":
        timers.push(now() + s.d);
        yield* sleep(s.d);
        return;
      case "raise":
        throw new ModelError(s.id);
      case "cancel":
        scopes.get(s.target)!.cancel("model");
        return;
      case "scope": {
        if (s.deadline !== null) timers.push(now() + s.deadline);
        const scope = new CancelScope({ shield: s.shield, ...(s.deadline === null ? {} : { relativeDeadline: s.deadline }) });
        scopes.set(s.id, scope);
        try {
          yield* scope.run(() => block(s.body, ctx));
        } finally {
          log(ctx, `scope#${s.id} caught=${scope.cancelledCaught}`);
        }
        return;
      }
      case "timeout": {
        timers.push(now() + s.d);
        let scope: CancelScope | null = null;
        try {
          yield* (s.fail && mutate !== "fail-as-move" ? failAfter : moveOnAfter)(s.d, (sc) => {
            scope = sc;
            return block(s.body, ctx);
          });
        } finally {
          log(ctx, `timeout#${s.id} caught=${scope === null ? "none" : (scope as CancelScope).cancelledCaught}`);
        }
        return;
      }
      case "nursery":
        yield* openNursery(function* (n) {
          nurseries.set(s.id, n);
          s.children.forEach((child, i) => n.startSoon(block, child, { task: `n${s.id}.${i}`, status: null }));
          yield* block(s.body, ctx);
        });
        return;
      case "start": {
        const target = nurseries.get(s.nursery)!;
        try {
          const v = yield* target.start(function* (status: TaskStatus<number>) {
            yield* block(s.body, { task: `s${s.id}`, status });
          });
          log(ctx, `start#${s.id} -> ${v}`);
        } catch (e) {
          log(ctx, `start#${s.id} err ${canon(e)}`);
          throw e;
        }
        return;
      }
      case "started":
        try {
          ctx.status!.started(s.id);
          log(ctx, `started#${s.id} ok`);
        } catch (e) {
          log(ctx, `started#${s.id} err ${canon(e)}`);
          throw e;
        }
        return;
      case "try":
        try {
          yield* block(s.body, ctx);
        } finally {
          log(ctx, `try#${s.id} finally`);
          yield* block(s.fin, ctx);
        }
        return;
      case "catch":
        try {
          yield* block(s.body, ctx);
        } catch (e) {
          if (onlyCancelled(e)) throw e;
          log(ctx, `catch#${s.id} ${canon(e)}`);
        }
        return;
      case "with": {
        // A generator function: withLock calls it before acquiring, so the log must wait for the first step.
        const body = function* (): Operation<void> {
          log(ctx, `with#${s.id} in`);
          yield* block(s.body, ctx);
        };
        if (s.lock === 2) yield* cond.withLock(body);
        else yield* locks[s.lock]!.withLock(body);
        return;
      }
      case "op": {
        let text: string;
        try {
          text = yield* op(s.op, s.id);
        } catch (e) {
          log(ctx, `op#${s.id} err ${canon(e)}`);
          if (s.swallow && !onlyCancelled(e)) return;
          throw e;
        }
        log(ctx, `op#${s.id} ${text}`);
        return;
      }
    }
  }

  let runner: Runner | null = null;
  let result = "ok";
  try {
    await runWith({ clock }, function* () {
      runner = currentRun();
      const ctx: Ctx = { task: "m", status: null };
      timers.push(GLOBAL_DEADLINE);
      const global = new CancelScope({ deadline: GLOBAL_DEADLINE });
      yield* global.run(() => block(program.main, ctx));
      if (global.cancelledCaught) log(ctx, "deadlocked");
    });
  } catch (e) {
    result = canon(e);
    const stray = (e instanceof ExceptionGroup ? e.leaves() : [e]).find((x) => !(x instanceof Error));
    if (stray !== undefined) throw stray;
  }
  entries.sort((a, b) => a.t - b.t || (a.task < b.task ? -1 : a.task > b.task ? 1 : a.seq - b.seq));
  const sorted = [...timers].sort((a, b) => a - b);
  const ambiguous = sorted.some((t, i) => i > 0 && t === sorted[i - 1]);
  return { outcome: { log: entries.map((e) => [e.t, e.task, e.text]), result, endTime: clock.currentTime(), ambiguous }, runner: runner! };
}

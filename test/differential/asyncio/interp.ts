/**
 * Runs a differential program (./dsl.ts) on our asyncio layer and returns
 * its log, line for line in the format of scripts/differential/asyncio/interp.py.
 * The loop runs in an openLoop block on an autojumping MockClock, so time is
 * virtual and the run is deterministic.
 */
import { runWith, ExceptionGroup } from "../../../src/core/index.js";
import { aioAsTrio, openLoop } from "../../../src/bridge/index.js";
import {
  CancelledError,
  Event,
  Queue,
  TaskGroup,
  TimeoutError,
  currentTask,
  gather,
  getRunningLoop,
  shield,
  sleep,
  timeout,
  waitFor,
  type Coroutine,
  type EventLoop,
  type Future,
  type Task,
} from "../../../src/asyncio/index.js";
import { MockClock } from "../../../src/testing/index.js";
import type { Block, LogLine, Program, Stmt } from "./dsl.js";

/** The error a `raise` statement throws (Python's `Err(id)`). */
class Err extends Error {
  constructor(readonly ident: number) {
    super(`E${ident}`);
  }
}

function descExc(e: unknown): string {
  if (e instanceof Err) return `E${e.ident}`;
  if (e instanceof CancelledError) return e.message === "" ? "C" : `C:${e.message}`;
  if (e instanceof TimeoutError) return "T";
  if (e instanceof ExceptionGroup) return `G[${e.exceptions.map(descExc).join(",")}]`;
  if (e instanceof Error) return e.name;
  return `?${String(e)}`;
}

function descVal(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(descVal);
  if (v instanceof Error) return `!${descExc(v)}`;
  return v === undefined ? null : v;
}

class Interp {
  readonly log: LogLine[] = [];
  readonly tasks = new Map<string, Task<unknown>>();
  readonly events = [new Event(), new Event()];
  readonly queues = [new Queue<number>(), new Queue<number>(1)];
  readonly t0: number;

  constructor(readonly loop: EventLoop) {
    this.t0 = loop.time();
  }

  emit(who: string, ...what: unknown[]): void {
    this.log.push([Math.round((this.loop.time() - this.t0) * 64), who, ...what]);
  }

  spawn(name: string, block: Block): Task<unknown> {
    const t = this.loop.createTask(this.blockTask(name, block));
    this.tasks.set(name, t);
    return t;
  }

  *blockTask(name: string, block: Block): Coroutine<unknown> {
    let r: unknown;
    try {
      r = yield* this.block(block, name);
    } catch (e) {
      this.emit(name, "end", descExc(e));
      throw e;
    }
    this.emit(name, "end", "=", r);
    return r;
  }

  *block(block: Block, who: string): Coroutine<string> {
    for (const st of block.s) yield* this.stmt(st, who);
    return block.r;
  }

  *outcome<T>(who: string, label: string, aw: Coroutine<T> | Future<T>): Coroutine<T> {
    let v: T;
    try {
      v = yield* aw;
    } catch (e) {
      this.emit(who, label, descExc(e));
      throw e;
    }
    this.emit(who, label, "=", descVal(v));
    return v;
  }

  *stmt(st: Stmt, who: string): Coroutine<void> {
    switch (st[0]) {
      case "sleep":
        yield* sleep(st[1] / 64);
        this.emit(who, "slept");
        return;
      case "log":
        this.emit(who, "log", st[1]);
        return;
      case "raise":
        throw new Err(st[1]);
      case "spawn":
        this.spawn(st[1], st[2]);
        return;
      case "cancel": {
        const t = this.tasks.get(st[1]);
        if (t === undefined) return this.emit(who, "cancel", st[1], "missing");
        this.emit(who, "cancel", st[1], st[2] === null ? t.cancel() : t.cancel(st[2]));
        return;
      }
      case "await": {
        const t = this.tasks.get(st[1]);
        if (t === undefined) return this.emit(who, "await", st[1], "missing");
        yield* this.outcome(who, `await ${st[1]}`, t);
        return;
      }
      case "gather": {
        const futs: Future<unknown>[] = [];
        for (const item of st[1]) {
          if (item[0] === "task") {
            const t = this.tasks.get(item[1]);
            if (t !== undefined) futs.push(t);
          } else {
            futs.push(this.spawn(item[1], item[2]));
          }
        }
        yield* this.outcome(who, "gather", gather(...futs, { returnExceptions: st[2] }));
        return;
      }
      case "waitfor":
        yield* this.outcome(who, "waitfor", waitFor(this.block(st[1], who), st[2] / 64));
        return;
      case "shield":
        yield* this.outcome(who, "shield", shield(this.spawn(st[1], st[2])));
        return;
      case "timeout": {
        const body = st[2];
        yield* this.outcome(who, "timeout", timeout(st[1] / 64).run(() => this.block(body, who)));
        return;
      }
      case "tg": {
        const [, kids, body] = st;
        yield* this.outcome(
          who,
          "tg",
          TaskGroup.run((tg) => {
            for (const [name, b] of kids) this.tasks.set(name, tg.createTask(this.blockTask(name, b)));
            return this.block(body, who);
          }),
        );
        return;
      }
      case "evset":
        this.events[st[1]]!.set();
        return;
      case "evwait":
        yield* this.outcome(who, "evwait", this.events[st[1]]!.wait());
        return;
      case "put":
        yield* this.outcome(who, "put", this.queues[st[1]]!.put(st[2]));
        return;
      case "get":
        yield* this.outcome(who, "get", this.queues[st[1]]!.get());
        return;
      case "uncancel":
        this.emit(who, "uncancel", currentTask()!.uncancel());
        return;
      case "cancelling":
        this.emit(who, "cancelling", currentTask()!.cancelling());
        return;
      case "try": {
        const [, body, c, fin] = st;
        try {
          yield* this.block(body, who);
        } catch (e) {
          if (e instanceof CancelledError) {
            // Python's `except CancelledError` (our CancelledError is an Error, docs/asyncio.md difference 10)
            if (c !== "cancel" && c !== "cancel_re") throw e;
            this.emit(who, "caught", descExc(e));
            if (c === "cancel_re") throw e;
          } else {
            // Python's `except Exception`
            if (c !== "exc") throw e;
            this.emit(who, "caught", descExc(e));
          }
        } finally {
          if (fin !== null) yield* this.block(fin, who);
        }
        return;
      }
    }
  }

  *main(prog: Program): Coroutine<void> {
    try {
      const r = yield* this.block(prog.main, "main");
      this.emit("main", "end", "=", r);
    } catch (e) {
      this.emit("main", "end", descExc(e));
    }
    for (const [name, t] of [...this.tasks]) {
      if (!t.done()) this.emit("main", "cancel", name, t.cancel());
    }
    for (const t of [...this.tasks.values()]) {
      try {
        yield* t;
      } catch {
        // retrieved
      }
    }
    this.emit("main", "done");
  }
}

/** Runs `prog` on our layer; rejects if the run hangs for `hangMs` real milliseconds. */
export async function runProgram(prog: Program, hangMs = 5000): Promise<LogLine[]> {
  const clock = new MockClock({ autojumpThreshold: 0 });
  let log: LogLine[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = runWith({ clock }, function* () {
    return yield* openLoop(function* () {
      return yield* aioAsTrio(function* () {
        const interp = new Interp(getRunningLoop());
        log = interp.log;
        yield* interp.main(prog);
      })();
    });
  });
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang; log so far: ${JSON.stringify(log)}`)), hangMs);
  });
  try {
    await Promise.race([run, hang]);
  } finally {
    clearTimeout(timer);
  }
  return log;
}

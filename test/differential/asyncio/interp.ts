/**
 * Runs a differential program (./dsl.ts) on our asyncio layer and returns
 * its log, line for line in the format of scripts/differential/asyncio/interp.py.
 * The loop runs in an openLoop block on an autojumping MockClock, so time is
 * virtual and the run is deterministic.
 */
import { runWith, ExceptionGroup } from "../../../src/core/index.js";
import { aioAsTrio, openLoop } from "../../../src/bridge/index.js";
import {
  ALL_COMPLETED,
  Barrier,
  BoundedSemaphore,
  CancelledError,
  Condition,
  Event,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  LifoQueue,
  Lock,
  PriorityQueue,
  Queue,
  Semaphore,
  TaskGroup,
  TimeoutError,
  currentTask,
  gather,
  getRunningLoop,
  asCompleted,
  shield,
  sleep,
  timeout,
  timeoutAt,
  wait,
  waitFor,
  type Coroutine,
  type TimerHandle,
  type Timeout,
  type EventLoop,
  type Future,
  type Task,
} from "../../../src/asyncio/index.js";
import { MockClock } from "../../../src/testing/index.js";
import type { Action, Block, LogLine, Program, Stmt } from "./dsl.js";

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
  /** Tasks (t*) and plain Futures (f*), by name. */
  readonly tasks = new Map<string, Future<unknown>>();
  readonly handles = new Map<string, TimerHandle>();
  readonly timeouts = new Map<string, Timeout>();
  readonly events = [new Event(), new Event()];
  readonly queues = [new Queue<number>(), new Queue<number>(1), new LifoQueue<number>(), new PriorityQueue<number>(2)];
  readonly sems = [new Semaphore(2), new BoundedSemaphore(1)];
  readonly lock = new Lock();
  readonly cond = new Condition();
  readonly barrier = new Barrier(2);
  /** What `bump` counts, and `condwaitfor` waits for. */
  counter = 0;
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

  /** Logs what `f()` returned (null for nothing), or the name of what it threw. */
  tryLog(who: string, label: string, f: () => unknown): void {
    try {
      this.emit(who, label, "=", descVal(f()));
    } catch (e) {
      this.emit(who, label, descExc(e));
    }
  }

  nameOf(f: Future<unknown>): string {
    for (const [name, t] of this.tasks) if (t === f) return name;
    return "?";
  }

  /** A loop callback: it runs `action` and logs what happened under the handle's name. */
  callback(hname: string, action: Action): () => void {
    return () => {
      switch (action[0]) {
        case "log":
          return this.emit(hname, "cb");
        case "evset":
          this.events[action[1]]!.set();
          return this.emit(hname, "cb");
        case "put": {
          const [, i, v] = action;
          return this.tryLog(hname, "cb", () => this.queues[i]!.putNowait(v));
        }
        default: {
          const f = this.tasks.get(action[1]);
          if (f === undefined) return this.emit(hname, "cb", "missing");
          // Only a Future not yet done is set (setting a done one is an InvalidStateError, reported by the loop's handler)
          if (f.done()) return this.emit(hname, "cb", "done");
          if (action[0] === "setresult") f.setResult(hname);
          else if (action[0] === "setexc") f.setException(new Err(action[2]));
          else f.cancel();
          return this.emit(hname, "cb", action[0]);
        }
      }
    };
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
        const [, d, body, name] = st;
        const cm = timeout(d / 64);
        if (name !== undefined) this.timeouts.set(name, cm);
        yield* this.outcome(who, "timeout", cm.run(() => this.block(body, who)));
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
      case "wait": {
        const [, names, rw, d] = st;
        const fs = names.map((n) => this.tasks.get(n)).filter((f): f is Future<unknown> => f !== undefined);
        const returnWhen = rw === "FC" ? FIRST_COMPLETED : rw === "FE" ? FIRST_EXCEPTION : ALL_COMPLETED;
        let r: [Set<Future<unknown>>, Set<Future<unknown>>];
        try {
          r = yield* wait(fs, { timeout: d === null ? null : d / 64, returnWhen });
        } catch (e) {
          this.emit(who, "wait", descExc(e));
          throw e;
        }
        const names2 = (s: Set<Future<unknown>>) => [...s].map((f) => this.nameOf(f)).sort();
        this.emit(who, "wait", names2(r[0]), names2(r[1]));
        return;
      }
      case "ascompleted": {
        const [, names, d] = st;
        const fs = names.map((n) => this.tasks.get(n)).filter((f): f is Future<unknown> => f !== undefined);
        // Python: for next in as_completed(fs, timeout=d): try: await next / except Exception: log
        for (const next of asCompleted(fs, { timeout: d === null ? null : d / 64 })) {
          try {
            yield* this.outcome(who, "next", next);
          } catch (e) {
            if (e instanceof CancelledError) throw e;
          }
        }
        return;
      }
      case "waitfortask": {
        const t = this.tasks.get(st[1]);
        if (t === undefined) return this.emit(who, "waitfortask", st[1], "missing");
        yield* this.outcome(who, `waitfor ${st[1]}`, waitFor(t, st[2] / 64));
        return;
      }
      case "lock": {
        const body = st[1];
        yield* this.outcome(
          who,
          "lock",
          this.lock.withLock(() => {
            this.emit(who, "locked");
            return this.block(body, who);
          }),
        );
        return;
      }
      case "sem": {
        const [, i, body] = st;
        yield* this.outcome(
          who,
          `sem${i}`,
          this.sems[i]!.withLock(() => {
            this.emit(who, `acquired${i}`);
            return this.block(body, who);
          }),
        );
        return;
      }
      case "semrelease":
        return this.tryLog(who, `release${st[1]}`, () => this.sems[st[1]]!.release());
      case "cond": {
        const [, op, body] = st;
        const cond = this.cond;
        const self = this;
        yield* this.outcome(
          who,
          "cond",
          cond.withLock(function* () {
            self.emit(who, "condlocked");
            if (op === "wait") yield* self.outcome(who, "condwait", cond.wait());
            else if (op === "notify") cond.notify();
            else cond.notifyAll();
            return yield* self.block(body, who);
          }),
        );
        return;
      }
      case "barrier":
        yield* this.outcome(who, "barrier", this.barrier.wait());
        return;
      case "barrierabort":
        yield* this.outcome(who, "barrierabort", this.barrier.abort());
        return;
      case "evclear":
        this.events[st[1]]!.clear();
        return;
      case "join":
        yield* this.outcome(who, "join", this.queues[st[1]]!.join());
        return;
      case "taskdone":
        return this.tryLog(who, "taskdone", () => this.queues[st[1]]!.taskDone());
      case "future":
        this.tasks.set(st[1], this.loop.createFuture<unknown>());
        return;
      case "later":
        this.handles.set(st[1], this.loop.callLater(st[2] / 64, this.callback(st[1], st[3])));
        return;
      case "at":
        this.handles.set(st[1], this.loop.callAt(this.t0 + st[2] / 64, this.callback(st[1], st[3])));
        return;
      case "hcancel": {
        const h = this.handles.get(st[1]);
        if (h === undefined) return this.emit(who, "hcancel", st[1], "missing");
        h.cancel();
        return;
      }
      case "reschedule": {
        const [, name, d] = st;
        const cm = this.timeouts.get(name);
        if (cm === undefined) return this.emit(who, "reschedule", name, "missing");
        return this.tryLog(who, `reschedule ${name}`, () => cm.reschedule(d === null ? null : this.loop.time() + d / 64));
      }
      case "waitcoro": {
        // wait() given a coroutine (a generator here): a TypeError since 3.11, before anything is awaited
        const [, names, b] = st;
        const fs: unknown[] = names.map((n) => this.tasks.get(n)).filter((f) => f !== undefined);
        fs.push(this.block(b, who));
        let r: [Set<Future<unknown>>, Set<Future<unknown>>];
        try {
          r = yield* wait(fs as Future<unknown>[]);
        } catch (e) {
          this.emit(who, "waitcoro", descExc(e));
          throw e;
        }
        this.emit(who, "waitcoro", r[0].size, r[1].size);
        return;
      }
      case "barrierreset":
        yield* this.outcome(who, "barrierreset", this.barrier.reset());
        return;
      case "barrierstate":
        this.emit(who, "barrierstate", this.barrier.nWaiting, this.barrier.broken);
        return;
      case "condwaitfor": {
        const [, n, body] = st;
        const cond = this.cond;
        const self = this;
        yield* this.outcome(
          who,
          "cond",
          cond.withLock(function* () {
            self.emit(who, "condlocked");
            yield* self.outcome(who, "condwaitfor", cond.waitFor(() => self.counter >= n));
            return yield* self.block(body, who);
          }),
        );
        return;
      }
      case "bump":
        this.emit(who, "bump", ++this.counter);
        return;
      case "timeoutat": {
        const [, d, body, name] = st;
        const cm = timeoutAt(this.t0 + d / 64);
        this.timeouts.set(name, cm);
        yield* this.outcome(who, "timeout", cm.run(() => this.block(body, who)));
        return;
      }
      case "expired": {
        const cm = this.timeouts.get(st[1]);
        if (cm === undefined) return this.emit(who, "expired", st[1], "missing");
        const when = cm.when();
        this.emit(who, "expired", st[1], cm.expired(), when === null ? null : Math.round((when - this.t0) * 64));
        return;
      }
    }
  }

  /** Where the log stood when the watchdog found the program deadlocked, or null. */
  stuckAt: number | null = null;

  /**
   * The watchdog: a timer far beyond any program's own (the DSL has no
   * loops, no program sleeps for long). The MockClock jumps to it only when
   * nothing else can run: a deadlock, where CPython's VirtualLoop raises.
   * It notes where the log stands, then cancels every task (again, every
   * WATCHDOG seconds, for tasks that swallow the cancellation) so the run
   * ends; what the cancellations log is not compared. Some deadlocks no
   * cancellation breaks (a task waiting, with waitFor, for one that keeps
   * retrying to take back the Condition's lock the first one holds): after
   * a few rounds the watchdog gives up and `runProgram` leaves the run
   * blocked for good (no timer left, so it costs no time).
   */
  armWatchdog(main: Task<unknown>, rounds = 3): TimerHandle {
    return this.loop.callLater(WATCHDOG, () => {
      this.stuckAt ??= this.log.length;
      if (rounds === 0) return this.gaveUp();
      main.cancel();
      for (const t of this.tasks.values()) t.cancel();
      this.handles.set("watchdog", this.armWatchdog(main, rounds - 1));
    });
  }

  /** Called when the watchdog gives up on a deadlock that cancelling does not end. */
  gaveUp: () => void = () => {};

  *main(prog: Program): Coroutine<void> {
    this.handles.set("watchdog", this.armWatchdog(currentTask()!));
    try {
      const r = yield* this.block(prog.main, "main");
      this.emit("main", "end", "=", r);
    } catch (e) {
      this.emit("main", "end", descExc(e));
    }
    // Again while tasks spawned meanwhile (in a finally) are pending: none may outlive the log.
    // Every task is awaited once done, so no exception is left unretrieved (our loop reports those when it closes).
    for (;;) {
      for (const [name, t] of [...this.tasks]) {
        if (!t.done()) this.emit("main", "cancel", name, t.cancel());
      }
      const seen = this.tasks.size;
      for (const t of [...this.tasks.values()]) {
        try {
          yield* t;
        } catch {
          // retrieved
        }
      }
      if (this.tasks.size === seen && [...this.tasks.values()].every((t) => t.done())) break;
    }
    // Loop callbacks still scheduled would run after the log ends in CPython (or not at all).
    for (const h of this.handles.values()) h.cancel();
    this.emit("main", "done");
  }
}

/** Seconds of virtual time after which a program is deadlocked (see Interp.armWatchdog). */
const WATCHDOG = 1000;

/**
 * Runs `prog` on our layer; rejects if the run hangs for `hangMs` real
 * milliseconds. A deadlocked program's log ends with [null, "main",
 * "stuck"], as CPython's does (interp.py).
 */
export async function runProgram(prog: Program, hangMs = 5000): Promise<LogLine[]> {
  const clock = new MockClock({ autojumpThreshold: 0 });
  let log: LogLine[] = [];
  let interp: Interp | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = runWith({ clock }, function* () {
    return yield* openLoop(function* () {
      return yield* aioAsTrio(function* () {
        interp = new Interp(getRunningLoop());
        interp.gaveUp = giveUp;
        log = interp.log;
        yield* interp.main(prog);
      })();
    });
  });
  let giveUp = (): void => {};
  const gaveUp = new Promise<void>((resolve) => (giveUp = resolve));
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang; log so far: ${JSON.stringify(log)}`)), hangMs);
  });
  try {
    await Promise.race([run, hang, gaveUp]);
  } catch (error) {
    // Once stuck, how the forced wind-down ends is not compared.
    if ((interp as Interp | null)?.stuckAt == null) throw error;
  } finally {
    clearTimeout(timer);
  }
  const stuckAt = (interp as Interp | null)?.stuckAt;
  return stuckAt == null ? log : [...log.slice(0, stuckAt), [null, "main", "stuck"]];
}

/**
 * Instruments: hooks that observe a run (task spawned, scheduled, stepped,
 * exited). With none installed the runner pays one null check per event.
 *
 * As in Trio, an instrument's hooks are read when it is added: one whose
 * hooks cannot be read (a getter that throws, a revoked Proxy) or are not
 * functions is refused there, with a clear error, instead of failing deep
 * inside the scheduler later. A hook that throws when called is removed
 * with its instrument and the error reported: a broken observer must never
 * break the program it observes.
 */
import { describe, describeError } from "./errors.js";
import type { Task } from "./task.js";

/** Observer of a run. Every method is optional. */
export interface Instrument {
  /** Called once, before the run's main task is spawned (an instrument added later does not hear it). */
  beforeRun?(): void;
  /** Called once, after the last task has exited: the last hook of the run. */
  afterRun?(): void;
  /** Called when a task is created, before its first step. */
  taskSpawned?(task: Task): void;
  /** Called when a task becomes runnable (queued for its next step). */
  taskScheduled?(task: Task): void;
  /** Called just before a task's step. */
  beforeTaskStep?(task: Task): void;
  /** Called just after a task's step. */
  afterTaskStep?(task: Task): void;
  /** Called when a task has finished, after its last step. */
  taskExited?(task: Task): void;
  /** Called before the run waits for the host (idle); `timeout` in seconds. */
  beforeIoWait?(timeout: number): void;
  /** Called when the run wakes from that wait; `timeout` is the one it waited with. */
  afterIoWait?(timeout: number): void;
}

export type InstrumentHook = Exclude<keyof Instrument, never>;

const HOOKS: readonly InstrumentHook[] = [
  "beforeRun",
  "afterRun",
  "taskSpawned",
  "taskScheduled",
  "beforeTaskStep",
  "afterTaskStep",
  "taskExited",
  "beforeIoWait",
  "afterIoWait",
];

const NONE: readonly Instrument[] = /* @__PURE__ */ Object.freeze([]);

/**
 * A set of instruments that calls each hook on every member that has it.
 * Per hook, the members that define it, in an array replaced (never
 * mutated) on add and remove: a hook may add or remove instruments while
 * the array is being walked, and no call copies it.
 */
export class Instruments {
  private readonly list: Instrument[] = [];
  private readonly byHook = new Map<InstrumentHook, readonly Instrument[]>();

  constructor(initial: readonly Instrument[]) {
    for (const instrument of initial) this.add(instrument);
  }

  get size(): number {
    return this.list.length;
  }

  /** Installs an instrument (once); throws a TypeError if its hooks cannot be read. */
  add(instrument: Instrument): void {
    if (instrument === null || typeof instrument !== "object") {
      throw new TypeError(`An instrument must be an object with hook methods (taskSpawned, …), got ${describe(instrument)}.`);
    }
    if (this.list.includes(instrument)) return;
    const hooks: InstrumentHook[] = [];
    for (const hook of HOOKS) {
      let fn: unknown;
      try {
        fn = readHook(instrument, hook);
      } catch (error) {
        throw new TypeError(
          `This instrument cannot be installed: reading its ${hook} hook raised ${describeError(error)}. ` +
            "An instrument's hooks must be plain methods (or absent).",
          { cause: error },
        );
      }
      if (fn === undefined || fn === null) continue;
      if (typeof fn !== "function") {
        throw new TypeError(`This instrument cannot be installed: its ${hook} must be a function (or absent), got ${describe(fn)}.`);
      }
      hooks.push(hook);
    }
    this.list.push(instrument);
    for (const hook of hooks) this.byHook.set(hook, [...(this.byHook.get(hook) ?? NONE), instrument]);
  }

  /** Removes an instrument; false if it was not installed. */
  remove(instrument: Instrument): boolean {
    const i = this.list.indexOf(instrument);
    if (i === -1) return false;
    this.list.splice(i, 1);
    for (const [hook, members] of this.byHook) {
      if (members.includes(instrument)) this.byHook.set(hook, members.filter((m) => m !== instrument));
    }
    return true;
  }

  call(hook: InstrumentHook, arg?: unknown): void {
    const members = this.byHook.get(hook);
    if (members === undefined) return;
    for (const instrument of members) {
      // Read the hook again at the call, inside the try, as Trio does: a
      // getter may throw now even though it did not when the instrument was added.
      try {
        (readHook(instrument, hook) as (arg?: unknown) => void).call(instrument, arg);
      } catch (error) {
        this.remove(instrument);
        report(hook, error);
      }
    }
  }
}

function readHook(instrument: Instrument, hook: InstrumentHook): unknown {
  return (instrument as Record<string, unknown>)[hook];
}

function report(hook: InstrumentHook, error: unknown): void {
  try {
    console.error(`trio-asyncio: instrument hook ${hook} raised ${describeError(error)}; the instrument was removed.`, error);
  } catch {
    // A console that throws (replaced by the page) must not break the run either.
  }
}

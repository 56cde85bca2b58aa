/**
 * Instruments: hooks that observe a run (task spawned, scheduled, stepped,
 * exited). With none installed the runner pays one null check per event.
 *
 * An instrument that throws is removed and the error reported, as in Trio:
 * a broken observer must never break the program it observes.
 */
import { describe } from "./errors.js";
import type { Task } from "./task.js";

/** Observer of a run. Every method is optional. */
export interface Instrument {
  beforeRun?(): void;
  afterRun?(): void;
  taskSpawned?(task: Task): void;
  taskScheduled?(task: Task): void;
  beforeTaskStep?(task: Task): void;
  afterTaskStep?(task: Task): void;
  taskExited?(task: Task): void;
  /** Called before the run waits for the host (idle); `timeout` in seconds. */
  beforeIoWait?(timeout: number): void;
  afterIoWait?(timeout: number): void;
}

export type InstrumentHook = Exclude<keyof Instrument, never>;

/** A set of instruments that calls each hook on every member that has it. */
export class Instruments {
  private readonly list: Instrument[] = [];

  constructor(initial: readonly Instrument[]) {
    for (const instrument of initial) this.add(instrument);
  }

  get size(): number {
    return this.list.length;
  }

  add(instrument: Instrument): void {
    if (instrument === null || typeof instrument !== "object") {
      throw new TypeError(`An instrument must be an object with hook methods (taskSpawned, …), got ${describe(instrument)}.`);
    }
    if (!this.list.includes(instrument)) this.list.push(instrument);
  }

  /** Removes an instrument; false if it was not installed. */
  remove(instrument: Instrument): boolean {
    const i = this.list.indexOf(instrument);
    if (i === -1) return false;
    this.list.splice(i, 1);
    return true;
  }

  call(hook: InstrumentHook, arg?: unknown): void {
    // Iterate over a copy: a hook may add or remove instruments.
    for (const instrument of this.list.slice()) {
      const fn = instrument[hook] as ((arg?: unknown) => void) | undefined;
      if (typeof fn !== "function") continue;
      try {
        fn.call(instrument, arg);
      } catch (error) {
        this.remove(instrument);
        console.error(`trio-asyncio: instrument hook ${hook} raised; the instrument was removed.`, error);
      }
    }
  }
}

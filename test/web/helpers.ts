import { expect } from "vitest";
import { currentRun, runWith, type Operation, type Runner } from "../../src/index.js";
import { MockClock } from "../../src/testing/index.js";

/** Runs `main` on an autojumping MockClock and checks that no task or timer is left over. */
export async function runMock<T>(main: () => Operation<T>): Promise<T> {
  let runner: Runner | null = null;
  const result = await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
    runner = currentRun();
    return yield* main();
  });
  expect(runner!.leftovers()).toEqual({ tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 });
  return result;
}

/** An EventTarget that counts its live listeners and records the options they were added with. */
export class CountingTarget extends EventTarget {
  live = 0;
  added: Array<{ type: string; options: unknown }> = [];
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: AddEventListenerOptions | boolean): void {
    this.live++;
    this.added.push({ type, options });
    super.addEventListener(type, listener, options);
  }
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: EventListenerOptions | boolean): void {
    this.live--;
    super.removeEventListener(type, listener, options);
  }
  /** Dispatches an event of `type` carrying `n`. */
  fire(type: string, n = 0): void {
    this.dispatchEvent(Object.assign(new Event(type), { n }));
  }
}

export type Numbered = Event & { n: number };

/** UTF-8 bytes of `s`. */
export const bytes = (s: string) => new TextEncoder().encode(s);
/** `b` decoded as UTF-8. */
export const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Runs `op`, expects it to raise a `type`, and returns the error. */
export function* raises(op: Operation<unknown>, type: new (...args: any[]) => Error): Operation<Error> {
  try {
    yield* op;
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as Error;
  }
  throw new Error(`expected ${type.name}`);
}

/**
 * Handles: what `callSoon` and `callLater` return, so a scheduled callback
 * can be cancelled. A cancelled handle stays in the ready queue and is
 * skipped when reached (cheaper than searching the queue); a cancelled timer
 * leaves the timer heap at once.
 */
import type { ContextMap } from "../core/context.js";
import { DeadlineEntry } from "../core/deadlines.js";
import { describe, describeError, functionName, isInstance } from "../core/errors.js";
import { isGeneratorFunction } from "../core/nursery.js";
import type { EventLoop } from "./event-loop.js";
import { loopContext } from "./running.js";

let nextHandleId = 1;
/** Ids are handed out when first read: a Handle is made per callSoon, and most are never looked at by a tool. */
const handleIds = new WeakMap<Handle, number>();

/** @internal The arguments of a callback that takes none: one frozen array shared by every such Handle. */
export const NO_ARGS: readonly unknown[] = Object.freeze([]);

/**
 * @internal An object whose next, throw and return are functions: an asyncio
 * coroutine, genuine generator or hand-written. False, not a throw, for a
 * revoked Proxy or getters that throw (readProperty).
 */
export function isGeneratorObject(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  // One try around plain reads, not readProperty per read: gather() asks this of every
  // argument, and readProperty's one shared property cache, seeing every key and every
  // kind of object, made it a generic lookup (a gather of 10k coroutines took 60% longer).
  try {
    const g = value as { next?: unknown; throw?: unknown; return?: unknown };
    return typeof g.next === "function" && typeof g.throw === "function" && typeof g.return === "function";
  } catch {
    return false;
  }
}

/**
 * @internal Refuses what cannot be a loop callback, as CPython's
 * `_check_callback` does (always, not only in debug mode): a non-function,
 * and an asyncio coroutine function (a `function*`) or coroutine, whose body
 * would never run, since calling it only makes a generator.
 */
export function checkCallback(method: string, callback: unknown): void {
  if (typeof callback === "function") {
    try {
      void (callback as { constructor?: unknown }).constructor;
    } catch {
      // Reading its constructor threw: a revoked Proxy, or one whose traps throw.
      throw new TypeError(`${method}() needs a function to call, but this one cannot be called: reading it threw (a revoked Proxy?). Pass a plain function.`);
    }
    const generator = isGeneratorFunction(callback);
    if (!generator) return;
    const name = functionName(callback) ?? "coro";
    throw new TypeError(
      `coroutines cannot be used with ${method}(): ${name} is a generator function, and calling it would only make a coroutine that never runs. ` +
        `Run it as a Task instead: loop.createTask(${name}()).`,
    );
  }
  if (isGeneratorObject(callback)) {
    throw new TypeError(`coroutines cannot be used with ${method}(): a coroutine is not a callback. Run it as a Task instead: loop.createTask(coro()).`);
  }
  throw new TypeError(`${method}() needs a function to call, got ${describe(callback)}.`);
}

/** The source text of a method written as `name(...) { ... }` (class or object shorthand), not `function`, not an arrow. */
const METHOD_SOURCE = /^(?:async\s*)?\*?\s*([A-Za-z_$][\w$]*)\s*\(/;

/**
 * @internal What the loop reports for `error` raised by the callback `fn`:
 * the error itself, or, when `fn` is a method (class or object shorthand)
 * that raised a TypeError, one saying that it ran without its object, with
 * `error` as its cause. Python code passes bound methods as callbacks
 * (`loop.call_later(5, task.cancel)`); JavaScript calls such a method with
 * no `this`, and its engine error about `undefined` says nothing of why.
 * Worked out from the function's own source text, only once a callback has
 * raised, so scheduling pays nothing and no list of methods has to be kept
 * (a list would keep every class it names in every bundle that loads the loop).
 */
export function explainCallbackError(fn: unknown, error: unknown): unknown {
  if (typeof fn !== "function" || !isInstance(error, TypeError)) return error;
  let source: string;
  try {
    source = Function.prototype.toString.call(fn);
  } catch {
    return error; // a revoked Proxy
  }
  const method = METHOD_SOURCE.exec(source)?.[1];
  if (method === undefined || method === "function") return error;
  return new TypeError(
    `A loop callback, the method ${method}, ran without its object (${describeError(error)}): JavaScript does not bind methods as Python does. ` +
      `Pass an arrow function instead, e.g. loop.callSoon(() => object.${method}()).`,
    { cause: error },
  );
}

/**
 * A scheduled callback. Kept small (four fields, one shape): `callSoon`
 * makes one per call, and a burst of 100k of them is mostly the garbage
 * collector's work.
 */
export class Handle {
  /** @internal */ cancelledFlag = false;

  /** @internal */
  constructor(
    /** @internal */ public handleFn: ((...args: never[]) => unknown) | null,
    /** @internal NO_ARGS when there are none */ public handleArgs: readonly unknown[],
    /** @internal The context the callback runs in: the one current when it was scheduled, as CPython's call_soon copies it. */
    readonly context: ContextMap,
  ) {}

  /** Unique per page, for tools. */
  get id(): number {
    let id = handleIds.get(this);
    if (id === undefined) handleIds.set(this, (id = nextHandleId++));
    return id;
  }

  /** Prevents the callback from running, if it has not run yet. */
  cancel(): void {
    if (this.cancelledFlag) return;
    this.cancelledFlag = true;
    this.handleFn = null;
    this.handleArgs = NO_ARGS;
  }

  /** True if `cancel()` was called. */
  cancelled(): boolean {
    return this.cancelledFlag;
  }

  /** @internal */
  run(): void {
    const cb = this.handleFn as ((...args: unknown[]) => unknown) | null;
    if (cb === null) return;
    // Plain calls for the usual arities: a spread call costs more.
    const args = this.handleArgs;
    if (args.length === 0) cb();
    else if (args.length === 1) cb(args[0]);
    else cb(...args);
  }

  toString(): string {
    return `<Handle ${this.reprLabel()}>`;
  }

  /** @internal "cancelled", or the callback's name for reprs (total: the callback may be a hostile Proxy). */
  reprLabel(): string {
    return this.cancelledFlag ? "cancelled" : (functionName(this.handleFn) ?? "callback");
  }
}

class TimerEntry extends DeadlineEntry {
  constructor(/** @internal */ readonly timerHandle: TimerHandle) {
    super();
  }
  /** Due: the callback joins the ready queue (a cancelled one left the heap already, unless cancelled through Handle's own cancel). */
  expire(): void {
    const handle = this.timerHandle;
    if (!handle.cancelledFlag) handle.loop.readyQueue.push1(handle);
  }
}

/** A callback scheduled for a time on the loop's clock. */
export class TimerHandle extends Handle {
  /** @internal */ readonly timerEntry: TimerEntry;

  /** @internal */
  constructor(
    /** When the callback is due, in loop time (see `loop.time()`). */
    private readonly whenTime: number,
    callback: (...args: never[]) => unknown,
    args: readonly unknown[],
    /** @internal */ readonly loop: EventLoop,
  ) {
    super(callback, args, loopContext());
    this.timerEntry = new TimerEntry(this);
  }

  /** The time the callback is due, in loop time. */
  when(): number {
    return this.whenTime;
  }

  override cancel(): void {
    if (this.cancelledFlag) return;
    super.cancel();
    this.loop.removeTimer(this.timerEntry);
  }

  override toString(): string {
    return `<TimerHandle when=${this.whenTime} ${this.reprLabel()}>`;
  }
}

/**
 * Task-local context variables, like Python's contextvars.
 *
 * Each task carries an immutable map from variables to values. A new task
 * starts with the map of the task that spawned it, so a value set around a
 * nursery is seen by every child. `ContextVar.run` swaps in a copy with one
 * entry changed for the duration of an operation, and `set` replaces the
 * running task's map with a changed copy (copy on write); nothing is
 * shared, so no task can change what another one sees.
 *
 * asyncio code (a Task's step, a loop callback, `Context.run`) runs in
 * `asyncioContext.map`; `set` there changes that slot, and whoever entered
 * it keeps the result on the way out (a Task keeps it for its next step, a
 * `Context` for its next run; a callback's changes end with it, as its
 * context is a copy in CPython).
 */
import { describe, isInstance, markUsed, readProperty } from "./errors.js";
import { ValueError } from "./python-errors.js";
import { current, requireTask, RuntimeError } from "./state.js";
import type { Operation } from "./traps.js";

/** Tokens reset already, asked beside their own flag: a frozen token cannot take the flag (see markUsed). */
const usedTokens = new WeakSet<object>();

/** @internal The map a task carries (null: empty). */
export type ContextMap = ReadonlyMap<TaskLocal<unknown>, unknown> | null;

/**
 * @internal The context of the asyncio code running now (a Task step or a
 * loop callback, which have no Trio task of their own), or undefined
 * outside asyncio code. Set and restored around each step and callback by
 * the asyncio layer, which sits above the core.
 */
export const asyncioContext: { map: ContextMap | undefined } = { map: undefined };

/** @internal The context of the code running now: asyncio code's own, else the Trio task's, else empty. */
export function currentContext(): ContextMap {
  const aio = asyncioContext.map;
  if (aio !== undefined) return aio;
  const task = current.task;
  return task === null ? null : task.context;
}

/**
 * @internal Who owns the context that `set` changes now, so that `reset`
 * can refuse a token from elsewhere: the innermost `Context.run`, else the
 * asyncio Task being stepped or the loop callback running (from
 * `asyncioOwner`, which the asyncio layer fills in: the core cannot import
 * it; each callback runs in its own copy of a context, as in CPython), else
 * the Trio task.
 */
export const contextOwner: { top: ContextFrame | null; asyncioOwner: (() => object | null) | null } = { top: null, asyncioOwner: null };

/** @internal A `Context.run` under way: the Context and the asyncio Task or loop callback that was running when it was entered. */
interface ContextFrame {
  readonly context: Context;
  readonly task: object | null;
  readonly prev: ContextFrame | null;
}

function currentOwner(): object | null {
  if (asyncioContext.map === undefined) return current.task;
  const task = contextOwner.asyncioOwner?.() ?? null;
  const top = contextOwner.top;
  // A frame entered during this task's step is inside it; a task stepped (eagerly) inside a frame is inside that.
  return top !== null && top.task === task ? top.context : task;
}

/** Makes `map` the context of the code running now (see the module comment). */
function replaceContext(map: ContextMap, what: string): void {
  if (asyncioContext.map !== undefined) asyncioContext.map = map;
  else requireTask(what).context = map;
}

/** What `Token.oldValue` holds when the variable had no value before `set`. */
const MISSING: unique symbol = Symbol("Token.MISSING");

/** What `ContextVar.set` returns: give it to `reset` to undo that `set`. */
export class Token<T> {
  /** What `oldValue` holds when the variable had no value before `set` (Python's `Token.MISSING`). */
  static get MISSING(): typeof MISSING {
    return MISSING;
  }

  /** @internal */ used = false;

  /** @internal Made by `ContextVar.set`. */
  constructor(
    /** The variable that was set. */
    readonly contextVar: ContextVar<T>,
    /** Its value before, or `MISSING` if it had none. */
    readonly oldValue: T | typeof MISSING,
    /** @internal */ readonly owner: object | null,
  ) {}
}

/**
 * A task-local variable that can only be read and bound for a body: what
 * the library's own variables (the running loop, the default executor)
 * need. `ContextVar` adds `set`/`reset`, so their code (and `Token`) stays
 * out of programs that never call them. Not exported: use `ContextVar`.
 */
export class TaskLocal<T> {
  constructor(
    /** For tools and error messages. */
    readonly name: string,
    private readonly defaultValue?: T,
  ) {}

  /** The value in the running task (Trio or asyncio) or loop callback, or the default (undefined if none). */
  get(): T | undefined;
  /**
   * The value in the running task or loop callback, or `fallback` if it has
   * none here (Python's `var.get(default)`): typed `T` when the fallback is
   * a `T`, where `get()` has to admit `undefined`.
   */
  get<D>(fallback: D): T | D;
  get(...fallback: [unknown?]): unknown {
    const ctx = currentContext();
    if (ctx !== null && ctx.has(this as TaskLocal<unknown>)) return ctx.get(this as TaskLocal<unknown>);
    return fallback.length > 0 ? fallback[0] : this.defaultValue;
  }

  /** Runs `body` with this variable set to `value` (and so do tasks it spawns). A `set()` inside `body` ends with it. */
  *run<R>(value: T, body: () => Operation<R>): Operation<R> {
    const task = requireTask(`ContextVar(${this.name}).run()`);
    if (typeof body !== "function") {
      throw new TypeError(`ContextVar(${this.name}).run(value, body) needs a generator function as body, got ${describe(body)}.`);
    }
    const saved = task.context;
    const next = new Map(saved ?? undefined);
    next.set(this as TaskLocal<unknown>, value);
    task.context = next;
    try {
      return yield* body();
    } finally {
      task.context = saved;
    }
  }
}

/** A task-local variable. */
export class ContextVar<T> extends TaskLocal<T> {
  /**
   * Sets the variable to `value` in the running task (Trio or asyncio),
   * loop callback or `Context.run`, until `reset` or the end of an
   * enclosing `run()` body. Tasks spawned afterwards see it; the parent,
   * siblings and tasks already running do not. Returns a token for `reset`.
   */
  set(value: T): Token<T> {
    const map = currentContext();
    const self = this as ContextVar<unknown>;
    const old = map !== null && map.has(self) ? (map.get(self) as T) : MISSING;
    const next = new Map(map ?? undefined);
    next.set(self, value);
    replaceContext(next, `ContextVar(${this.name}).set()`);
    return new Token(this, old, currentOwner());
  }

  /**
   * Undoes the `set` that returned `token`: the variable gets back the
   * value it had before, or none. Each token works once, in the task (or
   * `Context.run`) that made it.
   */
  reset(token: Token<T>): void {
    // Total, and strict enough that the fields read below exist: Object.create(Token.prototype) or a revoked Proxy fails here.
    // (A transparent Proxy of a real token, as a reactive store makes, still passes.)
    if (!isInstance(token, Token) || !isInstance(readProperty(token, "contextVar"), ContextVar)) {
      throw new TypeError(`ContextVar(${this.name}).reset(token) needs the Token that ContextVar(${this.name}).set(value) returned, got ${describe(token)}.`);
    }
    if (asyncioContext.map === undefined) requireTask(`ContextVar(${this.name}).reset()`);
    if (token.used || usedTokens.has(token)) {
      throw new RuntimeError(`ContextVar(${this.name}).reset(token): this token was already used. Each set() returns a new token, good for one reset().`);
    }
    if (token.contextVar !== (this as ContextVar<unknown>)) {
      throw new ValueError(`ContextVar(${this.name}).reset(token): the token was made by ContextVar(${token.contextVar.name}).set(); reset it with that variable.`);
    }
    if (token.owner !== currentOwner()) {
      throw new ValueError(
        `ContextVar(${this.name}).reset(token): the token was made in a different context: another task, another loop callback (each loop callback runs in its own copy of the context) or a Context.run(). Call reset() where set() was called.`,
      );
    }
    const next = new Map(currentContext() ?? undefined);
    if (token.oldValue === MISSING) next.delete(this as ContextVar<unknown>);
    else next.set(this as ContextVar<unknown>, token.oldValue);
    replaceContext(next.size === 0 ? null : next, `ContextVar(${this.name}).reset()`);
    markUsed(token, "used", usedTokens);
  }
}

/**
 * A snapshot of context variables that code can run in (Python's
 * `contextvars.Context`): what `copyContext()` returns, what
 * `createTask(coro, { context })` runs a Task in and what
 * `task.getContext()` returns. Values set inside `run()` stay in it.
 */
export class Context {
  /** @internal Whether a `run()` (or a Task step) is inside it now. */ entered = false;

  /** @internal Made by `copyContext()` and `task.getContext()`. */
  constructor(/** @internal */ public map: ContextMap) {}

  /** The value of `v` in this context, or `fallback` (Python's `ctx.get(var, default)`: the variable's own default is not used). */
  get<T, D = undefined>(v: ContextVar<T>, fallback?: D): T | D {
    const map = this.map;
    return map !== null && map.has(v as ContextVar<unknown>) ? (map.get(v as ContextVar<unknown>) as T) : (fallback as D);
  }

  /** Whether `v` has a value in this context. */
  has(v: ContextVar<unknown>): boolean {
    return this.map !== null && this.map.has(v);
  }

  /** The variables with a value in this context. */
  keys(): ContextVar<unknown>[] {
    // The library's own variables (TaskLocal) are not the user's to see.
    return this.map === null ? [] : ([...this.map.keys()].filter((v) => v.constructor !== TaskLocal) as ContextVar<unknown>[]);
  }

  /** A new Context with the same values, changed independently. */
  copy(): Context {
    return new Context(this.map);
  }

  /**
   * Calls `fn(...args)` in this context: `ContextVar.get()` reads its
   * values, `set()` changes them here (kept for the next run), and tasks
   * spawned inside start from them. A Context runs one code at a time.
   */
  run<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): R {
    // Object.create(Context.prototype) has no map, and a revoked Proxy nothing: refused before anything changes.
    if (!isContext(this)) {
      throw new TypeError(`Context.run(fn, ...args) must be called on a Context from copyContext() or task.getContext(), not on ${describe(this)}.`);
    }
    if (typeof fn !== "function") {
      throw new TypeError(`Context.run(fn, ...args) needs a function to call, got ${describe(fn)}.`);
    }
    if (this.entered) {
      throw new RuntimeError("Context.run(): this Context is already entered (a run() inside its own run(), or the context of a task that is stepping). Use context.copy().run(...) for a separate one.");
    }
    // A Context a store froze cannot keep what is set inside it: refused before anything changes (Reflect answers false where assignment throws the engine's words).
    if (!Reflect.set(this, "entered", true)) {
      throw new TypeError(`Context.run(): this Context is frozen (a store such as immer or Redux freezes what it holds), and a Context keeps the values set inside it; run a copy instead: context.copy().run(fn).`);
    }
    const owner = contextOwner;
    const frame: ContextFrame = { context: this, task: owner.asyncioOwner?.() ?? null, prev: owner.top };
    const aio = asyncioContext;
    const prevMap = aio.map;
    owner.top = frame;
    aio.map = this.map;
    try {
      return fn(...args);
    } finally {
      // The run's own state first: a Proxy whose set trap throws below must not leave this Context current.
      const map = aio.map;
      aio.map = prevMap;
      owner.top = frame.prev;
      this.entered = false;
      this.map = map;
    }
  }
}

/** @internal True for a Context with a map of ours (a transparent Proxy of one too); false, never a throw, for a forged one or a revoked Proxy. */
export function isContext(value: unknown): value is Context {
  if (!isInstance(value, Context)) return false;
  const map = readProperty(value, "map");
  return map === null || isInstance(map, Map);
}

/** A Context holding the values of the code running now (Python's `contextvars.copy_context()`); empty outside any task. */
export function copyContext(): Context {
  return new Context(currentContext());
}

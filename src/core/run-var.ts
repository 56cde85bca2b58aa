/**
 * Run-local variables (Trio's `trio.lowlevel.RunVar`): one value per call
 * of `run()`, shared by all of that run's tasks, where a `ContextVar` has
 * one per task. For state a library keeps per run (a cache, a pool, a
 * loop), which must never leak into another run, concurrent or later.
 */
import { describe, isInstance, markUsed, readProperty } from "./errors.js";
import { LookupError, ValueError } from "./python-errors.js";
import { current, RuntimeError } from "./state.js";

/** Tokens reset already, asked beside their own flag: a frozen token cannot take the flag (see markUsed). */
const usedTokens = new WeakSet<object>();

/** What `RunVarToken.previous` holds when the variable had no value in the run before `set`. */
const NO_VALUE: unique symbol = Symbol("RunVar.NO_VALUE");

/** What `RunVar.set` returns: give it to `reset` to undo that `set`. */
export class RunVarToken<T> {
  /** What `previous` holds when the variable had no value in the run before `set`. */
  static get MISSING(): typeof NO_VALUE {
    return NO_VALUE;
  }

  /** @internal */ redeemed = false;

  /** @internal Made by `RunVar.set`. */
  constructor(
    /** The variable that was set. */
    readonly runVar: RunVar<T>,
    /** Its value before, or `NO_VALUE` if it had none in this run. */
    readonly previous: T | typeof NO_VALUE,
    /** @internal the run it was made in */ readonly run: object,
  ) {}
}

/** The run whose tasks or asyncio code are running now (a batch of its steps is under way). */
function currentRunOf(what: string): object {
  const run = current.runner;
  if (run === null) {
    throw new RuntimeError(`${what} must be used inside run(): a RunVar has one value per run, and no run is stepping here.`);
  }
  return run;
}

/**
 * A variable with one value per `run()`: every task of the run (Trio or
 * asyncio) sees and changes the same value; another run, even one running
 * at the same time, has its own. Values go with their run.
 */
export class RunVar<T> {
  /** The values, by run: a finished run's go away with it. */
  private readonly values = new WeakMap<object, T>();
  private readonly defaultValue: T | typeof NO_VALUE;

  /**
   * `name` is for tools and error messages; `defaultValue`, if given, is
   * the value in a run that has not set one (without it, `get()` raises
   * LookupError there).
   */
  constructor(
    readonly name: string,
    ...defaultValue: [T?]
  ) {
    if (typeof name !== "string") throw new TypeError(`new RunVar(name, defaultValue?) needs a string name, got ${describe(name)}.`);
    this.defaultValue = defaultValue.length > 0 ? (defaultValue[0] as T) : NO_VALUE;
  }

  /**
   * The value in the current run, else `fallback` if given, else the
   * variable's default; raises LookupError if there is none of them, and
   * RuntimeError outside a run.
   */
  get(...fallback: [T?]): T {
    const run = currentRunOf(`RunVar(${this.name}).get()`);
    const values = this.values;
    if (values.has(run)) return values.get(run) as T;
    if (fallback.length > 0) return fallback[0] as T;
    if (this.defaultValue !== NO_VALUE) return this.defaultValue;
    throw new LookupError(`RunVar(${this.name}) has no value in this run and no default: set() it first, give new RunVar(name, default) a default, or pass a fallback to get(fallback).`);
  }

  /** Sets the value for the rest of the current run (every task sees it). Returns a token for `reset`. */
  set(value: T): RunVarToken<T> {
    const run = currentRunOf(`RunVar(${this.name}).set()`);
    const values = this.values;
    const token = new RunVarToken<T>(this, values.has(run) ? (values.get(run) as T) : NO_VALUE, run);
    values.set(run, value);
    return token;
  }

  /** Gives the variable back the value it had before the `set` that returned `token`. Each token works once, in its own run. */
  reset(token: RunVarToken<T>): void {
    // Total, and strict enough that the fields read below exist: Object.create(RunVarToken.prototype) or a revoked Proxy fails here.
    if (!isInstance(token, RunVarToken) || !isInstance(readProperty(token, "runVar"), RunVar)) {
      throw new TypeError(`RunVar(${this.name}).reset(token) needs the token that RunVar(${this.name}).set(value) returned, got ${describe(token)}.`);
    }
    const run = currentRunOf(`RunVar(${this.name}).reset()`);
    if (token.redeemed || usedTokens.has(token)) {
      throw new ValueError(`RunVar(${this.name}).reset(token): this token was already used. Each set() returns a new token, good for one reset().`);
    }
    if (token.runVar !== (this as RunVar<unknown>)) {
      throw new ValueError(`RunVar(${this.name}).reset(token): the token was made by RunVar(${token.runVar.name}).set(); reset it with that variable.`);
    }
    if (token.run !== run) {
      throw new ValueError(`RunVar(${this.name}).reset(token): the token was made in another run; each run has its own value, reset it in that run.`);
    }
    if (token.previous === NO_VALUE) this.values.delete(run);
    else this.values.set(run, token.previous);
    markUsed(token, "redeemed", usedTokens);
  }

  /** For logs and the console: `RunVar(name)`. */
  toString(): string {
    return `RunVar(${this.name})`;
  }
}

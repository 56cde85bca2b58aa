/**
 * Cancel scopes: the one mechanism behind timeouts, nursery failure and
 * manual cancellation.
 *
 * A scope wraps a stretch of a task's code. Cancelling it (by hand, or when
 * its deadline passes) makes every checkpoint inside it raise `Cancelled`,
 * and keeps doing so until the code leaves the scope: cancellation is
 * level-triggered, so a task cannot swallow it by accident and carry on
 * blocking. When the `Cancelled` reaches the scope that caused it, the scope
 * absorbs it and sets `cancelledCaught`.
 *
 * Scopes form a tree across tasks: a child task starts inside the scope of
 * its nursery. Each scope caches whether code inside it is "effectively
 * cancelled" (cancelled itself, or inside a cancelled parent without a shield
 * between). A checkpoint reads that one flag; cancelling walks down the tree
 * once, waking the blocked tasks it reaches. This is Trio's CancelStatus idea,
 * folded into the scope object. A cancelled scope raises one and the same
 * `Cancelled` object in every task it cancels, at checkpoints and in blocked
 * waits alike (made on first use, also its signals' reason): unlike Python,
 * JavaScript never writes into a thrown object, and one object thrown ten
 * thousand times is much cheaper than ten thousand objects (see errors.ts).
 *
 * A scope also hands out an AbortSignal on request (`signal`), built lazily
 * and aborted by the same walk, so `fetch` and friends join the tree without
 * a listener per scope.
 */
import { DeadlineEntry } from "./deadlines.js";
import { ExceptionGroup, TooSlowError, Cancelled, makeCancelled, messageOf, readProperty, sharedCancelled, checkReadable, checkDuration, checkSeconds, describe, withoutCancelled } from "./errors.js";
import { current, requireTask, RuntimeError } from "./state.js";
import type { Task } from "./task.js";
import { BLOCKED } from "./task.js";
import { callTaskFunction, checkFunction, type Nursery } from "./nursery.js";
import type { Operation } from "./traps.js";
import type { Runner } from "./runner.js";
import { observer } from "../inspect/hooks.js";

let nextScopeId = 1;

/** @internal The next scope id, to give back ids taken by objects made only for their shape (runner.ts). */
export function scopeIdMark(): number {
  return nextScopeId;
}
/** @internal See scopeIdMark. */
export function resetScopeIds(mark: number): void {
  nextScopeId = mark;
}

const NEW = 0;
const ENTERED = 1;
const EXITED = 2;

/** @internal filterExit's answer when the scope absorbed the error. */
export const ABSORBED: unique symbol = Symbol();

class ScopeDeadline extends DeadlineEntry {
  constructor(readonly scope: CancelScope) {
    super();
  }
  expire(): void {
    this.scope.cancel("deadline exceeded");
  }
}

/** Options of a new cancel scope. */
export interface CancelScopeOptions {
  /** Absolute deadline in the run's clock seconds (see `currentTime()`). */
  deadline?: number | undefined;
  /** Deadline relative to when the scope is entered, in seconds. */
  relativeDeadline?: number | undefined;
  /** Protect the code inside from cancellation of outer scopes. */
  shield?: boolean | undefined;
  /** A name for tools and messages: the devtools panel shows it instead of "cancel scope #7". */
  name?: string | undefined;
}

/** A scope of code that can be cancelled as a unit. See the module comment. */
export class CancelScope {
  /** Unique among all scopes of the page, for tools. */
  readonly id: number = nextScopeId++;
  /** The name given to the constructor, if any (shown by tools). */
  readonly name: string | undefined;
  /** @internal */ parent: CancelScope | null = null;
  /** @internal child scopes, created on first use */ children: Set<CancelScope> | null = null;
  /** @internal the task that entered the scope */ owner: Task | null = null;
  /** @internal set when this scope is a nursery's */ nursery: Nursery | null = null;
  /** @internal */ runner: Runner | null = null;
  /** @internal cached: code inside sees cancellation */ effective = false;
  /** @internal */ lifecycle = NEW;
  /** @internal set for a run's root scope */ isRoot = false;
  /** @internal the generator of run(), once made */ frame: Operation<unknown> | null = null;
  private _cancelCalled = false;
  private _cancelReason: string | undefined = undefined;
  private _shield: boolean;
  private _deadline: number;
  private _relativeDeadline: number;
  private _cancelledCaught = false;
  private deadlineEntry: ScopeDeadline | null = null;
  private controller: AbortController | null = null;
  private unlinkers: (() => void)[] | null = null;
  private pendingSignals: AbortSignal[] | null = null;
  // The one Cancelled raised on this scope's behalf, and the raiseCancel
  // handed to abort functions: made on first use, so cancelling N tasks
  // allocates neither N errors nor N closures.
  private cancelledError: Cancelled | null = null;
  private raiseFn: (() => Cancelled) | null = null;

  constructor(options: CancelScopeOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new TypeError("new CancelScope(options) takes an options object such as { deadline, relativeDeadline, shield }.");
    }
    checkReadable("new CancelScope(options)", options);
    this._shield = options.shield === true;
    if (options.name !== undefined && typeof options.name !== "string") {
      throw new TypeError(`new CancelScope({ name }) takes a string name (for tools), got ${typeof options.name}.`);
    }
    this.name = options.name;
    this._deadline = options.deadline === undefined ? Infinity : checkSeconds("CancelScope deadline", options.deadline);
    this._relativeDeadline = options.relativeDeadline === undefined ? Infinity : checkDuration("CancelScope relativeDeadline", options.relativeDeadline);
    if (options.deadline !== undefined && options.relativeDeadline !== undefined) {
      throw new TypeError("Give a CancelScope either deadline or relativeDeadline, not both.");
    }
  }

  /**
   * True once `cancel()` was called or the deadline passed. As in Trio, a
   * scope not yet exited compares its deadline with the clock when asked
   * (and cancels itself if it has passed): the scheduler looks at deadlines
   * only between steps, and a scope made with a deadline in the past is
   * cancelled from the start. An unentered scope uses the clock of the
   * running task's run; outside any run only a deadline of -Infinity counts.
   */
  get cancelCalled(): boolean {
    if (!this._cancelCalled && this._deadline !== Infinity && this.lifecycle !== EXITED && this.deadlinePassed()) {
      this.cancel("deadline exceeded");
    }
    return this._cancelCalled;
  }

  /** @internal `cancel()` was called or the deadline fired; reads no clock, has no side effect. */
  get cancelFlag(): boolean {
    return this._cancelCalled;
  }

  /** Why the scope was cancelled (the argument of `cancel`, or "deadline exceeded"). */
  get cancelReason(): string | undefined {
    return this._cancelReason;
  }

  /** True if the scope absorbed a `Cancelled` on exit. */
  get cancelledCaught(): boolean {
    return this._cancelledCaught;
  }

  /** True while some task is inside the scope. */
  get active(): boolean {
    return this.lifecycle === ENTERED;
  }

  /** The absolute deadline (Infinity for none). Settable at any time. */
  get deadline(): number {
    if (this.lifecycle === NEW && this._relativeDeadline !== Infinity) {
      throw new RuntimeError("This scope's deadline is relative and is only known once it is entered; read relativeDeadline.");
    }
    return this._deadline;
  }
  set deadline(value: number) {
    checkSeconds("CancelScope deadline", value);
    if (this.lifecycle === NEW && this._relativeDeadline !== Infinity) {
      throw new RuntimeError("Cannot set deadline on a scope that has a relativeDeadline; set one or the other.");
    }
    this._deadline = value;
    this.armDeadline();
  }

  /**
   * Seconds until the deadline. Before entry: the relative deadline given
   * (Infinity for none), which starts counting on entry; a scope not yet
   * entered that has an absolute `deadline` has none, and reading or
   * setting it raises `RuntimeError`, as in Trio. Once entered: `deadline`
   * minus the current time, and setting it moves `deadline` to now plus
   * the value.
   */
  get relativeDeadline(): number {
    if (this.lifecycle === NEW) {
      if (this._deadline !== Infinity) {
        throw new RuntimeError("This scope is not entered yet and has an absolute deadline, so it has no relative deadline; read deadline instead.");
      }
      return this._relativeDeadline;
    }
    return this.runner === null ? this._deadline : this._deadline - this.runner.clock.currentTime();
  }
  set relativeDeadline(value: number) {
    checkDuration("CancelScope relativeDeadline", value);
    if (this.lifecycle === NEW) {
      if (this._deadline !== Infinity) {
        throw new RuntimeError("Cannot set relativeDeadline on a scope not entered yet that has an absolute deadline; set one or the other.");
      }
      this._relativeDeadline = value;
      return;
    }
    this.deadline = this.runner === null ? value : this.runner.clock.currentTime() + value;
  }

  /** While true, cancellation of outer scopes does not reach inside. */
  get shield(): boolean {
    return this._shield;
  }
  set shield(value: boolean) {
    if (typeof value !== "boolean") throw new TypeError(`CancelScope shield must be true or false, got ${describe(value)}.`);
    if (value === this._shield) return;
    this._shield = value;
    if (this.lifecycle === ENTERED) refreshFrom(this);
  }

  /**
   * Cancels the scope: every checkpoint inside raises `Cancelled` until the
   * code leaves it. Idempotent; the first reason is kept. Safe to call from
   * anywhere, including plain callbacks outside the run.
   */
  cancel(reason?: string): void {
    if (reason !== undefined && typeof reason !== "string") {
      throw new TypeError(`cancel(reason) takes a string reason, got ${typeof reason}.`);
    }
    if (this._cancelCalled) return;
    this._cancelCalled = true;
    this._cancelReason = reason;
    if (observer.current !== null) observer.current.scopeCancelled?.(this);
    this.dropDeadline();
    if (this.lifecycle === ENTERED) refreshFrom(this);
  }

  /**
   * Cancels this scope when `signal` aborts, for as long as the scope lives.
   * An already-aborted signal cancels at once. The listener is removed when
   * the scope exits, so nothing leaks.
   */
  cancelOn(signal: AbortSignal): void {
    // readProperty: a revoked Proxy gets this message, not the engine's.
    if (signal === null || typeof signal !== "object" || typeof readProperty(signal, "addEventListener") !== "function") {
      throw new TypeError(`cancelOn(signal) needs an AbortSignal (for example controller.signal), got ${describe(signal)}.`);
    }
    // Total: it runs in the abort listener, where a throw (a reason whose
    // message getter throws) would leave the scope uncancelled.
    const reasonOf = () => {
      const r = readProperty(signal, "reason");
      return r === undefined ? "signal aborted" : `signal aborted: ${messageOf(r)}`;
    };
    if (signal.aborted) {
      this.cancel(reasonOf());
      return;
    }
    if (this.lifecycle === EXITED) return;
    if (this.lifecycle === NEW) {
      // Listen only once entered: a scope that is never entered must not
      // leave a listener on a long-lived signal.
      (this.pendingSignals ??= []).push(signal);
      return;
    }
    const onAbort = () => this.cancel(reasonOf());
    signal.addEventListener("abort", onAbort, { once: true });
    (this.unlinkers ??= []).push(() => signal.removeEventListener("abort", onAbort));
  }

  /**
   * An AbortSignal that aborts when code inside this scope becomes
   * cancelled (by this scope or an unshielded outer one). Created on first
   * use; it never un-aborts.
   */
  get signal(): AbortSignal {
    if (this.controller === null) {
      this.controller = new AbortController();
      if (this.effective) this.abortSignal();
    }
    return this.controller.signal;
  }

  /**
   * Runs `body` inside this scope. Returns the body's result, or `undefined`
   * if the scope absorbed a cancellation.
   */
  run<T>(body: (scope: CancelScope) => Operation<T>): Operation<T | undefined> {
    const frame: Operation<T | undefined> = this.runIn(body, () => frame);
    return frame;
  }

  private *runIn<T>(body: (scope: CancelScope) => Operation<T>, self: () => Operation<T | undefined>): Operation<T | undefined> {
    const task = requireTask("CancelScope.run()");
    checkFunction("CancelScope.run(body)", body);
    this.enter(task);
    // Kept, so that a task which steps it by hand and drops it can be told
    // from one running inside it (returnDroppedShields). Set on entry: a
    // run() of the same scope made later, or made first and never stepped,
    // is not the frame that entered it.
    this.frame = self();
    try {
      return yield* callTaskFunction("CancelScope.run(body)", body, [this]);
    } catch (error) {
      checkLeaver("A CancelScope.run()", task);
      return this.exitRaising(task, this.filterExit(this.leaveInner(task, error)));
    } finally {
      // Also on return() of a generator stepped by hand: exit now, as a
      // finally does, not when the task ends (nothing would before that).
      if (this.lifecycle === ENTERED) {
        checkLeaver("A CancelScope.run()", task);
        this.exit(task);
      }
    }
  }

  /** @internal */
  enter(task: Task): void {
    if (this.lifecycle !== NEW) {
      throw new RuntimeError("A CancelScope can only be entered once; make a new one for each use.");
    }
    this.attach(task, task.scope);
    task.scope = this;
    if (this._relativeDeadline !== Infinity) {
      this._deadline = task.runner.clock.currentTime() + this._relativeDeadline;
      this._relativeDeadline = Infinity;
    }
    // A signal handed out before entry must abort now if the code inside is cancelled from the start.
    if (this.effective) this.abortSignal();
    const pending = this.pendingSignals;
    if (pending !== null) {
      this.pendingSignals = null;
      try {
        for (const signal of pending) this.cancelOn(signal);
      } catch (error) {
        // A signal that throws when read or listened to: the task must not
        // stay inside a scope nobody will exit (its later cancel would hit
        // the task), and the listeners already added must come off. As on
        // any way out with an error, that error wins over an unlink refusal.
        this.exitRaising(task, error);
      }
    }
    this.armDeadline();
  }

  /**
   * @internal Makes this scope the outermost scope of `task`, inserted
   * between the task and `home` (its nursery's scope), without the task's
   * code entering it. Used by Task.cancel().
   */
  adoptAsTaskScope(task: Task, home: CancelScope): void {
    const siblings = this.attach(task, home);
    for (const child of [...siblings]) {
      if (child !== this && child.owner === task) {
        siblings.delete(child);
        child.parent = this;
        (this.children ??= new Set()).add(child);
      }
    }
    if (task.scope === home) task.scope = this;
  }

  /** Links the scope under `parent` as entered by `task`; returns the parent's children. Shared by enter and adoptAsTaskScope. */
  private attach(task: Task, parent: CancelScope): Set<CancelScope> {
    this.lifecycle = ENTERED;
    this.owner = task;
    this.runner = task.runner;
    this.parent = parent;
    this.effective = this._cancelCalled || (!this._shield && parent.effective);
    return (parent.children ??= new Set()).add(this);
  }

  /** Takes the scope's deadline off the run's heap, if it is there. */
  private dropDeadline(): void {
    if (this.deadlineEntry !== null && this.runner !== null) this.runner.deadlines.remove(this.deadlineEntry);
  }

  /** Aborts the signal handed out by `signal`, if any and not yet aborted. */
  private abortSignal(): void {
    if (this.controller !== null && !this.controller.signal.aborted) this.controller.abort(this.effectiveCancelled());
  }

  /** @internal The task ended: unhook the scope made by adoptAsTaskScope. */
  detachTaskScope(task: Task): void {
    this.lifecycle = EXITED;
    if (task.scope === this) task.scope = this.parent!;
    this.parent?.children?.delete(this);
    this.dropDeadline();
  }

  /**
   * @internal Decides whether an error leaving the scope is absorbed;
   * returns what goes on, or ABSORBED (not `undefined`, which code may throw).
   */
  filterExit(error: unknown): unknown {
    if (!this._cancelCalled) return error;
    // Absorb only if no outer cancellation is visible here: then the
    // Cancelled must travel on up to the outermost cancelled scope.
    if (!this._shield && this.parent !== null && this.parent.effective) return error;
    if (error instanceof Cancelled) {
      this._cancelledCaught = true;
      return ABSORBED;
    }
    if (error instanceof ExceptionGroup) {
      const [matched, rest] = withoutCancelled(error);
      if (matched) this._cancelledCaught = true;
      return rest ?? ABSORBED;
    }
    return error;
  }

  /** @internal */
  exit(task: Task): void {
    // Scopes left inside (see leaveInner): what their dropped nurseries'
    // children raised comes out here, once this scope is exited too.
    if (task.scope !== this) return this.exitRaising(task, this.filterExit(this.leaveInner(task, ABSORBED)));
    this.lifecycle = EXITED;
    task.scope = this.parent!;
    this.parent!.children?.delete(this);
    this.dropDeadline();
    const unlinkers = this.unlinkers;
    if (unlinkers !== null) {
      this.unlinkers = null;
      // A signal whose removeEventListener throws must not keep the others
      // listening: unlink them all, then raise the first refusal.
      let refusal: { error: unknown } | undefined;
      for (const unlink of unlinkers) {
        try {
          unlink();
        } catch (error) {
          refusal ??= { error };
        }
      }
      if (refusal !== undefined) throw refusal.error;
    }
  }

  /**
   * @internal Leaves the scopes `task` entered inside this one and never
   * exited: an operation stepped by hand (`next()`) and dropped, or a stack
   * overflow deep in nested operations. Innermost first, each is cancelled
   * and exited as its own exit would have been: `error` (ABSORBED for none)
   * passes through it, and a dropped nursery's children still running move
   * to the task's nursery (as at the task's end), while what they raised
   * already joins `error`, as the nursery's exit would have raised it, so
   * it goes on from the scope that is exiting (the task's outcome is its
   * home at the task's end, see Runner.taskExited). Returns what goes on.
   */
  leaveInner(task: Task, error: unknown): unknown {
    for (let s: CancelScope | null = task.scope; s !== this; s = s.parent) {
      if (s === null) throw new RuntimeError("Cancel scopes were exited out of order; this is a bug in how the scope was used.");
    }
    while (task.scope !== this) {
      const abandoned = task.scope;
      // Cancelled before it was left: only then may it absorb a Cancelled
      // (not, say, an outer deadline's, caught and raised again inside it).
      const cancelled = abandoned.cancelFlag;
      abandoned.cancel();
      const dropped = abandoned.nursery;
      if (dropped !== null) {
        dropped.dropInto(task.parentNursery ?? task.runner.systemNursery);
        // Closed: no longer one of the task's open nurseries (tools list
        // them). The last one: those opened inside it were left before it.
        task.nurseries!.pop();
        if (error !== ABSORBED) dropped.pendingErrors.push(error);
        error = dropped.combinedError() ?? ABSORBED;
      }
      // Its own Cancelled stops here, as at a proper exit (ABSORBED passes as it is).
      if (cancelled) error = abandoned.filterExit(error);
      try {
        abandoned.exit(task);
      } catch (refusal) {
        // A signal that refused to let go: it counts only if nothing else goes on.
        if (error === ABSORBED) error = refusal;
      }
    }
    return error;
  }

  /**
   * @internal Exits on the way out of an error: `rest`, what the scope did
   * not absorb, is raised (or, if ABSORBED, `undefined` returned) whatever exit raises,
   * since the body's error matters more than a signal that refused to let
   * go. Used by run() and the nursery block.
   */
  exitRaising(task: Task, rest: unknown): undefined {
    try {
      this.exit(task);
    } catch (error) {
      if (rest === ABSORBED) throw error;
    }
    if (rest !== ABSORBED) throw rest;
    return undefined;
  }

  /**
   * @internal The Cancelled to raise at a checkpoint in this scope: the one
   * of the outermost cancelled scope visible from here, which will catch it.
   * Its reason never changes once set, so one instance per cancelled scope
   * serves every task it cancels.
   */
  effectiveCancelled(): Cancelled {
    let found: CancelScope | null = null;
    for (let s: CancelScope | null = this; s !== null; s = s.parent) {
      if (s._cancelCalled) found = s;
      if (s._shield) break;
    }
    if (found === null) return makeCancelled(undefined);
    return (found.cancelledError ??= sharedCancelled(found._cancelReason));
  }

  /** @internal The raiseCancel argument of abort functions for tasks in this scope. */
  raiseCancel(): () => Cancelled {
    return (this.raiseFn ??= () => this.effectiveCancelled());
  }

  /** For `cancelCalled`: has the deadline passed on the clock that applies? */
  private deadlinePassed(): boolean {
    if (this._deadline === -Infinity) return true;
    const clock = this.lifecycle === NEW ? current.task?.runner.clock : this.runner?.clock;
    return clock !== undefined && this._deadline <= clock.currentTime();
  }

  private armDeadline(): void {
    const runner = this.runner;
    if (this.lifecycle !== ENTERED || runner === null || this._cancelCalled) return;
    if (this._deadline === Infinity) {
      this.dropDeadline();
      return;
    }
    // A deadline already passed cancels now, as Trio does on entry: the heap
    // is only looked at between batches (or when the batch reads the clock),
    // so waiting for it would let a busy task pass checkpoints it should not.
    if (this._deadline <= runner.clock.currentTime()) {
      this.cancel("deadline exceeded");
      return;
    }
    this.deadlineEntry ??= new ScopeDeadline(this);
    runner.deadlines.set(this.deadlineEntry, this._deadline);
    runner.deadlinesChanged();
  }

  /** @internal Called by the refresh walk when the scope becomes effectively cancelled. */
  onEffectivelyCancelled(): void {
    this.abortSignal();
    const owner = this.owner;
    if (owner !== null && owner.scope === this && this.lifecycle === ENTERED) deliverCancel(owner);
    const nursery = this.nursery;
    if (nursery !== null) {
      for (let child = nursery.headChild; child !== null; ) {
        // Read the link first: delivering may (indirectly) end the child.
        const next: Task | null = child.nextSibling;
        if (child.scope === this) deliverCancel(child);
        child = next;
      }
    }
  }

  toString(): string {
    return `<CancelScope #${this.id}${this.name === undefined ? "" : ` ${JSON.stringify(this.name)}`}${this._cancelCalled ? " cancelled" : ""}${this._shield ? " shielded" : ""}>`;
  }
}

/** @internal Re-derives `effective` below `root` after a change, waking blocked tasks. */
export function refreshFrom(root: CancelScope): void {
  // Iterative: nurseries may nest ten thousand deep.
  const stack: CancelScope[] = [root];
  let first = true;
  while (stack.length > 0) {
    const scope = stack.pop()!;
    const parent = scope.parent;
    const effective = scope.cancelFlag || (!scope.shield && parent !== null && parent.effective);
    if (effective === scope.effective && !first) continue;
    first = false;
    const changed = effective !== scope.effective;
    scope.effective = effective;
    if (effective && changed) scope.onEffectivelyCancelled();
    if (!changed) continue;
    if (scope.children !== null) for (const child of scope.children) stack.push(child);
  }
}

/**
 * @internal `task`, running, begins a wait while it left another (see
 * beginWait): its code stepped an operation by hand and went on without
 * it. A shielded scope that such an operation entered (openLoop's shutdown,
 * a `CancelScope({ shield: true }).run`) would keep every cancellation
 * from the task for good, its new wait included, and a run waiting for
 * the task would hang. So the `run()` frames of the task's innermost
 * scopes are returned from, innermost first, as `return()` by hand would
 * (their `finally` blocks run, their scopes are exited), while a shield is
 * among them. A frame the task's code is running in refuses (a generator
 * cannot be resumed from inside itself) and stays, with its scope: only
 * frames off the path of the new wait go, and a scope entered since one of
 * them (by code still running) goes on inside the scope that one was
 * entered in. An error their `finally` blocks raise is raised where the
 * wait began.
 */
export function returnDroppedShields(task: Task): void {
  // `above`: the scope entered right after `scope` that stays (null: none).
  let above: CancelScope | null = null;
  for (let scope = task.scope; ; scope = scope.parent!) {
    // Exited by a finally of the frame just returned from (a return() by
    // hand): the task is no longer in it, and must not be put back.
    if (scope.lifecycle !== ENTERED) return;
    let shielded = false;
    for (let s = scope; s.owner === task && s.frame !== null; s = s.parent!) shielded ||= s.shield;
    if (!shielded) return;
    const top = task.scope;
    // Its exit must find it innermost, as it was when it was left.
    task.scope = scope;
    let running = false;
    try {
      scope.frame!.return(undefined);
    } catch (error) {
      running = scope.lifecycle === ENTERED;
      if (!running) throw error;
    } finally {
      if (above !== null) {
        task.scope = top;
        if (scope.lifecycle !== ENTERED) {
          const parent = scope.parent!;
          above.parent = parent;
          (parent.children ??= new Set()).add(above);
          refreshFrom(above);
        }
      }
    }
    if (scope.lifecycle === ENTERED) {
      // Stopped in a finally that waits, or a later run() of the same
      // scope (refused) replaced the frame: leave it there.
      if (!running) return;
      above = scope;
    }
  }
}

/**
 * @internal A block (a scope's run(), a nursery) stepped by hand and ended
 * by another task, or from outside any task: refused, and it stays its
 * task's (cancel() still reaches that task), as Trio refuses a scope's
 * exit from an unrelated task.
 */
export function checkLeaver(what: string, owner: Task): void {
  const running = current.task;
  if (running !== owner) {
    throw new RuntimeError(`${what} entered by task ${owner.name} was left from ${running === null ? "outside any task" : `task ${running.name}`}; only the task that entered it can leave it. Step it with yield* in that task.`);
  }
}

/** @internal Tries to wake a blocked task with Cancelled. */
export function deliverCancel(task: Task): void {
  if (task.state !== BLOCKED || task.abortFn === null) return;
  task.runner.attemptAbort(task);
}

/** Options of `moveOnAfter`, `moveOnAt`, `failAfter` and `failAt`. */
export interface DeadlineOptions {
  /** A name for the scope they make, shown by tools (see `CancelScopeOptions.name`). */
  name?: string | undefined;
}

// The name to give the scope, checked here so the message names the function the caller used.
function scopeName(what: string, options: DeadlineOptions | undefined): string | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== "object") {
    throw new TypeError(`${what} takes an options object such as { name: "search deadline" } as its third argument, got ${options === null ? "null" : typeof options}.`);
  }
  checkReadable(what, options);
  const name = options.name;
  if (name !== undefined && typeof name !== "string") {
    throw new TypeError(`${what} takes a string name (for tools) in { name }, got ${name === null ? "null" : typeof name}.`);
  }
  return name;
}

/**
 * Runs `body` with a deadline `seconds` from now. If the deadline passes,
 * the body is cancelled and `moveOnAfter` returns `undefined`.
 * `options.name` names the scope for tools: `moveOnAfter(5, body, { name: "search deadline" })`.
 */
export function moveOnAfter<T>(seconds: number, body: (scope: CancelScope) => Operation<T>, options?: DeadlineOptions): Operation<T | undefined> {
  const relativeDeadline = checkDuration("moveOnAfter(seconds)", seconds);
  checkFunction("moveOnAfter(seconds, body)", body); // here, not at the first step: the error names the call
  return new CancelScope({ relativeDeadline, name: scopeName("moveOnAfter(seconds, body, options)", options) }).run(body);
}

/** Like `moveOnAfter`, with an absolute deadline. */
export function moveOnAt<T>(deadline: number, body: (scope: CancelScope) => Operation<T>, options?: DeadlineOptions): Operation<T | undefined> {
  const at = checkSeconds("moveOnAt(deadline)", deadline);
  checkFunction("moveOnAt(deadline, body)", body);
  return new CancelScope({ deadline: at, name: scopeName("moveOnAt(deadline, body, options)", options) }).run(body);
}

/**
 * Runs `body` with a deadline `seconds` from now; raises `TooSlowError` if
 * the deadline passes first. `options.name` names the scope, as for `moveOnAfter`.
 */
export function failAfter<T>(seconds: number, body: (scope: CancelScope) => Operation<T>, options?: DeadlineOptions): Operation<T> {
  const relativeDeadline = checkDuration("failAfter(seconds)", seconds);
  checkFunction("failAfter(seconds, body)", body);
  return failIn(new CancelScope({ relativeDeadline, name: scopeName("failAfter(seconds, body, options)", options) }), body);
}

/** Like `failAfter`, with an absolute deadline. */
export function failAt<T>(deadline: number, body: (scope: CancelScope) => Operation<T>, options?: DeadlineOptions): Operation<T> {
  const at = checkSeconds("failAt(deadline)", deadline);
  checkFunction("failAt(deadline, body)", body);
  return failIn(new CancelScope({ deadline: at, name: scopeName("failAt(deadline, body, options)", options) }), body);
}

function* failIn<T>(scope: CancelScope, body: (scope: CancelScope) => Operation<T>): Operation<T> {
  const result = yield* scope.run(body);
  if (scope.cancelledCaught) throw new TooSlowError(`The deadline passed before the operation finished.`);
  return result as T;
}

/** The innermost cancel scope of the running task. */
export function currentCancelScope(): CancelScope {
  return requireTask("currentCancelScope()").scope;
}

/**
 * The deadline in force for the running task: the earliest deadline among
 * its enclosing scopes up to the first shield, or -Infinity if it is already
 * cancelled.
 */
export function currentEffectiveDeadline(): number {
  const task = requireTask("currentEffectiveDeadline()");
  if (task.scope.effective) return -Infinity;
  let deadline = Infinity;
  for (let s: CancelScope | null = task.scope; s !== null; s = s.parent) {
    if (s.active && !s.cancelFlag && s.deadline < deadline) deadline = s.deadline;
    if (s.shield) break;
  }
  return deadline;
}

/**
 * An AbortSignal that aborts when the running task's current scope is
 * cancelled. Pass it to `fetch` and other platform APIs.
 */
export function currentSignal(): AbortSignal {
  return requireTask("currentSignal()").scope.signal;
}


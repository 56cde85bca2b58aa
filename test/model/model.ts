/**
 * The reference model: what a program (program.ts) must do under Trio's
 * nursery and cancel-scope semantics, computed without the runtime.
 *
 * Why it is built so: it is a small interpreter over the plain-data
 * program, written from the rules, not from the runtime's code. Tasks are
 * JS generators stepped by a discrete-event loop over virtual time; errors
 * are plain data (a count of Cancelled leaves plus the ids of real errors),
 * thrown and caught with JS try/catch/finally so that "an error in a finally
 * replaces the one in flight" comes for free. Cancellation is computed by
 * walking up the scope chain on every question (no cached state), and a
 * scope absorbs a Cancelled only if it was cancelled itself and no
 * unshielded outer scope is cancelled. A nursery collects the errors of its
 * body and children, cancels itself on the first one, waits for every
 * child, and raises all of them together.
 *
 * The outcome is order-independent by construction (see program.ts): the
 * model notes when two timed events fall on one instant (`ambiguous`), and
 * such programs are skipped.
 */
import type { Program, Stmt } from "./program.js";

/** What a program did. Compared field by field with the runtime's outcome. */
export interface Outcome {
  /** The run returned normally. */
  ok: boolean;
  /** Ids of the errors the run raised (leaves), sorted. */
  errors: number[];
  /** A Cancelled came out of the run (must never happen). */
  cancelledEscaped: boolean;
  /** How often each try's finally ran (only those that ran). */
  finallies: Record<number, number>;
  /** cancelledCaught of each scope that was exited. */
  caught: Record<number, boolean>;
  /** Marks reached, sorted. */
  marks: number[];
  /** Error ids each catch swallowed (sorted), for the catches that swallowed something. */
  swallowed: Record<number, number[]>;
  /** Virtual time when the run ended. */
  endTime: number;
}

/** An error in flight: how many Cancelled leaves, and the ids of the real errors. */
class MError {
  constructor(
    readonly cancelled: number,
    readonly errs: readonly number[],
  ) {}
}

const cancelled = (): MError => new MError(1, []);

class MScope {
  cancelCalled = false;
  caught = false;
  active = true;
  constructor(
    readonly parent: MScope | null,
    readonly shield: boolean,
    public deadline: number,
  ) {}
}

function effective(scope: MScope): boolean {
  for (let s: MScope | null = scope; s !== null; s = s.parent) {
    if (s.cancelCalled) return true;
    if (s.shield) return false;
  }
  return false;
}

type Wait = { sleepUntil: number } | { join: MNursery };

class MTask {
  state: "runnable" | "sleeping" | "joining" | "done" = "runnable";
  until = Infinity;
  resumeWith: MError | null = null;
  gen!: Generator<Wait, void, void>;
  constructor(
    public scope: MScope,
    readonly nursery: MNursery | null,
  ) {}
}

class MNursery {
  readonly children = new Set<MTask>();
  readonly errors: MError[] = [];
  constructor(
    readonly scope: MScope,
    readonly parent: MTask,
  ) {}
}

/** Runs the model and returns the outcome, plus whether two timed events coincided. */
export function runModel(program: Program): { outcome: Outcome; ambiguous: boolean } {
  let now = 0;
  let ambiguous = false;
  const tasks: MTask[] = [];
  const queue: MTask[] = [];
  const scopes = new Map<number, MScope>();
  const nurseryScopes = new Map<number, MScope>();
  const activeDeadlines = new Set<MScope>();
  const outcome: Outcome = { ok: true, errors: [], cancelledEscaped: false, finallies: {}, caught: {}, marks: [], swallowed: {}, endTime: 0 };

  const schedule = (t: MTask, error: MError | null): void => {
    t.state = "runnable";
    t.resumeWith = error;
    queue.push(t);
  };

  // A scope was cancelled: every sleeping task that now sees cancellation wakes with Cancelled.
  const cancellationChanged = (): void => {
    for (const t of tasks) if (t.state === "sleeping" && effective(t.scope)) schedule(t, cancelled());
  };

  const cancel = (scope: MScope): void => {
    if (scope.cancelCalled) return;
    scope.cancelCalled = true;
    activeDeadlines.delete(scope);
    cancellationChanged();
  };

  const filterExit = (scope: MScope, error: MError): MError | undefined => {
    if (!scope.cancelCalled) return error;
    if (!scope.shield && scope.parent !== null && effective(scope.parent)) return error;
    if (error.cancelled === 0) return error;
    scope.caught = true;
    return error.errs.length === 0 ? undefined : new MError(0, error.errs);
  };

  const addError = (n: MNursery, error: MError): void => {
    n.errors.push(error);
    cancel(n.scope);
  };

  const spawn = (scope: MScope, nursery: MNursery | null, body: Stmt[]): MTask => {
    const t = new MTask(scope, nursery);
    t.gen = block(t, body);
    tasks.push(t);
    nursery?.children.add(t);
    schedule(t, null);
    return t;
  };

  function* block(task: MTask, list: Stmt[]): Generator<Wait, void, void> {
    for (const s of list) yield* stmt(task, s);
  }

  function* stmt(task: MTask, s: Stmt): Generator<Wait, void, void> {
    switch (s.k) {
      case "sleep": {
        if (effective(task.scope)) throw cancelled();
        yield { sleepUntil: now + s.d };
        return;
      }
      case "mark":
        outcome.marks.push(s.id);
        return;
      case "raise":
        throw new MError(0, [s.id]);
      case "cancel":
        cancel((s.nursery ? nurseryScopes : scopes).get(s.target)!);
        return;
      case "move": {
        const scope = scopes.get(s.target)!;
        if (scope.cancelCalled) return;
        scope.deadline = now + s.d;
        activeDeadlines.add(scope);
        return;
      }
      case "scope": {
        const scope = new MScope(task.scope, s.shield, s.deadline === null ? Infinity : now + s.deadline);
        scopes.set(s.id, scope);
        if (scope.deadline !== Infinity) activeDeadlines.add(scope);
        task.scope = scope;
        const exit = () => {
          scope.active = false;
          activeDeadlines.delete(scope);
          task.scope = scope.parent!;
          outcome.caught[s.id] = scope.caught;
        };
        try {
          yield* block(task, s.body);
        } catch (error) {
          const rest = filterExit(scope, error as MError);
          exit();
          if (rest !== undefined) throw rest;
          return;
        }
        exit();
        return;
      }
      case "nursery": {
        const scope = new MScope(task.scope, false, Infinity);
        nurseryScopes.set(s.id, scope);
        task.scope = scope;
        const n = new MNursery(scope, task);
        for (const child of s.children) spawn(scope, n, child);
        try {
          yield* block(task, s.body);
        } catch (error) {
          addError(n, error as MError);
        }
        while (n.children.size > 0) yield { join: n };
        task.scope = scope.parent!;
        if (n.errors.length === 0) return;
        const combined = new MError(
          n.errors.reduce((sum, e) => sum + e.cancelled, 0),
          n.errors.flatMap((e) => e.errs),
        );
        const rest = filterExit(scope, combined);
        if (rest !== undefined) throw rest;
        return;
      }
      case "try":
        try {
          yield* block(task, s.body);
        } finally {
          outcome.finallies[s.id] = (outcome.finallies[s.id] ?? 0) + 1;
          yield* block(task, s.fin);
        }
        return;
      case "catch":
        try {
          yield* block(task, s.body);
        } catch (error) {
          const e = error as MError;
          if (e.errs.length === 0) throw e; // a bare Cancelled goes on
          outcome.swallowed[s.id] = [...e.errs].sort((a, b) => a - b);
        }
        return;
    }
  }

  const root = new MScope(null, false, Infinity);
  const main = spawn(root, null, program);
  let mainError: MError | null = null;

  const exited = (t: MTask, error: MError | null): void => {
    t.state = "done";
    if (t === main) {
      mainError = error;
      return;
    }
    const n = t.nursery!;
    n.children.delete(t);
    if (error !== null) addError(n, error);
    if (n.children.size === 0 && n.parent.state === "joining") schedule(n.parent, null);
  };

  for (let guard = 0; guard < 1_000_000; guard++) {
    while (queue.length > 0) {
      const t = queue.shift()!;
      if (t.state !== "runnable") continue;
      const resume = t.resumeWith;
      t.resumeWith = null;
      let step: IteratorResult<Wait, void>;
      try {
        step = resume === null ? t.gen.next() : t.gen.throw(resume);
      } catch (error) {
        exited(t, error as MError);
        continue;
      }
      if (step.done === true) {
        exited(t, null);
        continue;
      }
      const wait = step.value;
      if ("sleepUntil" in wait) {
        t.state = "sleeping";
        t.until = wait.sleepUntil;
      } else {
        t.state = "joining";
        if (wait.join.children.size === 0) schedule(t, null);
      }
    }
    if (main.state === "done") break;
    // The next timed event: a sleep ending or a scope deadline.
    let next = Infinity;
    let sources = 0;
    const consider = (t: number) => {
      if (t < next) {
        next = t;
        sources = 1;
      } else if (t === next) {
        sources++;
      }
    };
    for (const t of tasks) if (t.state === "sleeping") consider(t.until);
    for (const s of activeDeadlines) if (s.active && !s.cancelCalled) consider(s.deadline);
    if (next === Infinity) throw new Error("model deadlock: every task waits and nothing is timed");
    if (sources > 1) ambiguous = true;
    now = next;
    for (const s of [...activeDeadlines]) if (s.active && !s.cancelCalled && s.deadline === now) cancel(s);
    for (const t of tasks) if (t.state === "sleeping" && t.until === now) schedule(t, null);
  }

  outcome.endTime = now;
  const error = mainError as MError | null;
  if (error !== null) {
    outcome.ok = false;
    outcome.errors = [...error.errs].sort((a, b) => a - b);
    outcome.cancelledEscaped = error.cancelled > 0;
  }
  outcome.marks.sort((a, b) => a - b);
  return { outcome, ambiguous };
}

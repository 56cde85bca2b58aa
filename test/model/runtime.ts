/**
 * Runs a model program (program.ts) on the real runtime, on an autojumping
 * MockClock, and reports the same Outcome the reference model computes.
 *
 * Each statement maps to the obvious public API: sleep, CancelScope.run
 * (relativeDeadline, shield), scope.cancel(), openNursery + startSoon, and
 * plain try/finally and try/catch. Errors are `ModelError`s carrying their
 * statement id; what the run raises is read through ExceptionGroup.leaves().
 * `mutate` deliberately breaks the translation, so the meta-tests can show
 * the comparison is able to fail.
 */
import {
  CancelScope,
  Cancelled,
  ExceptionGroup,
  currentRun,
  openNursery,
  runWith,
  sleep,
  type Operation,
  type Runner,
} from "../../src/index.js";
import { MockClock } from "../../src/testing/index.js";
import type { Outcome } from "./model.js";
import type { Program, Stmt } from "./program.js";

/** An error raised by a `raise` statement. */
export class ModelError extends Error {
  constructor(readonly id: number) {
    super(`model error #${id}`);
  }
}

/** Ways to break the translation on purpose (for the meta-tests). */
export type Mutation = "none" | "ignore-shield" | "skip-finally" | "swallow-all";

/** Runs `program`; resolves with its outcome and the runner (for leftovers()). */
export async function runRuntime(program: Program, mutate: Mutation = "none"): Promise<{ outcome: Outcome; runner: Runner }> {
  const clock = new MockClock({ autojumpThreshold: 0 });
  const scopes = new Map<number, CancelScope>();
  const nurseryScopes = new Map<number, CancelScope>();
  const outcome: Outcome = { ok: true, errors: [], cancelledEscaped: false, finallies: {}, caught: {}, marks: [], swallowed: {}, endTime: 0 };

  function* block(list: readonly Stmt[]): Operation<void> {
    for (const s of list) yield* stmt(s);
  }

  function* stmt(s: Stmt): Operation<void> {
    switch (s.k) {
      case "sleep":
        yield* sleep(s.d);
        return;
      case "mark":
        outcome.marks.push(s.id);
        return;
      case "raise":
        throw new ModelError(s.id);
      case "cancel":
        (s.nursery ? nurseryScopes : scopes).get(s.target)!.cancel("model");
        return;
      case "move": {
        const scope = scopes.get(s.target)!;
        scope.deadline = clock.currentTime() + s.d;
        return;
      }
      case "scope": {
        const scope = new CancelScope({
          shield: mutate === "ignore-shield" ? false : s.shield,
          ...(s.deadline === null ? {} : { relativeDeadline: s.deadline }),
        });
        scopes.set(s.id, scope);
        try {
          yield* scope.run(() => block(s.body));
        } finally {
          outcome.caught[s.id] = scope.cancelledCaught;
        }
        return;
      }
      case "nursery":
        yield* openNursery(function* (n) {
          nurseryScopes.set(s.id, n.cancelScope);
          for (const child of s.children) n.startSoon(block, child);
          yield* block(s.body);
        });
        return;
      case "try":
        if (mutate === "skip-finally") {
          yield* block(s.body);
          return;
        }
        try {
          yield* block(s.body);
        } finally {
          outcome.finallies[s.id] = (outcome.finallies[s.id] ?? 0) + 1;
          yield* block(s.fin);
        }
        return;
      case "catch":
        try {
          yield* block(s.body);
        } catch (error) {
          if (error instanceof Cancelled && mutate !== "swallow-all") throw error;
          outcome.swallowed[s.id] = leafIds(error).sort((a, b) => a - b);
          if (outcome.swallowed[s.id]!.length === 0) delete outcome.swallowed[s.id];
        }
        return;
    }
  }

  let runner: Runner | null = null;
  try {
    await runWith({ clock }, function* () {
      runner = currentRun();
      yield* block(program);
    });
  } catch (error) {
    outcome.ok = false;
    const leaves = error instanceof ExceptionGroup ? error.leaves() : [error];
    outcome.cancelledEscaped = leaves.some((e) => e instanceof Cancelled);
    outcome.errors = leafIds(error).sort((a, b) => a - b);
    const strays = leaves.filter((e) => !(e instanceof Cancelled) && !(e instanceof ModelError));
    if (strays.length > 0) throw strays[0];
  }
  outcome.endTime = clock.currentTime();
  outcome.marks.sort((a, b) => a - b);
  return { outcome, runner: runner! };
}

function leafIds(error: unknown): number[] {
  const leaves = error instanceof ExceptionGroup ? error.leaves() : [error];
  return leaves.filter((e): e is ModelError => e instanceof ModelError).map((e) => e.id);
}

/**
 * Where the component runtime sends an error that has nowhere else to go: a
 * user callback (an `onError` reporter, a policy listener) that threw.
 *
 * Why so: such a callback runs inside the runtime's own bookkeeping (a
 * nursery's host, an instance ending). Letting its error travel on would
 * take down work that has nothing to do with it, or count an instance
 * twice. Rethrowing on a microtask would crash a Node process. So the
 * error is handed to the host's `reportError` (browsers, Deno: it fires the
 * window's "error" event, where page-level error monitoring listens, and
 * logs it), or to `console.error` where there is none (Node).
 */

import { listInStack } from "../core/errors.js";

/** An `onError` reporter threw while reporting `reported`; the reporter's own error is the `cause`. */
export class ReporterError extends Error {
  /** The error the reporter was given, so it is not lost either. */
  readonly reported: unknown;
  constructor(source: string, reported: unknown, cause: unknown) {
    super(`trio-asyncio: the onError reporter threw while reporting an error of ${source}. Reporters must not throw; the original error is in .reported.`, { cause });
    this.reported = reported;
  }
  override get name(): string {
    return "ReporterError";
  }
}

/** Reports an error no callback may handle: the host's `reportError`, else `console.error`. Never throws. */
export function reportUncaught(error: unknown): void {
  listInStack(error);
  const hostReport = (globalThis as { reportError?: unknown }).reportError;
  if (typeof hostReport === "function") {
    try {
      (hostReport as (error: unknown) => void)(error);
      return;
    } catch {
      // A host (or a test double) whose reportError throws: fall back to the console.
    }
  }
  try {
    console.error(error);
  } catch {
    // Nothing is left to report to.
  }
}

/** Calls an `onError` reporter; if it throws, both errors go to `reportUncaught` (as a `ReporterError`). Never throws. */
export function reportWith(reporter: (error: unknown, source: string) => void, error: unknown, source: string): void {
  try {
    // A group's stack lists the errors inside, for the console or service it goes to.
    reporter(listInStack(error), source);
  } catch (reporterError) {
    reportUncaught(new ReporterError(source, error, reporterError));
  }
}

/** Calls a user callback; if it throws, the error is reported with `reportUncaught` instead of travelling on. */
export function callIsolated(callback: () => void): void {
  try {
    callback();
  } catch (error) {
    reportUncaught(error);
  }
}

/**
 * Looking must not act: Trio's `cancel_called` cancels a scope whose
 * deadline has passed when asked, so an inspector that read it would cancel
 * scopes the scheduler had not yet reached. A scope whose deadline passed
 * in the middle of a step, and was then moved later before the next
 * checkpoint, is not cancelled, whether or not the inspector looked (the
 * inspector reads the side-effect-free flag, `cancelFlag`).
 */
import { afterEach, expect, it } from "vitest";
import { checkpoint, inspector, moveOnAfter, run } from "../../src/index.js";
import { observer } from "../../src/inspect/hooks.js";

afterEach(() => {
  expect(observer.current).toBe(null);
});

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin: the deadline passes while the task runs
  }
}

async function scenario(withInspector: boolean): Promise<{ cancelled: boolean; reason: string | undefined; reportedCancelCalled: boolean | null }> {
  const unsubscribe = withInspector ? inspector.subscribe(() => {}, { scheduleFrame: () => {} }) : () => {};
  try {
    return await run(function* () {
      let reportedCancelCalled: boolean | null = null;
      let reason: string | undefined;
      let reachedEnd = false;
      yield* moveOnAfter(0.005, function* (scope) {
        busyWait(15); // the deadline passes in the middle of this step
        if (withInspector) reportedCancelCalled = inspector.inspect().scopes.find((s) => s.id === scope.id)!.cancelCalled;
        reason = scope.cancelReason;
        scope.deadline = Infinity; // postponed before any checkpoint
        yield* checkpoint();
        reachedEnd = true;
      });
      return { cancelled: !reachedEnd, reason, reportedCancelCalled };
    });
  } finally {
    unsubscribe();
  }
}

it("inspect() does not cancel a scope whose deadline passed but was not yet acted on", async () => {
  const without = await scenario(false);
  expect(without).toEqual({ cancelled: false, reason: undefined, reportedCancelCalled: null });
  const withIt = await scenario(true);
  // The snapshot reports what the scheduler has acted on, and changes nothing.
  expect(withIt).toEqual({ cancelled: false, reason: undefined, reportedCancelCalled: false });
});

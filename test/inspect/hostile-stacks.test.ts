/**
 * Creation stacks under a hostile environment: a page whose
 * `Error.prepareStackTrace` throws (so reading any new Error's `stack`
 * throws), or whose `Error.stackTraceLimit` getter throws, while a subscriber captures stacks. Spawning must go on as it
 * would with no inspector: the spawn is not refused, the run ends, and the
 * inspector reports the failure without reading that stack itself.
 */
import { afterEach, expect, it, vi } from "vitest";
import { Event, inspector, openNursery, run, sleep } from "../../src/index.js";
import { observer } from "../../src/inspect/hooks.js";

type StackHooks = { prepareStackTrace?: unknown };

afterEach(() => {
  expect(inspector.subscriberCount()).toBe(0);
  expect(observer.current).toBe(null);
});

/** Makes reading a new Error's stack throw, in one of the ways a page can; returns the undo. */
type Hostility = () => () => void;

const prepareThrows: Hostility = () => {
  const E = Error as StackHooks;
  const before = E.prepareStackTrace;
  E.prepareStackTrace = () => {
    throw new Error("prepareStackTrace refuses");
  };
  return () => {
    E.prepareStackTrace = before;
  };
};

const limitThrows: Hostility = () => {
  const before = Object.getOwnPropertyDescriptor(Error, "stackTraceLimit");
  Object.defineProperty(Error, "stackTraceLimit", {
    configurable: true,
    get() {
      throw new Error("stackTraceLimit refuses");
    },
  });
  return () => {
    if (before === undefined) delete (Error as { stackTraceLimit?: unknown }).stackTraceLimit;
    else Object.defineProperty(Error, "stackTraceLimit", before);
  };
};

async function spawnWhileStacksThrow(captureStacks: boolean, hostility: Hostility): Promise<{ outcome: unknown; spawned: string[]; stack: string | undefined }> {
  const unsubscribe = inspector.subscribe(() => {}, { scheduleFrame: () => {}, captureStacks });
  const spawned: string[] = [];
  let stack: string | undefined;
  try {
    const outcome = await run(function* () {
      const release = new Event();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          const undo = hostility();
          try {
            const t = n.startSoonNamed("spawned while stacks throw", function* () {
              spawned.push("ran");
              yield* release.wait();
            });
            stack = inspector.creationStack(t.id);
          } finally {
            undo();
          }
          yield* sleep(0.005);
          release.set();
        });
      });
      return "done";
    });
    return { outcome, spawned, stack };
  } finally {
    unsubscribe();
  }
}

for (const [label, hostility] of [["Error.prepareStackTrace", prepareThrows], ["Error.stackTraceLimit getter", limitThrows]] as const) {
  it(`a throwing ${label} while capturing stacks neither refuses the spawn nor stalls the run`, async () => {
    // As a console does (Node's reads it at once): an Error argument is shown by its stack.
    const errors = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
      for (const a of args) if (a instanceof Error) void a.stack;
    });
    try {
      const without = await spawnWhileStacksThrow(false, hostility);
      const withStacks = await spawnWhileStacksThrow(true, hostility);
      expect(without).toEqual({ outcome: "done", spawned: ["ran"], stack: undefined });
      // The same outcome; no stack could be taken, so none is kept.
      expect(withStacks).toEqual({ outcome: "done", spawned: ["ran"], stack: undefined });
      // Nothing failed in the recorder: a stack that cannot be read is simply not kept.
      expect(errors).not.toHaveBeenCalled();
    } finally {
      errors.mockRestore();
    }
  }, 5000);
}

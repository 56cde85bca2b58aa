/**
 * Nothing is left behind in memory: after a run ends, its runner, its
 * asyncio loops and their futures must be collectable, whatever path the
 * run took (success, errors, cancellation from Trio, never-retrieved
 * exceptions). Checked with WeakRefs and a forced full collection (gc.ts),
 * ten runs per path, so a per-run leak cannot hide in noise.
 */
import { describe, expect, it } from "vitest";
import {
  ExceptionGroup,
  aioAsTrio,
  asyncio,
  currentRun,
  moveOnAfter,
  openLoop,
  openNursery,
  runWith,
  sleep,
  sleepForever,
  trioAsAio,
  type Operation,
} from "../../src/index.js";
import { MockClock } from "../../src/testing/index.js";
import { alive, collectGarbage } from "./gc.js";

const RUNS = 10;

interface Refs {
  runners: WeakRef<object>[];
  loops: WeakRef<object>[];
  futures: WeakRef<object>[];
}

async function repeat(body: (refs: Refs) => Operation<unknown>): Promise<Refs> {
  const refs: Refs = { runners: [], loops: [], futures: [] };
  for (let i = 0; i < RUNS; i++) {
    try {
      await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
        refs.runners.push(new WeakRef(currentRun()));
        return yield* body(refs);
      });
    } catch {
      // Outcomes are checked by the other test dirs; here only memory matters.
    }
  }
  await collectGarbage();
  return refs;
}

function expectCollected(refs: Refs): void {
  expect({ runners: alive(refs.runners), loops: alive(refs.loops), futures: alive(refs.futures) }).toEqual({ runners: 0, loops: 0, futures: 0 });
}

function* inLoop(refs: Refs, coroFn: (refs: Refs) => asyncio.Coroutine<unknown>): Operation<unknown> {
  return yield* openLoop(function* (loop) {
    refs.loops.push(new WeakRef(loop));
    return yield* aioAsTrio(coroFn)(refs);
  });
}

describe("finished runs and loops are collectable", () => {
  it("a Trio run with a failing nursery", async () => {
    const refs = await repeat(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* sleep(1);
          throw new Error("x");
        });
        n.startSoon(sleepForever);
      });
    });
    expectCollected(refs);
  });

  it("an asyncio Task whose exception is retrieved", async () => {
    const refs = await repeat((r) =>
      inLoop(r, function* (refs) {
        const t = asyncio.createTask(
          (function* (): asyncio.Coroutine<void> {
            yield* asyncio.sleep(0.1);
            throw new Error("retrieved");
          })(),
        );
        refs.futures.push(new WeakRef(t));
        try {
          yield* t;
        } catch {
          // retrieved
        }
      }),
    );
    expectCollected(refs);
  });

  it("a gather cancelled from Trio (its CancelledError holds the gather's frames)", async () => {
    const refs = await repeat((r) =>
      moveOnAfter(0.5, () =>
        inLoop(r, function* (refs) {
          const g = asyncio.gather(asyncio.sleep(5), asyncio.sleep(6));
          refs.futures.push(new WeakRef(g));
          yield* g;
        }),
      ),
    );
    expectCollected(refs);
  });

  it("a Task exception nobody retrieved (reported when the loop closes)", async () => {
    const refs = await repeat(function* (r) {
      try {
        yield* openLoop(function* (loop) {
          r.loops.push(new WeakRef(loop));
          const t = loop.createTask(
            (function* (): asyncio.Coroutine<void> {
              yield* asyncio.sleep(0.1);
              throw new Error("never retrieved");
            })(),
          );
          r.futures.push(new WeakRef(t));
          yield* sleep(1);
        });
      } catch (error) {
        if (!(error instanceof ExceptionGroup)) throw error;
      }
    });
    expectCollected(refs);
  });

  it("waitFor and timeout expiring", async () => {
    const refs = await repeat((r) =>
      inLoop(r, function* () {
        try {
          yield* asyncio.waitFor(asyncio.sleep(5), 0.5);
        } catch {
          // TimeoutError
        }
        try {
          yield* asyncio.timeout(0.5).run(function* () {
            yield* asyncio.sleep(5);
          });
        } catch {
          // TimeoutError
        }
      }),
    );
    expectCollected(refs);
  });

  it("a trioAsAio Future cancelled from asyncio, and a loop cancelled from Trio", async () => {
    const refs = await repeat((r) =>
      moveOnAfter(2, () =>
        inLoop(r, function* (refs) {
          const f = trioAsAio(function* () {
            yield* sleepForever();
          })();
          refs.futures.push(new WeakRef(f));
          yield* asyncio.sleep(0.5);
          f.cancel();
          try {
            yield* f;
          } catch {
            // CancelledError
          }
          yield* asyncio.sleep(10);
        }),
      ),
    );
    expectCollected(refs);
  });
});

/**
 * The loop's ready queue holds two kinds of entries: Handles (what callSoon
 * and timers schedule, cancellable) and the library's own callbacks (Task
 * steps, Future done callbacks), which have no Handle. It stores them in
 * chunks of a few hundred entries. These tests check, through the loop's
 * public behaviour, that neither the mix of kinds nor the chunk boundaries
 * change CPython's order, that cancelled Handles are skipped wherever they
 * sit, and that a failing callback without a Handle is still reported with
 * one.
 */
import { describe, expect, it } from "vitest";
import { Handle, type ExceptionContext } from "../../src/asyncio/index.js";
import { runAio, spin } from "./helpers.js";

describe("the ready queue", () => {
  it("keeps FIFO order across chunk boundaries for callSoon handles, done callbacks and task steps mixed", async () => {
    // A few thousand entries: several chunks. Every seventh handle is cancelled.
    const N = 3_000;
    const log: string[] = [];
    const expected: string[] = [];
    await runAio(function* (loop) {
      const futures = [];
      for (let i = 0; i < N; i++) {
        switch (i % 3) {
          case 0: {
            const h = loop.callSoon((n: number) => log.push(`soon ${n}`), i);
            if (i % 7 === 0) h.cancel();
            else expected.push(`soon ${i}`);
            break;
          }
          case 1: {
            // Already done: addDoneCallback schedules the callback at once, in this place of the queue.
            const f = loop.createFuture<number>();
            f.setResult(i);
            f.addDoneCallback((done) => log.push(`done ${done.result()}`));
            futures.push(f);
            expected.push(`done ${i}`);
            break;
          }
          default: {
            const n = i;
            loop.createTask(
              (function* () {
                log.push(`task ${n}`);
              })(),
            );
            expected.push(`task ${i}`);
          }
        }
      }
      expect(loop.pending.ready).toBe(N);
      yield* spin();
      expect(loop.pending.ready).toBe(0);
    });
    expect(log).toEqual(expected);
  });

  it("a queue that empties and refills many times keeps the order (a chain with a sibling per link)", async () => {
    const N = 2_000;
    const log: string[] = [];
    await runAio(function* (loop) {
      const done = loop.createFuture<void>();
      const link = (i: number) => {
        log.push(`link ${i}`);
        if (i === N) {
          done.setResult();
          return;
        }
        loop.callSoon(link, i + 1);
        loop.callSoon((n: number) => log.push(`sibling ${n}`), i);
      };
      loop.callSoon(link, 0);
      yield* done;
    });
    const expected: string[] = ["link 0"];
    for (let i = 0; i < N; i++) expected.push(`link ${i + 1}`, `sibling ${i}`);
    expect(log).toEqual(expected);
  });

  it("a done callback that throws is reported with a Handle naming it, and the rest of the iteration runs", async () => {
    const seen: ExceptionContext[] = [];
    const log: string[] = [];
    const boom = new RangeError("boom");
    await runAio(function* (loop) {
      loop.setExceptionHandler((_loop, context) => seen.push(context));
      const f = loop.createFuture<number>();
      f.addDoneCallback(function failingDoneCallback() {
        throw boom;
      });
      f.addDoneCallback(() => log.push("second"));
      f.setResult(1);
      yield* spin();
    });
    expect(log).toEqual(["second"]);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.exception).toBe(boom);
    expect(seen[0]!.handle).toBeInstanceOf(Handle);
    expect(String(seen[0]!.handle)).toContain("failingDoneCallback");
    expect(seen[0]!.message).toContain("failingDoneCallback");
  });

  it("Handle ids are unique and stable", async () => {
    await runAio(function* (loop) {
      const a = loop.callSoon(() => {});
      const b = loop.callSoon(() => {});
      const c = loop.callLater(1, () => {});
      const ids = [a.id, b.id, c.id];
      expect(new Set(ids).size).toBe(3);
      expect([a.id, b.id, c.id]).toEqual(ids);
      c.cancel();
      yield* spin();
    });
  });
});

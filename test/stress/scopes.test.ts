/**
 * Stress: ten thousand cancel scopes with staggered deadlines on an
 * autojumping MockClock.
 *
 * With autojump the clock lands exactly on each deadline, so the test can
 * demand exact times and the exact order of expiry: by deadline, ties in the
 * order the deadlines were set (the heap is FIFO among equals). Scopes whose
 * body finishes first, whose deadline moves, or that are shielded check that
 * every heap entry is removed as well as fired.
 */
import { describe, expect, it } from "vitest";
import { CancelScope, currentTime, moveOnAfter, openNursery, sleep, sleepForever, type Operation } from "../../src/index.js";
import { activeHostTimers, expectAllOnce, expectClean, prng, runKeep, scaled } from "./helpers.js";

const SCOPES = scaled(10_000);

describe(`${SCOPES} cancel scopes with staggered deadlines`, () => {
  it("each expires exactly at its deadline, in deadline order (ties first-come)", async () => {
    const random = prng(11);
    // 500 distinct deadlines, so many scopes share one.
    const deadlines = Array.from({ length: SCOPES }, () => 1 + Math.floor(random() * 500) / 100);
    const expiredAt = new Float64Array(SCOPES);
    const finallies = new Uint8Array(SCOPES);
    const order: number[] = [];
    const caught = new Uint8Array(SCOPES);
    function* waiter(i: number): Operation<void> {
      try {
        const scope = new CancelScope({ deadline: deadlines[i]! });
        yield* scope.run(function* () {
          yield* sleepForever();
        });
        if (scope.cancelledCaught) caught[i]!++;
        expiredAt[i] = currentTime();
        order.push(i);
      } finally {
        finallies[i]!++;
      }
    }
    const timers = activeHostTimers();
    const kept = await runKeep(function* () {
      yield* openNursery(function* (n) {
        for (let i = 0; i < SCOPES; i++) n.startSoon(waiter, i);
      });
    });
    expect(kept.ok).toBe(true);
    expectAllOnce("cancelledCaught", caught);
    expectAllOnce("finally", finallies);
    for (let i = 0; i < SCOPES; i++) if (expiredAt[i] !== deadlines[i]) expect({ i, at: expiredAt[i] }).toEqual({ i, at: deadlines[i] });
    const expected = Array.from({ length: SCOPES }, (_, i) => i).sort((a, b) => deadlines[a]! - deadlines[b]! || a - b);
    expect(order).toEqual(expected);
    expectClean(kept.runner, timers);
  });

  it("mixed: bodies that finish first, moved deadlines, shields; every heap entry is gone at the end", async () => {
    const random = prng(23);
    const kinds = Array.from({ length: SCOPES }, () => Math.floor(random() * 4));
    const finallies = new Uint8Array(SCOPES);
    const outcome = new Array<string>(SCOPES);
    const scopes = new Array<CancelScope>(SCOPES);
    function* worker(i: number): Operation<void> {
      try {
        const kind = kinds[i]!;
        const scope = new CancelScope({ deadline: 10 + (i % 97) / 10 });
        scopes[i] = scope;
        yield* scope.run(function* () {
          if (kind === 0) {
            yield* sleep(1 + (i % 13) / 10); // finishes before its deadline
          } else if (kind === 3) {
            // A shielded inner scope outlives the outer deadline, then the outer one is seen.
            yield* new CancelScope({ shield: true }).run(function* () {
              yield* sleep(30);
            });
            yield* sleepForever();
          } else {
            yield* sleepForever();
          }
        });
        outcome[i] = `${scope.cancelledCaught ? "caught" : "done"}@${currentTime()}`;
      } finally {
        finallies[i]!++;
      }
    }
    const kept = await runKeep(function* () {
      yield* openNursery(function* (n) {
        for (let i = 0; i < SCOPES; i++) n.startSoon(worker, i);
        // At t=5 move the deadlines of kind 1 earlier and of kind 2 later.
        n.startSoon(function* () {
          yield* sleep(5);
          for (let i = 0; i < SCOPES; i++) {
            if (kinds[i] === 1) scopes[i]!.deadline = 6 + (i % 7) / 10;
            else if (kinds[i] === 2) scopes[i]!.deadline = 40 + (i % 5);
          }
        });
      });
      return currentTime();
    });
    expect(kept.ok).toBe(true);
    expectAllOnce("finally", finallies);
    let end = 5;
    for (let i = 0; i < SCOPES; i++) {
      const kind = kinds[i]!;
      const at = kind === 0 ? 1 + (i % 13) / 10 : kind === 1 ? 6 + (i % 7) / 10 : kind === 2 ? 40 + (i % 5) : 30;
      end = Math.max(end, at);
      const expected = `${kind === 0 ? "done" : "caught"}@${at}`;
      if (outcome[i] !== expected) expect({ i, kind, outcome: outcome[i] }).toEqual({ i, kind, outcome: expected });
    }
    expect(kept.value).toBe(end);
    expectClean(kept.runner);
  });

  it(`one task enters ${SCOPES} scopes one after another`, async () => {
    let caught = 0;
    const kept = await runKeep(function* () {
      const start = currentTime();
      for (let i = 0; i < SCOPES; i++) {
        let s: CancelScope | null = null;
        yield* moveOnAfter(0.25, function* (scope) {
          s = scope;
          yield* sleepForever();
        });
        if (s!.cancelledCaught) caught++;
      }
      return currentTime() - start;
    });
    expect(kept.ok).toBe(true);
    expect(caught).toBe(SCOPES);
    expect(kept.value).toBe(SCOPES * 0.25);
    expectClean(kept.runner);
  });
});

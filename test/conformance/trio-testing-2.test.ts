/**
 * More conformance with Trio's tests of trio.testing (trio/_tests/
 * test_testing.py), for the tests trio-timeouts.test.ts and
 * trio-memory-streams.test.ts do not port. Each test names the Trio test
 * it follows; the code and wording are ours.
 *
 * Not ported: Sequencer (no counterpart here), _assert_raises and
 * _UnboundedByteQueue (private helpers), lockstep streams and
 * open_stream_to_socket_listener (no counterpart here).
 */
import { describe, expect, it } from "vitest";
import { Cancelled, CancelScope, cancelShieldedCheckpoint, checkpoint, checkpointIfCancelled, openNursery, runWith, sleep, currentTime, type Operation } from "../../src/core/index.js";
import { MockClock, assertCheckpoints, assertNoCheckpoints, waitAllTasksBlocked } from "../../src/testing/index.js";
import { rejection } from "../core/helpers.js";

describe("Trio test_testing (more)", () => {
  // test_wait_all_tasks_blocked_with_timeouts
  it("a clock jump past a sleeper's deadline wakes it by the time waitAllTasksBlocked returns", async () => {
    const record: string[] = [];
    const clock = new MockClock();
    await runWith({ clock }, function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          record.push("tt start");
          yield* sleep(5);
          record.push("tt finished");
        });
        yield* waitAllTasksBlocked();
        expect(record).toEqual(["tt start"]);
        clock.jump(10);
        yield* waitAllTasksBlocked();
        expect(record).toEqual(["tt start", "tt finished"]);
        expect(currentTime()).toBe(10);
      });
    });
  });

  // test_wait_all_tasks_blocked_with_cushion, on the real clock: a task
  // that keeps sleeping briefly ends the idle periods the waiters with a
  // cushion longer than its sleeps need, so they wake only after it ends;
  // the waiter without a cushion wakes at its first sleep. (Trio sleeps
  // 0.01 s against cushions of 0.02 and 0.03; ours have more room, so a
  // late timer on a loaded machine does not reorder them.)
  it("on the real clock, a sleeper's short sleeps hold back waiters with longer cushions; the one without wakes at once", async () => {
    const record: string[] = [];
    await runWith({}, function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          record.push("blink start");
          for (let i = 0; i < 3; i++) yield* sleep(0.01);
          record.push("blink end");
        });
        n.startSoon(function* () {
          yield* waitAllTasksBlocked();
          record.push("no cushion");
        });
        for (const [name, cushion] of [["small", 0.15], ["small", 0.15], ["big", 0.25]] as const) {
          n.startSoon(function* () {
            yield* waitAllTasksBlocked(cushion);
            record.push(name);
          });
        }
      });
    });
    expect(record).toEqual(["blink start", "no cushion", "blink end", "small", "small", "big"]);
  });

  // test_wait_all_tasks_blocked (the cancellation part)
  it("a waitAllTasksBlocked waiter cancelled by its nursery raises Cancelled", async () => {
    const record: string[] = [];
    await runWith({ clock: new MockClock() }, function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          try {
            yield* waitAllTasksBlocked(Infinity);
          } catch (error) {
            if (error instanceof Cancelled) record.push("ok");
            throw error;
          }
        });
        n.cancelScope.cancel();
      });
    });
    expect(record).toEqual(["ok"]);
  });

  // test_assert_checkpoints
  it("assertCheckpoints passes an operation that checkpoints and fails one that does not", async () => {
    await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
      yield* assertCheckpoints(checkpoint());
      yield* assertCheckpoints(
        (function* (): Operation<void> {
          yield* checkpointIfCancelled();
          yield* cancelShieldedCheckpoint();
        })(),
      );
      expect(yield* assertCheckpoints(sleep(1))).toBeUndefined();
    });
    const error = await rejection(
      runWith({ clock: new MockClock() }, function* () {
        yield* assertCheckpoints(
          (function* (): Operation<number> {
            return 1 + 1;
          })(),
        );
      }),
    );
    expect(error).toBeInstanceOf(Error);
    // A checkpointIfCancelled alone, outside a cancelled scope, does not
    // yield: not a checkpoint, as in Trio.
    const partial = await rejection(
      runWith({ clock: new MockClock() }, function* () {
        yield* assertCheckpoints(checkpointIfCancelled());
      }),
    );
    expect(partial).toBeInstanceOf(Error);
  });

  // test_assert_no_checkpoints
  it("assertNoCheckpoints passes plain code and fails a checkpoint or a schedule point", async () => {
    await runWith({ clock: new MockClock() }, function* () {
      expect(
        yield* assertNoCheckpoints(
          (function* (): Operation<number> {
            return 1 + 1;
          })(),
        ),
      ).toBe(2);
    });
    for (const op of [() => checkpoint(), () => cancelShieldedCheckpoint()]) {
      const error = await rejection(
        runWith({ clock: new MockClock() }, function* () {
          yield* assertNoCheckpoints(op());
        }),
      );
      expect(error).toBeInstanceOf(Error);
    }
  });

  // test_assert_checkpoints / test_assert_no_checkpoints, partial yields:
  // a schedule point without a cancel point, or the other way round, is no
  // checkpoint, and it is not "no checkpoint" either.
  it("a lone cancelShieldedCheckpoint or uncancelled checkpointIfCancelled fails both assertions; the pair passes assertCheckpoints only", async () => {
    for (const partial of [() => checkpointIfCancelled(), () => cancelShieldedCheckpoint()]) {
      for (const assertion of [assertCheckpoints, assertNoCheckpoints]) {
        const error = await rejection(
          runWith({ clock: new MockClock() }, function* () {
            yield* assertion(partial());
          }),
        );
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).message).toMatch(/^assert(No)?Checkpoints: /);
      }
    }
    const both = await rejection(
      runWith({ clock: new MockClock() }, function* () {
        yield* assertNoCheckpoints(
          (function* (): Operation<void> {
            yield* checkpointIfCancelled();
            yield* cancelShieldedCheckpoint();
          })(),
        );
      }),
    );
    expect((both as Error).message).toMatch(/yielded to the scheduler 1 time\(s\) and passed 1 cancel point\(s\)/);
    await runWith({ clock: new MockClock() }, function* () {
      // In a cancelled scope checkpointIfCancelled yields, and raises.
      yield* new CancelScope().run(function* (scope) {
        scope.cancel();
        yield* assertCheckpoints(checkpointIfCancelled());
      });
    });
  });
});

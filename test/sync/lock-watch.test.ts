/**
 * A lock watches the end of its owner while tasks wait for it (so it can
 * break if the owner ends holding it, see lock-breakers.test.ts). The watch
 * is one hook per task, however often the lock changes hands: a hook per
 * hand-off made a chain that grew with every turn of a contended lock, and
 * ending a task after some tens of thousands of turns overflowed the stack
 * inside the scheduler (TrioInternalError, run abandoned).
 */
import { describe, expect, it } from "vitest";
import { BrokenResourceError, Lock, openNursery, sleep, type Operation } from "../../src/index.js";
import { runMock } from "./helpers.js";

describe("the watch of a lock's owner", () => {
  it("three tasks taking turns on a lock 60000 times each end cleanly", async () => {
    const lock = new Lock();
    let turns = 0;
    await runMock(function* () {
      yield* openNursery(function* (n) {
        for (let k = 0; k < 3; k++) {
          n.startSoon(function* (): Operation<void> {
            for (let i = 0; i < 60000; i++) {
              yield* lock.acquire();
              turns++;
              lock.release();
            }
          });
        }
      });
    });
    expect(turns).toBe(180000);
    expect(lock.statistics()).toEqual({ locked: false, owner: null, tasksWaiting: 0 });
  }, 30000);

  it("an owner ending with two contended locks breaks both; a third it handed off before it ended stays whole", async () => {
    const [a, b, c] = [new Lock(), new Lock(), new Lock()];
    const log: string[] = [];
    function* waitFor(lock: Lock, name: string): Operation<void> {
      try {
        yield* lock.acquire();
        log.push(`${name} acquired`);
        lock.release();
      } catch (error) {
        log.push(`${name} ${error instanceof BrokenResourceError ? "broken" : String(error)}`);
      }
    }
    await runMock(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* a.acquire();
          yield* b.acquire();
          yield* c.acquire();
          yield* sleep(2); // waiters queue on all three
          c.release(); // handed to the waiter: the owner's watch of c must end here
          yield* sleep(1);
          // ends holding a and b
        });
        yield* sleep(1);
        n.startSoon(waitFor, a, "a");
        n.startSoon(waitFor, b, "b");
        n.startSoon(function* () {
          yield* c.acquire();
          log.push("c acquired");
          yield* sleep(5); // still holding c when the first owner ends
          c.release();
        });
      });
    });
    expect(log.sort()).toEqual(["a broken", "b broken", "c acquired"]);
    expect(c.statistics()).toEqual({ locked: false, owner: null, tasksWaiting: 0 });
  });
});

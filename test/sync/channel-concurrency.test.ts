// Memory channels under concurrency: cancellation of blocked tasks, many senders and receivers,
// plain-code producers, and a randomized exactly-once check.
import { describe, expect, it } from "vitest";
import {
  CancelScope,
  EndOfChannel,
  currentRun,
  moveOnAfter,
  openNursery,
  runWith,
  sleep,
  type Operation,
} from "../../src/core/index.js";
import { openMemoryChannel, type MemoryReceiveChannel, type MemorySendChannel } from "../../src/sync/channel.js";
import { MockClock, waitAllTasksBlocked } from "../../src/testing/index.js";
import { prng } from "../stress/helpers.js";
import { leftovers } from "../../src/core/runner.js";

function runMock<T>(main: () => Operation<T>): Promise<T> {
  return runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, main);
}

describe("cancellation of blocked tasks", () => {
  it("a cancelled blocked sender's value is never delivered", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<string>(0);
      const scope = new CancelScope();
      let outcome = "";
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(function* () {
            yield* tx.send("cancelled");
          });
          outcome = scope.cancelledCaught ? "cancelled" : "sent";
        });
        n.startSoon(function* () {
          yield* tx.send("kept");
        });
        yield* waitAllTasksBlocked();
        expect(tx.statistics().tasksWaitingSend).toBe(2);
        scope.cancel();
        expect(tx.statistics().tasksWaitingSend).toBe(1);
        expect(yield* rx.receive()).toBe("kept");
      });
      expect(outcome).toBe("cancelled");
      expect(rx.statistics()).toMatchObject({ tasksWaitingSend: 0, currentBufferUsed: 0 });
    });
  });

  it("cancelling the middle of three blocked senders keeps the others in order", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(1);
      yield* tx.send(0);
      const scopes = [new CancelScope(), new CancelScope(), new CancelScope()];
      yield* openNursery(function* (n) {
        for (let i = 0; i < 3; i++) {
          n.startSoon(function* () {
            yield* scopes[i]!.run(function* () {
              yield* tx.send(i + 1);
            });
          });
          yield* waitAllTasksBlocked();
        }
        scopes[1]!.cancel();
        const got = [yield* rx.receive(), yield* rx.receive(), yield* rx.receive()];
        expect(got).toEqual([0, 1, 3]);
        expect(rx.statistics()).toMatchObject({ currentBufferUsed: 0, tasksWaitingSend: 0 });
      });
    });
  });

  it("a cancelled blocked receiver consumes nothing; the next value goes to the next receiver", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(0);
      const scope = new CancelScope();
      const got: string[] = [];
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(function* () {
            got.push(`first:${yield* rx.receive()}`);
          });
        });
        yield* waitAllTasksBlocked();
        n.startSoon(function* () {
          got.push(`second:${yield* rx.receive()}`);
        });
        yield* waitAllTasksBlocked();
        scope.cancel();
        expect(rx.statistics().tasksWaitingReceive).toBe(1);
        yield* tx.send(1);
      });
      expect(got).toEqual(["second:1"]);
    });
  });

  it("a value handed to a receiver is kept even if its scope is cancelled before it runs", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(0);
      const scope = new CancelScope();
      const got: number[] = [];
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(function* () {
            got.push(yield* rx.receive());
          });
        });
        yield* waitAllTasksBlocked();
        tx.sendNowait(5);
        scope.cancel(); // the receiver is already rescheduled with 5
      });
      expect(got).toEqual([5]);
    });
  });

  it("a sender woken by a receive completes even if cancelled before it runs", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(0);
      const scope = new CancelScope();
      let completed = false;
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(function* () {
            yield* tx.send(5);
            completed = true;
          });
        });
        yield* waitAllTasksBlocked();
        expect(rx.receiveNowait()).toBe(5);
        scope.cancel();
      });
      expect(completed).toBe(true);
    });
  });

  it("receive with a timeout in a loop leaves no stale waiters", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(0);
      let timeouts = 0;
      for (let i = 0; i < 100; i++) {
        const r = yield* moveOnAfter(1, function* () {
          return yield* rx.receive();
        });
        if (r === undefined) timeouts++;
        expect(rx.statistics().tasksWaitingReceive).toBe(0);
      }
      expect(timeouts).toBe(100);
      for (let i = 0; i < 100; i++) {
        yield* moveOnAfter(1, function* () {
          yield* tx.send(i);
        });
      }
      expect(tx.statistics().tasksWaitingSend).toBe(0);
      const run = currentRun();
      expect(leftovers(run).deadlines).toBe(0);
    });
  });
});

describe("many senders and receivers", () => {
  it.each([[0], [1], [7], [Infinity]])("each value is delivered exactly once (buffer %s)", async (size) => {
    const SENDERS = 10;
    const PER_SENDER = 100;
    const RECEIVERS = 5;
    const counts = new Map<number, number>();
    const perReceiver: number[] = [];
    let runRef: ReturnType<typeof currentRun> | undefined;
    await runMock(function* () {
      runRef = currentRun();
      const [tx, rx] = openMemoryChannel<number>(size);
      yield* openNursery(function* (n) {
        for (let s = 0; s < SENDERS; s++) {
          n.startSoon(function* (t: MemorySendChannel<number>) {
            for (let i = 0; i < PER_SENDER; i++) {
              yield* t.send(s * PER_SENDER + i);
              if (i % 17 === 0) yield* sleep(0.01 * s);
            }
            t.close();
          }, tx.clone());
        }
        for (let r = 0; r < RECEIVERS; r++) {
          n.startSoon(function* (rr: MemoryReceiveChannel<number>) {
            let mine = 0;
            yield* rr.forEach(function* (v) {
              counts.set(v, (counts.get(v) ?? 0) + 1);
              mine++;
              if (v % 13 === 0) yield* sleep(0.005);
            });
            perReceiver.push(mine);
            rr.close();
          }, rx.clone());
        }
        tx.close();
        rx.close();
      });
    });
    expect(counts.size).toBe(SENDERS * PER_SENDER);
    for (const c of counts.values()) expect(c).toBe(1);
    expect(perReceiver.length).toBe(RECEIVERS);
    expect(perReceiver.reduce((a, b) => a + b, 0)).toBe(SENDERS * PER_SENDER);
    expect(leftovers(runRef!)).toMatchObject({ tasks: 0, deadlines: 0, hostTimer: false });
  });

  it("random timeouts on both sides never lose or duplicate a value", async () => {
    for (const seed of [1, 2, 3]) {
      const rand = prng(seed);
      const SENDERS = 6;
      const PER_SENDER = 40;
      const received = new Map<number, number>();
      let retries = 0;
      let receiveTimeouts = 0;
      await runMock(function* () {
        const [tx, rx] = openMemoryChannel<number>(seed - 1); // buffers 0, 1, 2
        yield* openNursery(function* (n) {
          for (let s = 0; s < SENDERS; s++) {
            n.startSoon(function* (t: MemorySendChannel<number>) {
              for (let i = 0; i < PER_SENDER; i++) {
                const value = s * PER_SENDER + i;
                // Retry until the send completes: a cancelled send delivered nothing.
                for (;;) {
                  const scope = new CancelScope({ relativeDeadline: rand() * 0.02 });
                  yield* scope.run(function* () {
                    yield* t.send(value);
                  });
                  if (!scope.cancelledCaught) break;
                  retries++;
                }
                if (rand() < 0.2) yield* sleep(rand() * 0.05);
              }
              t.close();
            }, tx.clone());
          }
          for (let r = 0; r < 4; r++) {
            n.startSoon(function* (rr: MemoryReceiveChannel<number>) {
              for (;;) {
                let ended = false;
                const scope = new CancelScope({ relativeDeadline: rand() * 0.02 });
                yield* scope.run(function* () {
                  try {
                    const v = yield* rr.receive();
                    received.set(v, (received.get(v) ?? 0) + 1);
                  } catch (error) {
                    if (!(error instanceof EndOfChannel)) throw error;
                    ended = true;
                  }
                });
                if (ended) return;
                if (scope.cancelledCaught) receiveTimeouts++;
                yield* sleep(rand() * 0.01);
              }
            }, rx.clone());
          }
          tx.close();
          rx.close();
        });
      });
      expect(received.size).toBe(SENDERS * PER_SENDER);
      for (const c of received.values()) expect(c).toBe(1);
      // The test only means something if cancellations really happened on both sides.
      expect(retries).toBeGreaterThan(0);
      expect(receiveTimeouts).toBeGreaterThan(0);
    }
  });
});

describe("plain code at the edges", () => {
  it("sendNowait from a host callback wakes a blocked receiver", async () => {
    const [tx, rx] = openMemoryChannel<string>(0);
    const got = await runWith({ clock: new MockClock() }, function* () {
      setTimeout(() => {
        tx.sendNowait("from outside");
        tx.close();
      }, 0);
      const out: string[] = [];
      yield* rx.forEach(function* (v) {
        out.push(v);
      });
      return out;
    });
    expect(got).toEqual(["from outside"]);
  });

  it("receiveNowait from plain code takes a value and wakes the blocked sender", async () => {
    const [tx, rx] = openMemoryChannel<number>(0);
    const done = runWith({ clock: new MockClock() }, function* () {
      yield* tx.send(1);
      yield* tx.send(2);
      return "both sent";
    });
    const got: number[] = [];
    while (got.length < 2) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      try {
        got.push(rx.receiveNowait());
      } catch {
        // not yet blocked in send
      }
    }
    await expect(done).resolves.toBe("both sent");
    expect(got).toEqual([1, 2]);
  });
});

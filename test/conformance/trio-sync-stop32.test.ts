/**
 * The rules of Trio's trio/_tests/test_channel.py that the other channel
 * files do not pin yet: several producers on clones, several receive
 * handles of which one is closed, an unbounded buffer drained by forEach.
 * Our tests, Trio's rules.
 */
import { describe, expect, it } from "vitest";
import { ClosedResourceError, openNursery } from "../../src/core/index.js";
import { openMemoryChannel, type MemorySendChannel } from "../../src/sync/index.js";
import { waitAllTasksBlocked } from "../../src/testing/index.js";
import { runMock } from "../sync/helpers.js";

describe("Trio test_channel (more)", () => {
  // test_channel_multiple_producers
  it("ten producers on clones of an unbuffered sender: the receiver's loop ends once the last clone is closed, with every value", async () => {
    const got = await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(0);
      const got: number[] = [];
      yield* openNursery(function* (n) {
        function* producer(send: MemorySendChannel<number>, i: number) {
          try {
            for (let j = 3 * i; j < 3 * (i + 1); j++) yield* send.send(j);
          } finally {
            send.close();
          }
        }
        for (let i = 0; i < 10; i++) n.startSoon(producer, tx.clone(), i);
        tx.close();
        yield* rx.forEach(function* (v) {
          got.push(v);
        });
      });
      return got;
    });
    expect([...got].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  // test_close_multiple_receive_handles
  it("closing one receive handle wakes only the receivers waiting on it; a receiver on another clone still gets the value", async () => {
    const log = await runMock(function* () {
      const [tx, r1] = openMemoryChannel<string>(0);
      const r2 = r1.clone();
      const log: string[] = [];
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          try {
            yield* r1.receive();
            log.push("r1 received");
          } catch (error) {
            log.push(error instanceof ClosedResourceError ? "r1 closed" : String(error));
          }
        });
        n.startSoon(function* () {
          log.push(`r2 got ${yield* r2.receive()}`);
        });
        yield* waitAllTasksBlocked();
        yield* r1.aclose();
        yield* tx.send("ok");
      });
      return log;
    });
    expect(log).toEqual(["r1 closed", "r2 got ok"]);
  });

  // test_inf_capacity
  it("an unbounded channel takes any number of sendNowait calls, and forEach drains them in order after close", async () => {
    const got = await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(Infinity);
      for (let i = 0; i < 10; i++) tx.sendNowait(i);
      tx.close();
      const got: number[] = [];
      yield* rx.forEach(function* (v) {
        got.push(v);
      });
      return got;
    });
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

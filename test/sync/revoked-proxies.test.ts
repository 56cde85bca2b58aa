/**
 * A revoked Proxy where src/sync checks a class: the check must answer "not
 * one" and name the fix (plain `instanceof` on a revoked Proxy throws the
 * engine's "Cannot perform 'getPrototypeOf'"). As what a receiver raises, it
 * reaches the caller as it is (the library's error classes answer
 * `instanceof` totally; pinned here for the receive loops).
 */
import { describe, expect, it } from "vitest";
import { Condition, ParkingLot, memoryStreamOneWayPair, openMemoryChannel, run, type Operation } from "../../src/index.js";
import { forEachReceived, receiveOrEnd, type Receiver } from "../../src/sync/receive-loop.js";
import { ENGINE_WORDS, revoked } from "../bad-input/hostile.js";

describe("a revoked Proxy where a sync primitive wants one of its classes", () => {
  it("ParkingLot.repark and reparkAll name the lot they need", () => {
    const lot = new ParkingLot();
    for (const act of [() => lot.repark(revoked()), () => lot.reparkAll(revoked())]) {
      expect(act).toThrow(TypeError);
      expect(act).toThrow(/^ParkingLot\.repark(All)?\(newLot\) needs a ParkingLot to move tasks to, got an object that cannot be inspected \(a revoked Proxy\?\)\.$/);
      expect(act).not.toThrow(ENGINE_WORDS);
    }
  });

  it("new Condition names the Lock it needs", () => {
    expect(() => new Condition(revoked())).toThrow(/^new Condition\(lock\) takes a Lock \(or nothing, to make its own\), got an object that cannot be inspected/);
  });
});

describe("a revoked Proxy raised by a receiver", () => {
  it("reaches the caller of receiveOrEnd and forEach as it is, not as an engine TypeError", async () => {
    const ghost = revoked();
    const receiver: Receiver<number> = {
      *receive() {
        throw ghost;
      },
    };
    const loops: (() => Operation<unknown>)[] = [() => receiveOrEnd(receiver), () => forEachReceived(receiver, function* () {})];
    for (const loop of loops) {
      let raised: unknown = "nothing";
      try {
        await run(loop);
      } catch (error) {
        raised = error;
      }
      expect(raised).toBe(ghost);
    }
  });
});

describe("a body for the receive loops that can never run", () => {
  it("a revoked Proxy of a function or an async function is refused before anything is taken", async () => {
    const [tx, rx] = openMemoryChannel<number>(1);
    tx.sendNowait(1);
    tx.close();
    const [, stream] = memoryStreamOneWayPair();
    stream.putData(new Uint8Array([1, 2]));
    const messages: string[] = [];
    const loops: (() => Operation<unknown>)[] = [
      () => rx.forEach(revoked(true)),
      () => rx.forEach((async () => {}) as never),
      () => stream.forEach(revoked(true)),
    ];
    for (const loop of loops) {
      try {
        await run(loop);
      } catch (error) {
        messages.push(String(error));
      }
    }
    expect(messages).toEqual([
      "TypeError: forEach(body) needs a generator function (function*), got a function that cannot be inspected (a revoked Proxy?). Pass the function itself.",
      expect.stringMatching(/^TypeError: forEach\(body\) got an async function \(anonymous\)\. Tasks are generator functions/),
      "TypeError: forEachChunk(stream, body) needs a generator function (function*), got a function that cannot be inspected (a revoked Proxy?). Pass the function itself.",
    ]);
    // Nothing was taken for a body that could not run.
    expect(rx.receiveNowait()).toBe(1);
    expect(stream.pendingBytes).toBe(2);
  });
});

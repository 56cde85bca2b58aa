/**
 * A revoked Proxy where src/sync checks a class: the check must answer "not
 * one" and name the fix (plain `instanceof` on a revoked Proxy throws the
 * engine's "Cannot perform 'getPrototypeOf'"). As what a receiver raises, it
 * reaches the caller as it is (the library's error classes answer
 * `instanceof` totally; pinned here for the receive loops).
 */
import { describe, expect, it } from "vitest";
import { Condition, ParkingLot, run, type Operation } from "../../src/index.js";
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

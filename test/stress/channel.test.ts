/**
 * Stress: one memory channel shared by a thousand senders and a thousand
 * receivers, each with its own clone of the end it uses.
 *
 * The channel ends only when the last send clone closes, so every receiver
 * must see EndOfChannel exactly once after the last value, and every value
 * must arrive exactly once. Run unbuffered (every send a rendezvous), with a
 * small buffer, and with a cancellation in the middle (no value may be
 * duplicated, and a value whose send was cancelled must not arrive).
 */
import { describe, expect, it } from "vitest";
import {
  Cancelled,
  moveOnAfter,
  openMemoryChannel,
  openNursery,
  sleep,
  type MemoryReceiveChannel,
  type MemorySendChannel,
  type Operation,
} from "../../src/index.js";
import { expectAllOnce, expectClean, prng, runKeep, scaled } from "./helpers.js";

const SENDERS = scaled(1000);
const RECEIVERS = scaled(1000);
const PER_SENDER = 20;

function* sender(tx: MemorySendChannel<number>, s: number, jitter: number, sent: Uint8Array, finallies: Uint8Array): Operation<void> {
  try {
    for (let k = 0; k < PER_SENDER; k++) {
      if (jitter > 0 && (s + k) % 3 === 0) yield* sleep(jitter);
      const v = s * PER_SENDER + k;
      yield* tx.send(v);
      sent[v]!++;
    }
  } finally {
    tx.close();
    finallies[s]!++;
  }
}

function* receiver(rx: MemoryReceiveChannel<number>, r: number, received: Uint8Array, ends: Uint8Array, finallies: Uint8Array): Operation<void> {
  try {
    for (;;) {
      const next = yield* rx.receiveOrEnd();
      if (next.done) {
        ends[r]!++;
        return;
      }
      received[next.value]!++;
    }
  } finally {
    rx.close();
    finallies[r]!++;
  }
}

describe(`a memory channel with ${SENDERS} senders and ${RECEIVERS} receivers`, () => {
  for (const buffer of [0, 16]) {
    it(`buffer ${buffer}: every value once, every receiver sees the end once`, async () => {
      const total = SENDERS * PER_SENDER;
      const sent = new Uint8Array(total);
      const received = new Uint8Array(total);
      const ends = new Uint8Array(RECEIVERS);
      const sFin = new Uint8Array(SENDERS);
      const rFin = new Uint8Array(RECEIVERS);
      let stats: unknown = null;
      const kept = await runKeep(function* () {
        const [tx, rx] = openMemoryChannel<number>(buffer);
        yield* openNursery(function* (n) {
          for (let r = 0; r < RECEIVERS; r++) n.startSoon(receiver, rx.clone(), r, received, ends, rFin);
          for (let s = 0; s < SENDERS; s++) n.startSoon(sender, tx.clone(), s, s % 2 === 0 ? 0.01 : 0, sent, sFin);
          tx.close();
          rx.close();
        });
        stats = tx.statistics();
      });
      expect(kept.ok).toBe(true);
      expectAllOnce("sent", sent);
      expectAllOnce("received", received);
      expectAllOnce("end seen", ends);
      expectAllOnce("sender finally", sFin);
      expectAllOnce("receiver finally", rFin);
      expect(stats).toMatchObject({ currentBufferUsed: 0, openSendChannels: 0, openReceiveChannels: 0, tasksWaitingSend: 0, tasksWaitingReceive: 0 });
      expectClean(kept.runner);
    });
  }

  it("cancelled half-way: no value twice, no value whose send was cancelled, every finally once", async () => {
    const total = SENDERS * PER_SENDER;
    const sent = new Uint8Array(total);
    const received = new Uint8Array(total);
    const ends = new Uint8Array(RECEIVERS);
    const sFin = new Uint8Array(SENDERS);
    const rFin = new Uint8Array(RECEIVERS);
    const random = prng(5);
    const kept = await runKeep(function* () {
      const [tx, rx] = openMemoryChannel<number>(0);
      let cancelledSenders = 0;
      yield* moveOnAfter(0.05, function* () {
        yield* openNursery(function* (n) {
          for (let r = 0; r < RECEIVERS; r++) n.startSoon(receiver, rx.clone(), r, received, ends, rFin);
          for (let s = 0; s < SENDERS; s++) {
            const jitter = 0.005 + Math.floor(random() * 10) / 1000;
            const mine = tx.clone();
            n.startSoon(function* () {
              try {
                yield* sender(mine, s, jitter, sent, sFin);
              } catch (error) {
                if (error instanceof Cancelled) cancelledSenders++;
                throw error;
              }
            });
          }
          tx.close();
          rx.close();
        });
      });
      return cancelledSenders;
    });
    expect(kept.ok).toBe(true);
    expect(kept.value).toBeGreaterThan(0);
    let delivered = 0;
    for (let v = 0; v < total; v++) {
      // A value is received iff its send completed: rendezvous hands it over atomically.
      if (received[v] !== sent[v]) expect({ v, sent: sent[v], received: received[v] }).toEqual({ v, sent: sent[v], received: sent[v] });
      if (received[v]! > 1) expect({ v, received: received[v] }).toEqual({ v, received: 1 });
      delivered += received[v]!;
    }
    expect(delivered).toBeGreaterThan(0);
    expect(delivered).toBeLessThan(total);
    expectAllOnce("sender finally", sFin);
    expectAllOnce("receiver finally", rFin);
    expectClean(kept.runner);
  });
});

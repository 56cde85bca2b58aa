// Memory channels: construction, buffering, the close/end/broken/closed rules, clones, checkpoints.
import { describe, expect, it } from "vitest";
import {
  BrokenResourceError,
  Cancelled,
  CancelScope,
  ClosedResourceError,
  EndOfChannel,
  RuntimeError,
  WouldBlock,
  openNursery,
  runWith,
  type Operation,
} from "../../src/core/index.js";
import { openMemoryChannel, type MemoryReceiveChannel, type MemorySendChannel } from "../../src/sync/channel.js";
import { MockClock, assertCheckpoints, waitAllTasksBlocked } from "../../src/testing/index.js";

function runMock<T>(main: () => Operation<T>): Promise<T> {
  return runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, main);
}

/** Runs `op` and returns what it raised; fails if it returned. */
function* errorOf(op: Operation<unknown>): Operation<unknown> {
  try {
    yield* op;
  } catch (error) {
    return error;
  }
  throw new Error("expected the operation to raise");
}

function syncErrorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to raise");
}

describe("openMemoryChannel: input", () => {
  it.each([["3"], [undefined], [null], [{}], [2n]])("rejects %s with a TypeError", (size) => {
    expect(() => openMemoryChannel(size as number)).toThrow(TypeError);
    expect(() => openMemoryChannel(size as number)).toThrow(/0 for an unbuffered channel/);
  });

  it.each([[-1], [1.5], [NaN], [-Infinity]])("rejects %s with a RangeError", (size) => {
    expect(() => openMemoryChannel(size)).toThrow(RangeError);
    expect(() => openMemoryChannel(size)).toThrow(/non-negative integer or Infinity/);
  });

  it("accepts 0, a positive integer and Infinity", () => {
    for (const size of [0, 3, Infinity]) {
      const [tx, rx] = openMemoryChannel<number>(size);
      expect(tx.statistics()).toEqual({
        currentBufferUsed: 0,
        maxBufferSize: size,
        openSendChannels: 1,
        openReceiveChannels: 1,
        tasksWaitingSend: 0,
        tasksWaitingReceive: 0,
      });
      expect(rx.statistics()).toEqual(tx.statistics());
    }
  });

  it("send and receive outside a task raise a RuntimeError naming the fix", () => {
    const [tx, rx] = openMemoryChannel<number>(1);
    expect(() => tx.send(1).next()).toThrow(RuntimeError);
    expect(() => rx.receive().next()).toThrow(/inside a task/);
  });
});

describe("buffering", () => {
  it("keeps order in a buffered channel and blocks nowait sends when full", () => {
    const [tx, rx] = openMemoryChannel<number>(3);
    tx.sendNowait(1);
    tx.sendNowait(2);
    tx.sendNowait(3);
    expect(syncErrorOf(() => tx.sendNowait(4))).toBeInstanceOf(WouldBlock);
    expect(tx.statistics().currentBufferUsed).toBe(3);
    expect([rx.receiveNowait(), rx.receiveNowait(), rx.receiveNowait()]).toEqual([1, 2, 3]);
    expect(syncErrorOf(() => rx.receiveNowait())).toBeInstanceOf(WouldBlock);
  });

  it("keeps order across ring-buffer wrap-around and growth", () => {
    const [tx, rx] = openMemoryChannel<number>(Infinity);
    const out: number[] = [];
    let next = 0;
    // Interleave pushes and shifts so the head wraps while the ring doubles.
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < round + 3; i++) tx.sendNowait(next++);
      for (let i = 0; i < round + 1; i++) out.push(rx.receiveNowait());
    }
    while (rx.statistics().currentBufferUsed > 0) out.push(rx.receiveNowait());
    expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
  });

  it("an Infinity buffer never blocks a sender", async () => {
    const [tx, rx] = openMemoryChannel<number>(Infinity);
    const got = await runMock(function* () {
      for (let i = 0; i < 5000; i++) yield* tx.send(i);
      expect(tx.statistics().currentBufferUsed).toBe(5000);
      tx.close();
      const values: number[] = [];
      yield* rx.forEach(function* (v) {
        values.push(v);
      });
      return values;
    });
    expect(got.length).toBe(5000);
    expect(got[4999]).toBe(4999);
  });

  it("an unbuffered channel is a rendezvous", async () => {
    const log: string[] = [];
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<string>(0);
      expect(() => tx.sendNowait("x")).toThrow(WouldBlock);
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* tx.send("a");
          log.push("sent a");
        });
        yield* waitAllTasksBlocked();
        expect(tx.statistics().tasksWaitingSend).toBe(1);
        expect(tx.statistics().currentBufferUsed).toBe(0);
        log.push("receiving");
        log.push(`got ${yield* rx.receive()}`);
      });
    });
    // The sender completed only once the receiver came: nothing was buffered.
    expect(log.indexOf("receiving")).toBe(0);
    expect(log.slice(1).sort()).toEqual(["got a", "sent a"]);
  });

  it("a send hands the value straight to a waiting receiver", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(0);
      let got: number | undefined;
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          got = yield* rx.receive();
        });
        yield* waitAllTasksBlocked();
        expect(rx.statistics().tasksWaitingReceive).toBe(1);
        tx.sendNowait(7); // would block if no receiver were waiting
        expect(rx.statistics()).toMatchObject({ tasksWaitingReceive: 0, currentBufferUsed: 0 });
      });
      expect(got).toBe(7);
    });
  });

  it("a receive moves a blocked sender's value into the buffer and wakes it", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<string>(1);
      const log: string[] = [];
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* tx.send("a");
          yield* tx.send("b");
          log.push("b sent");
        });
        yield* waitAllTasksBlocked();
        expect(tx.statistics()).toMatchObject({ currentBufferUsed: 1, tasksWaitingSend: 1 });
        expect(rx.receiveNowait()).toBe("a");
        expect(tx.statistics()).toMatchObject({ currentBufferUsed: 1, tasksWaitingSend: 0 });
        yield* waitAllTasksBlocked();
        expect(log).toEqual(["b sent"]);
        expect(rx.receiveNowait()).toBe("b");
      });
    });
  });

  it("serves blocked senders and blocked receivers first come, first served", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<string>(0);
      const received: string[] = [];
      yield* openNursery(function* (n) {
        for (const name of ["r1", "r2", "r3"]) {
          n.startSoon(function* () {
            received.push(`${name}:${yield* rx.receive()}`);
          });
          yield* waitAllTasksBlocked();
        }
        tx.sendNowait("x");
        tx.sendNowait("y");
        tx.sendNowait("z");
      });
      expect(received).toEqual(["r1:x", "r2:y", "r3:z"]);

      yield* openNursery(function* (n) {
        for (const value of ["p", "q", "s"]) {
          n.startSoon(function* () {
            yield* tx.send(value);
          });
          yield* waitAllTasksBlocked();
        }
        expect([yield* rx.receive(), yield* rx.receive(), yield* rx.receive()]).toEqual(["p", "q", "s"]);
      });
    });
  });

  it("carries undefined, null and symbols as ordinary values", async () => {
    const sym = Symbol("nothing");
    const got = await runMock(function* () {
      const [tx, rx] = openMemoryChannel<unknown>(0);
      const out: unknown[] = [];
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* tx.send(undefined);
          yield* tx.send(null);
          yield* tx.send(sym);
          tx.close();
        });
        for (;;) {
          const r = yield* rx.receiveOrEnd();
          if (r.done) break;
          out.push(r.value);
        }
      });
      return out;
    });
    expect(got).toEqual([undefined, null, sym]);
  });
});

describe("closing the send end", () => {
  it("close is idempotent and sets closed", () => {
    const [tx, rx] = openMemoryChannel<number>(1);
    expect(tx.closed).toBe(false);
    tx.close();
    tx.close();
    expect(tx.closed).toBe(true);
    expect(tx.statistics().openSendChannels).toBe(0);
    expect(rx.closed).toBe(false);
  });

  it("receivers drain the buffer, then get EndOfChannel every time", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(5);
      yield* tx.send(1);
      yield* tx.send(2);
      tx.close();
      expect(yield* rx.receive()).toBe(1);
      expect(rx.receiveNowait()).toBe(2);
      expect(yield* errorOf(rx.receive())).toBeInstanceOf(EndOfChannel);
      expect(yield* errorOf(rx.receive())).toBeInstanceOf(EndOfChannel);
      expect(syncErrorOf(() => rx.receiveNowait())).toBeInstanceOf(EndOfChannel);
    });
  });

  it("closing the last send handle wakes every blocked receiver with EndOfChannel", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(0);
      const rx2 = rx.clone();
      const errors: unknown[] = [];
      yield* openNursery(function* (n) {
        for (const r of [rx, rx, rx2]) {
          n.startSoon(function* () {
            errors.push(yield* errorOf(r.receive()));
          });
        }
        yield* waitAllTasksBlocked();
        expect(rx.statistics().tasksWaitingReceive).toBe(3);
        tx.close();
        expect(rx.statistics().tasksWaitingReceive).toBe(0);
      });
      expect(errors.length).toBe(3);
      for (const e of errors) expect(e).toBeInstanceOf(EndOfChannel);
    });
  });

  it("the channel ends only when every send clone is closed", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(0);
      const tx2 = tx.clone();
      let outcome = "pending";
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          outcome = (yield* errorOf(rx.receive())) instanceof EndOfChannel ? "ended" : "other";
        });
        yield* waitAllTasksBlocked();
        tx.close();
        yield* waitAllTasksBlocked();
        expect(outcome).toBe("pending");
        expect(rx.statistics().openSendChannels).toBe(1);
        tx2.close();
      });
      expect(outcome).toBe("ended");
    });
  });

  it("a closed send handle raises ClosedResourceError on every use", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(5);
      const tx2 = tx.clone();
      tx.close();
      const err = yield* errorOf(tx.send(1));
      expect(err).toBeInstanceOf(ClosedResourceError);
      expect((err as Error).message).toMatch(/send\(\) on a send channel that was closed/);
      expect(syncErrorOf(() => tx.sendNowait(1))).toBeInstanceOf(ClosedResourceError);
      expect(syncErrorOf(() => tx.clone())).toBeInstanceOf(ClosedResourceError);
      expect(tx.statistics().openSendChannels).toBe(1);
      // The clone is unaffected, and nothing from the closed handle got in.
      tx2.sendNowait(9);
      expect(rx.receiveNowait()).toBe(9);
    });
  });

  it("ClosedResourceError wins over BrokenResourceError for a handle you closed", () => {
    const [tx, rx] = openMemoryChannel<number>(1);
    rx.close();
    expect(syncErrorOf(() => tx.sendNowait(1))).toBeInstanceOf(BrokenResourceError);
    tx.close();
    expect(syncErrorOf(() => tx.sendNowait(1))).toBeInstanceOf(ClosedResourceError);
  });

  it("a sender blocked on a handle that gets closed gets ClosedResourceError; its value is dropped", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<string>(1);
      const tx2 = tx.clone();
      const results: unknown[] = [];
      yield* tx.send("buffered");
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          results.push(yield* errorOf(tx.send("from tx")));
        });
        yield* waitAllTasksBlocked();
        n.startSoon(function* () {
          yield* tx2.send("from tx2");
          results.push("tx2 sent");
        });
        yield* waitAllTasksBlocked();
        expect(tx.statistics().tasksWaitingSend).toBe(2);
        tx.close();
        expect(tx.statistics().tasksWaitingSend).toBe(1);
        yield* waitAllTasksBlocked();
        expect(results.length).toBe(1);
        expect(results[0]).toBeInstanceOf(ClosedResourceError);
        expect(yield* rx.receive()).toBe("buffered");
        expect(yield* rx.receive()).toBe("from tx2");
      });
      expect(results[1]).toBe("tx2 sent");
      tx2.close();
      expect(yield* errorOf(rx.receive())).toBeInstanceOf(EndOfChannel);
    });
  });

  it("closing the last send handle while its own sender is blocked ends the channel after the buffer", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(1);
      let err: unknown;
      yield* tx.send(1);
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          err = yield* errorOf(tx.send(2));
        });
        yield* waitAllTasksBlocked();
        tx.close();
      });
      expect(err).toBeInstanceOf(ClosedResourceError);
      expect(yield* rx.receive()).toBe(1);
      expect(yield* errorOf(rx.receive())).toBeInstanceOf(EndOfChannel);
    });
  });

  it("aclose closes and is a checkpoint", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(1);
      yield* assertCheckpoints(tx.aclose());
      yield* assertCheckpoints(rx.aclose());
      expect(tx.closed && rx.closed).toBe(true);
    });
  });
});

describe("closing the receive end", () => {
  it("makes future sends raise BrokenResourceError and drops the buffer", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(3);
      yield* tx.send(1);
      yield* tx.send(2);
      rx.close();
      rx.close();
      expect(rx.closed).toBe(true);
      expect(tx.statistics()).toMatchObject({ currentBufferUsed: 0, openReceiveChannels: 0 });
      const err = yield* errorOf(tx.send(3));
      expect(err).toBeInstanceOf(BrokenResourceError);
      expect((err as Error).message).toMatch(/receive handle/);
      expect(syncErrorOf(() => tx.sendNowait(3))).toBeInstanceOf(BrokenResourceError);
      // Cloning a send handle of a broken channel is still allowed, as in Trio.
      expect(tx.clone().statistics().openSendChannels).toBe(2);
    });
  });

  it("wakes every blocked sender with BrokenResourceError", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(0);
      const tx2 = tx.clone();
      const errors: unknown[] = [];
      yield* openNursery(function* (n) {
        for (const [t, v] of [[tx, 1], [tx2, 2], [tx, 3]] as const) {
          n.startSoon(function* () {
            errors.push(yield* errorOf(t.send(v)));
          });
        }
        yield* waitAllTasksBlocked();
        rx.close();
        expect(tx.statistics().tasksWaitingSend).toBe(0);
      });
      expect(errors.length).toBe(3);
      for (const e of errors) expect(e).toBeInstanceOf(BrokenResourceError);
    });
  });

  it("the channel breaks only when every receive clone is closed", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(0);
      const rx2 = rx.clone();
      rx.close();
      expect(syncErrorOf(() => tx.sendNowait(1))).toBeInstanceOf(WouldBlock);
      let got: number | undefined;
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          got = yield* rx2.receive();
        });
        yield* waitAllTasksBlocked();
        yield* tx.send(5);
      });
      expect(got).toBe(5);
      rx2.close();
      expect(syncErrorOf(() => tx.sendNowait(1))).toBeInstanceOf(BrokenResourceError);
    });
  });

  it("a closed receive handle raises ClosedResourceError on every use", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(5);
      const rx2 = rx.clone();
      yield* tx.send(1);
      rx.close();
      expect(yield* errorOf(rx.receive())).toBeInstanceOf(ClosedResourceError);
      expect(syncErrorOf(() => rx.receiveNowait())).toBeInstanceOf(ClosedResourceError);
      expect(syncErrorOf(() => rx.clone())).toBeInstanceOf(ClosedResourceError);
      expect(yield* errorOf(rx.receiveOrEnd())).toBeInstanceOf(ClosedResourceError);
      expect(yield* errorOf(rx.forEach(function* () {}))).toBeInstanceOf(ClosedResourceError);
      // Even once the channel has ended, a closed handle says Closed, not End.
      tx.close();
      expect(syncErrorOf(() => rx.receiveNowait())).toBeInstanceOf(ClosedResourceError);
      expect(rx2.receiveNowait()).toBe(1);
    });
  });

  it("a receiver blocked on a handle that gets closed gets ClosedResourceError; clones keep waiting", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(0);
      const rx2 = rx.clone();
      const results: unknown[] = [];
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          results.push(yield* errorOf(rx.receive()));
        });
        n.startSoon(function* () {
          results.push(yield* rx2.receive());
        });
        yield* waitAllTasksBlocked();
        rx.close();
        expect(tx.statistics()).toMatchObject({ tasksWaitingReceive: 1, openReceiveChannels: 1 });
        yield* waitAllTasksBlocked();
        tx.sendNowait(42);
      });
      expect(results.length).toBe(2);
      expect(results[0]).toBeInstanceOf(ClosedResourceError);
      expect(results[1]).toBe(42);
    });
  });
});

describe("clones", () => {
  it("share the state with the original", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(2);
      const tx2 = tx.clone();
      const rx2 = rx.clone();
      yield* tx2.send(1);
      yield* tx.send(2);
      expect(yield* rx.receive()).toBe(1);
      expect(yield* rx2.receive()).toBe(2);
      expect(rx2.statistics()).toMatchObject({ openSendChannels: 2, openReceiveChannels: 2 });
      expect(tx2).not.toBe(tx);
      expect(tx2.id).not.toBe(tx.id);
    });
  });

  it("producers each closing their own clone end a consumer's forEach exactly once", async () => {
    const got = await runMock(function* () {
      const [tx, rx] = openMemoryChannel<string>(0);
      const out: string[] = [];
      yield* openNursery(function* (n) {
        for (const name of ["a", "b", "c"]) {
          n.startSoon(function* (t: MemorySendChannel<string>) {
            try {
              for (let i = 0; i < 3; i++) yield* t.send(`${name}${i}`);
            } finally {
              t.close();
            }
          }, tx.clone());
        }
        tx.close();
        yield* rx.forEach(function* (v) {
          out.push(v);
        });
      });
      return out;
    });
    expect(got.slice().sort()).toEqual(["a0", "a1", "a2", "b0", "b1", "b2", "c0", "c1", "c2"]);
    // Each producer's own values arrive in its order.
    for (const name of ["a", "b", "c"]) expect(got.filter((v) => v.startsWith(name))).toEqual([`${name}0`, `${name}1`, `${name}2`]);
  });

  it("statistics count open handles of each kind", () => {
    const [tx, rx] = openMemoryChannel<number>(0);
    const clones = [tx.clone(), tx.clone()];
    const rclone = rx.clone();
    expect(tx.statistics()).toMatchObject({ openSendChannels: 3, openReceiveChannels: 2 });
    clones[0]!.close();
    clones[0]!.close();
    rclone.close();
    expect(rx.statistics()).toMatchObject({ openSendChannels: 2, openReceiveChannels: 1 });
  });
});

describe("checkpoints", () => {
  it("send and receive are checkpoints even when they do not block", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(1);
      yield* assertCheckpoints(tx.send(1));
      expect(yield* assertCheckpoints(rx.receive())).toBe(1);
    });
  });

  it("a send that does not block still lets other tasks run", async () => {
    const log: string[] = [];
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(Infinity);
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          for (let i = 0; i < 3; i++) {
            yield* tx.send(i);
            log.push(`s${i}`);
          }
        });
        n.startSoon(function* () {
          for (let i = 0; i < 3; i++) log.push(`o${i}`), yield* rx.receive();
        });
      });
    });
    // With no schedule point in send, all three s-entries would come first.
    expect(log.indexOf("o1")).toBeLessThan(log.indexOf("s2"));
  });

  it("in a cancelled scope, send raises Cancelled and delivers nothing", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(5);
      const scope = new CancelScope();
      const err = yield* scope.run(function* () {
        scope.cancel();
        return yield* errorOf(tx.send(1));
      });
      expect(err).toBeInstanceOf(Cancelled);
      expect(rx.statistics().currentBufferUsed).toBe(0);
    });
  });

  it("in a cancelled scope, receive raises Cancelled and consumes nothing", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(5);
      yield* tx.send(1);
      const scope = new CancelScope();
      const err = yield* scope.run(function* () {
        scope.cancel();
        return yield* errorOf(rx.receive());
      });
      expect(err).toBeInstanceOf(Cancelled);
      expect(rx.receiveNowait()).toBe(1);
    });
  });

  it("cancellation is checked before closed-ness, as in Trio", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(5);
      tx.close();
      rx.close();
      const scope = new CancelScope();
      yield* scope.run(function* () {
        scope.cancel();
        expect(yield* errorOf(tx.send(1))).toBeInstanceOf(Cancelled);
        expect(yield* errorOf(rx.receive())).toBeInstanceOf(Cancelled);
      });
    });
  });
});

describe("receiveOrEnd and forEach", () => {
  it("receiveOrEnd reports values, then the end", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(2);
      yield* tx.send(1);
      tx.close();
      expect(yield* rx.receiveOrEnd()).toEqual({ done: false, value: 1 });
      expect(yield* rx.receiveOrEnd()).toEqual({ done: true });
      expect(yield* rx.receiveOrEnd()).toEqual({ done: true });
    });
  });

  it("forEach runs the body for each value in order and returns when the channel ends", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(0);
      const seen: number[] = [];
      const result = yield* openNursery(function* (n) {
        n.startSoon(function* () {
          for (let i = 0; i < 5; i++) yield* tx.send(i);
          tx.close();
        });
        return yield* rx.forEach(function* (v) {
          seen.push(v);
          yield* waitAllTasksBlocked();
        });
      });
      expect(result).toBeUndefined();
      expect(seen).toEqual([0, 1, 2, 3, 4]);
    });
  });

  it("forEach propagates an error from the body; the rest stays in the channel", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(3);
      yield* tx.send(1);
      yield* tx.send(2);
      const err = yield* errorOf(
        rx.forEach(function* (v) {
          if (v === 1) throw new Error("boom");
        }),
      );
      expect((err as Error).message).toBe("boom");
      expect(rx.receiveNowait()).toBe(2);
    });
  });

  it("forEach propagates ClosedResourceError when its handle is closed mid-loop", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(0);
      let err: unknown;
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          err = yield* errorOf(rx.forEach(function* () {}));
        });
        yield* tx.send(1);
        yield* waitAllTasksBlocked();
        rx.close();
      });
      expect(err).toBeInstanceOf(ClosedResourceError);
    });
  });

  it("forEach rejects a body that is not a generator function", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(1);
      yield* tx.send(1);
      const notFn = yield* errorOf(rx.forEach(42 as unknown as () => Operation<void>));
      expect(notFn).toBeInstanceOf(TypeError);
      expect((notFn as Error).message).toMatch(/function\* \(value\)/);
      const plain = yield* errorOf(rx.forEach((() => undefined) as unknown as () => Operation<void>));
      expect(plain).toBeInstanceOf(TypeError);
      expect((plain as Error).message).toMatch(/must be a generator function/);
    });
  });
});

describe("handles", () => {
  it("a blocked task's waitingOn is the handle it waits on", async () => {
    await runMock(function* () {
      const [tx, rx] = openMemoryChannel<number>(0);
      const rx2: MemoryReceiveChannel<number> = rx.clone();
      yield* openNursery(function* (n) {
        const receiver = n.startSoon(function* () {
          yield* rx2.receive();
        });
        const sender = n.startSoon(function* () {
          yield* tx.clone().send(1);
        });
        yield* waitAllTasksBlocked();
        // The sender handed its value over; the receiver got it.
        expect(sender.done && receiver.done).toBe(true);
        const waiter = n.startSoon(function* () {
          try {
            yield* rx2.receive();
          } catch (error) {
            if (!(error instanceof ClosedResourceError)) throw error;
          }
        });
        yield* waitAllTasksBlocked();
        expect(waiter.waitingOn).toBe(rx2);
        rx2.close();
      });
    });
  });

  it("toString names the kind and closed state", () => {
    const [tx, rx] = openMemoryChannel<number>(0);
    expect(String(tx)).toMatch(/^<MemorySendChannel #\d+>$/);
    rx.close();
    expect(String(rx)).toMatch(/^<MemoryReceiveChannel #\d+ closed>$/);
  });
});

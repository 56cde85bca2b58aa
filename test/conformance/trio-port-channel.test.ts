/**
 * Trio's channel rules (trio/_tests/test_channel.py) on the channels across
 * a MessagePort (`sendToPort` / `receiveFromPort`, docs/workers.md). Both
 * ends run here in one run, on the two ports of a `worker_threads`
 * MessageChannel, as a worker and the page would. Each test names the
 * Trio test it follows; the code and wording are ours.
 *
 * Differences on purpose: each end is a block, not a handle to close, so
 * "close" is the block's end; there is no clone, no sendNowait and no
 * statistics; the buffer is the receiver's `credits` (at least 1: no
 * rendezvous channel).
 */
import { MessageChannel } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { BrokenResourceError, Cancelled, CancelScope, ClosedResourceError, EndOfChannel, openNursery, run, sleep, type Operation } from "../../src/index.js";
import { assertCheckpoints, waitAllTasksBlocked } from "../../src/testing/index.js";
import { receiveFromPort, sendToPort, type PortReceiveChannel, type PortSendChannel } from "../../src/workers/index.js";

/** Receives until the channel ends; returns the items, then how it ended. */
function* drain(channel: PortReceiveChannel<number>): Operation<unknown[]> {
  const out: unknown[] = [];
  for (;;) {
    try {
      out.push(yield* channel.receive());
    } catch (e) {
      out.push(e instanceof EndOfChannel ? "end" : e);
      return out;
    }
  }
}

/** Waits (real time) until `done()` holds. */
function* until(done: () => boolean): Operation<void> {
  while (!done()) yield* sleep(0.005);
}

describe("Trio test_channel, across a port", () => {
  // test_channel (order, and every operation a checkpoint)
  it("items arrive in order, and send and receive are checkpoints even when they need not wait", async () => {
    const { port1, port2 } = new MessageChannel();
    const got = await run(function* () {
      let got: unknown[] = [];
      let received = -1;
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          got = yield* receiveFromPort<number, unknown[]>(port1, function* (ch) {
            yield* until(() => received >= 0); // items are waiting by now
            const first = yield* assertCheckpoints(ch.receive());
            return [first, ...(yield* drain(ch))];
          });
        });
        yield* sendToPort<number>(port2, function* (out) {
          yield* out.send(1); // takes the first credits
          for (const v of [2, 3]) yield* assertCheckpoints(out.send(v));
          yield* sleep(0.02);
          received = 0;
        });
      });
      return got;
    });
    expect(got).toEqual([1, 2, 3, "end"]);
  });

  // test_close_basics: after the sender closes, the receiver gets what was sent, then EndOfChannel; a closed
  // end raises ClosedResourceError; the sender sees BrokenResourceError once the receiver is gone.
  it("EndOfChannel after the last item; ClosedResourceError on an end whose block ended; BrokenResourceError once the receiver left", async () => {
    const r = await run(function* () {
      const a = new MessageChannel();
      let sender!: PortSendChannel<number>;
      let receiver!: PortReceiveChannel<number>;
      let items: unknown[] = [];
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          items = yield* receiveFromPort<number, unknown[]>(a.port1, function* (ch) {
            receiver = ch;
            return yield* drain(ch);
          });
        });
        yield* sendToPort<number>(a.port2, function* (out) {
          sender = out;
          yield* out.send(1);
          yield* out.send(2);
        });
      });
      const lateSend = yield* caughtOp(sender.send(3));
      const lateReceive = yield* caughtOp(receiver.receive());

      // The receiver leaves first: the sender's next send is refused.
      const b = new MessageChannel();
      let broken: unknown;
      yield* openNursery(function* (n) {
        n.startSoon(() =>
          receiveFromPort<number>(b.port1, function* (ch) {
            yield* ch.receive();
          }),
        );
        yield* sendToPort<number>(b.port2, function* (out) {
          yield* out.send(1);
          for (;;) {
            broken = yield* caughtOp(out.send(2));
            if (broken !== undefined) return;
            yield* sleep(0.005);
          }
        });
      });
      return { items, lateSend, lateReceive, broken };
    });
    expect(r.items).toEqual([1, 2, "end"]);
    expect(r.lateSend).toBeInstanceOf(ClosedResourceError);
    expect(r.lateReceive).toBeInstanceOf(ClosedResourceError);
    expect(r.broken).toBeInstanceOf(BrokenResourceError);
  });

  // test_close_sync / cancellation: a send in a cancelled scope raises Cancelled and sends nothing, even with
  // credit in hand (Trio: send is checkpoint_if_cancelled first).
  it("a send in a cancelled scope raises Cancelled and sends nothing, whether or not it has credit", async () => {
    const { port1, port2 } = new MessageChannel();
    const r = await run(function* () {
      let items: unknown[] = [];
      const outcomes: string[] = [];
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          items = yield* receiveFromPort<number, unknown[]>(port1, drain, { credits: 4 });
        });
        yield* sendToPort<number>(port2, function* (out) {
          yield* out.send(0);
          expect(out.creditsLeft).toBeGreaterThan(0);
          const scope = new CancelScope();
          yield* scope.run(function* () {
            scope.cancel();
            try {
              yield* out.send(1);
              outcomes.push("sent");
            } catch (e) {
              outcomes.push(e instanceof Cancelled ? "Cancelled" : String(e));
              throw e;
            }
          });
          yield* out.send(2);
        });
      });
      return { items, outcomes };
    });
    expect(r.outcomes).toEqual(["Cancelled"]);
    expect(r.items).toEqual([0, 2, "end"]);
  });

  // Trio's receive starts with checkpoint_if_cancelled(): a cancelled caller gets Cancelled before the channel's
  // state is looked at (an item waiting, the end, a broken sender, the block's end), and takes nothing.
  it("a receive in a cancelled scope raises Cancelled whatever the channel's state, and takes nothing", async () => {
    const { port1, port2 } = new MessageChannel();
    const r = await run(function* () {
      const seen: unknown[] = [];
      let receiver!: PortReceiveChannel<number>;
      let sent = false;
      yield* openNursery(function* (n) {
        n.startSoon(() =>
          receiveFromPort<number>(port1, function* (ch) {
            receiver = ch;
            yield* until(() => sent);
            yield* sleep(0.02); // the items and the end have arrived
            seen.push(yield* inCancelledScope(ch.receive())); // an item is waiting
            seen.push(yield* ch.receive(), yield* ch.receive());
            seen.push(yield* caughtOp(ch.receive())); // EndOfChannel
            seen.push(yield* inCancelledScope(ch.receive())); // ended
            seen.push(yield* caughtOp(ch.receive())); // still EndOfChannel
          }),
        );
        yield* sendToPort<number>(port2, function* (out) {
          yield* out.send(1);
          yield* out.send(2);
        });
        sent = true;
      });
      seen.push(yield* inCancelledScope(receiver.receive())); // the block has ended
      seen.push(yield* caughtOp(receiver.receive()));
      return seen;
    });
    expect(r.slice(0, 3)).toEqual(["Cancelled", 1, 2]);
    expect(r[3]).toBeInstanceOf(EndOfChannel);
    expect(r[4]).toBe("Cancelled");
    expect(r[5]).toBeInstanceOf(EndOfChannel);
    expect(r[6]).toBe("Cancelled");
    expect(r[7]).toBeInstanceOf(ClosedResourceError);
  });

  it("a receive in a cancelled scope raises Cancelled after a failed sender too; the failure is raised after", async () => {
    const { port1, port2 } = new MessageChannel();
    const r = await run(function* () {
      const seen: unknown[] = [];
      yield* openNursery(function* (n) {
        n.startSoon(() =>
          receiveFromPort<number>(port1, function* (ch) {
            seen.push(yield* caughtOp(ch.receive())); // BrokenResourceError: the sender failed
            seen.push(yield* inCancelledScope(ch.receive()));
            seen.push(yield* caughtOp(ch.receive()));
          }),
        );
        yield* caughtOp(
          sendToPort<number>(port2, function* () {
            throw new RangeError("the producer broke");
          }),
        );
      });
      return seen;
    });
    expect(r[0]).toBeInstanceOf(BrokenResourceError);
    expect(r[1]).toBe("Cancelled");
    expect(r[2]).toBe(r[0]);
  });

  // Trio's send starts with checkpoint_if_cancelled() too: Cancelled before BrokenResourceError or ClosedResourceError.
  it("a send in a cancelled scope raises Cancelled whatever the channel's state, and sends nothing", async () => {
    const { port1, port2 } = new MessageChannel();
    const r = await run(function* () {
      const seen: unknown[] = [];
      let sender!: PortSendChannel<number>;
      yield* openNursery(function* (n) {
        n.startSoon(() =>
          receiveFromPort<number>(port1, function* (ch) {
            yield* ch.receive();
          }),
        );
        yield* sendToPort<number>(port2, function* (out) {
          sender = out;
          yield* out.send(1);
          let broken: unknown;
          while (broken === undefined) {
            yield* sleep(0.005);
            broken = yield* caughtOp(out.send(2)); // sent until the receiver's leaving arrives
          }
          seen.push(broken);
          seen.push(yield* inCancelledScope(out.send(3)));
          seen.push(yield* caughtOp(out.send(4)));
        });
      });
      seen.push(yield* inCancelledScope(sender.send(5))); // the block has ended
      seen.push(yield* caughtOp(sender.send(6)));
      return seen;
    });
    expect(r[0]).toBeInstanceOf(BrokenResourceError);
    expect(r[1]).toBe("Cancelled");
    expect(r[2]).toBeInstanceOf(BrokenResourceError);
    expect(r[3]).toBe("Cancelled");
    expect(r[4]).toBeInstanceOf(ClosedResourceError);
  });

  // test_unbuffered / a buffer of 1: with one credit the sender runs at most one item ahead of the receiver
  it("with credits 1 the sender waits after each item until the receiver takes it", async () => {
    const { port1, port2 } = new MessageChannel();
    const events = await run(function* () {
      const events: string[] = [];
      yield* openNursery(function* (n) {
        n.startSoon(() =>
          receiveFromPort<number>(
            port1,
            function* (ch) {
              for (let i = 0; i < 3; i++) {
                yield* sleep(0.03);
                events.push(`got ${yield* ch.receive()}`);
              }
            },
            { credits: 1 },
          ),
        );
        yield* sendToPort<number>(port2, function* (out) {
          for (let i = 0; i < 3; i++) {
            yield* out.send(i);
            events.push(`sent ${i}`);
          }
        });
      });
      return events;
    });
    // "sent i" comes before "got i" (the item was posted) and after "got i-1" (the credit came back).
    expect(events).toEqual(["sent 0", "got 0", "sent 1", "got 1", "sent 2", "got 2"]);
  });

  // Cancelling a receive that waits loses nothing: the item goes to the next receive.
  it("a receive cancelled while it waits takes nothing; the next receive gets the item", async () => {
    const { port1, port2 } = new MessageChannel();
    const r = await run(function* () {
      const out: unknown[] = [];
      let go = false;
      yield* openNursery(function* (n) {
        n.startSoon(() =>
          receiveFromPort<number>(port1, function* (ch) {
            const scope = new CancelScope();
            n.startSoon(function* () {
              yield* waitAllTasksBlocked();
              scope.cancel();
            });
            yield* scope.run(function* () {
              out.push(yield* ch.receive());
            });
            out.push(`cancelled ${scope.cancelledCaught}`);
            go = true;
            out.push(...(yield* drain(ch)));
          }),
        );
        yield* sendToPort<number>(port2, function* (tx) {
          yield* until(() => go);
          yield* tx.send(7);
        });
      });
      return out;
    });
    expect(r).toEqual(["cancelled true", 7, "end"]);
  });

  // A sender that fails: what it sent before still arrives, then BrokenResourceError whose cause is its error.
  it("a failing sender's earlier items arrive first, then BrokenResourceError caused by its error", async () => {
    const { port1, port2 } = new MessageChannel();
    const r = await run(function* () {
      let items: unknown[] = [];
      let raised: unknown;
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          items = yield* receiveFromPort<number, unknown[]>(port1, drain);
        });
        raised = yield* caughtOp(
          sendToPort<number>(port2, function* (out) {
            yield* out.send(1);
            yield* out.send(2);
            throw new RangeError("the producer broke");
          }),
        );
      });
      return { items, raised };
    });
    expect(r.raised).toBeInstanceOf(RangeError);
    expect(r.items.slice(0, 2)).toEqual([1, 2]);
    const end = r.items[2] as Error;
    expect(end).toBeInstanceOf(BrokenResourceError);
    expect(end.cause).toBeInstanceOf(RangeError);
    expect((end.cause as Error).message).toBe("the producer broke");
  });
});

/** Runs `op` and returns what it raised (undefined if it returned). */
function* caughtOp(op: Operation<unknown>): Operation<unknown> {
  try {
    yield* op;
  } catch (error) {
    return error;
  }
  return undefined;
}

/** Runs `op` in a scope cancelled before it starts; returns "Cancelled", what else it raised, or ["returned", value]. */
function* inCancelledScope(op: Operation<unknown>): Operation<unknown> {
  const scope = new CancelScope();
  scope.cancel();
  let outcome: unknown;
  yield* scope.run(function* () {
    try {
      outcome = ["returned", yield* op];
    } catch (error) {
      outcome = error instanceof Cancelled ? "Cancelled" : error;
      if (error instanceof Cancelled) throw error; // for its scope to absorb
    }
  });
  return outcome;
}

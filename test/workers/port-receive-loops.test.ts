/**
 * The port's receive channel ends a loop as a memory channel's does:
 * `forEach` and `receiveOrEnd` take the sender's normal end as the end,
 * and raise what `receive()` raises for any other end (a failed sender).
 * Both ends run here in one run, on a worker_threads MessageChannel.
 */
import { MessageChannel } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { BrokenResourceError, openNursery, run, type Operation } from "../../src/index.js";
import { receiveFromPort, sendToPort, type PortSendChannel } from "../../src/workers/index.js";

/** Runs `sender` on one port and `receiver` on the other; returns what the receiver returns (or its error). */
async function across<R>(sender: (out: PortSendChannel<number>) => Operation<void>, receiver: Parameters<typeof receiveFromPort<number, R>>[1]): Promise<R | { error: unknown }> {
  const { port1, port2 } = new MessageChannel();
  return run(function* () {
    let result: R | { error: unknown } = { error: "never ran" };
    yield* openNursery(function* (n) {
      n.startSoon(function* () {
        try {
          yield* sendToPort<number>(port2, sender);
        } catch {
          // The sender's own failure is the receiver's BrokenResourceError; it is checked there.
        }
      });
      try {
        result = yield* receiveFromPort<number, R>(port1, receiver, { credits: 2 });
      } catch (error) {
        result = { error };
      }
    });
    return result;
  });
}

function* sendAll(out: PortSendChannel<number>): Operation<void> {
  for (const v of [1, 2, 3, 4, 5]) yield* out.send(v);
}

describe("a port's receive channel, looped", () => {
  it("forEach runs its body for every item in order and returns when the sender finishes", async () => {
    const seen = await across(sendAll, function* (ch) {
      const out: number[] = [];
      yield* ch.forEach(function* (v) {
        out.push(v);
      });
      return out;
    });
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it("receiveOrEnd gives each item as { done: false, value }, then { done: true }, and stays ended", async () => {
    const seen = await across(sendAll, function* (ch) {
      const out: unknown[] = [];
      for (;;) {
        const r = yield* ch.receiveOrEnd();
        out.push(r);
        if (r.done) break;
      }
      out.push(yield* ch.receiveOrEnd());
      return out;
    });
    expect(seen).toEqual([...[1, 2, 3, 4, 5].map((value) => ({ done: false, value })), { done: true }, { done: true }]);
  });

  it("a sender that fails is no end: forEach raises BrokenResourceError after the items that came", async () => {
    const seen: number[] = [];
    const result = await across(
      function* (out) {
        yield* out.send(1);
        yield* out.send(2);
        throw new Error("the sender broke");
      },
      function* (ch) {
        yield* ch.forEach(function* (v) {
          seen.push(v);
        });
        return "returned";
      },
    );
    expect(seen).toEqual([1, 2]);
    expect(result).toMatchObject({ error: expect.any(BrokenResourceError) });
  });

  it("forEach given no generator function is refused by name before any item is taken", async () => {
    const result = await across(sendAll, function* (ch) {
      try {
        yield* ch.forEach((async () => undefined) as never);
      } catch (error) {
        // Nothing was taken: every item is still there.
        const rest: number[] = [];
        yield* ch.forEach(function* (v) {
          rest.push(v);
        });
        return { error, rest };
      }
      return "no error";
    });
    expect(result).toMatchObject({ error: expect.any(TypeError), rest: [1, 2, 3, 4, 5] });
    expect(String((result as { error: unknown }).error)).toMatch(/forEach\(body\)/);
  });
});

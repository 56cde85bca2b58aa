/**
 * A port channel loses nothing when the port's postMessage throws (a
 * hostile or broken port): the receiver returns the item it took even if
 * granting its credit fails, hands out what already arrived, and then
 * raises why nothing more can come; the sender keeps the credit of an item
 * it could not post, and can send again.
 */
import { describe, expect, it } from "vitest";
import { BrokenResourceError, EndOfChannel, run, sleep } from "../../src/index.js";
import { receiveFromPort, sendToPort, type MessagePortLike } from "../../src/workers/index.js";
import { caught } from "./helpers.js";

/** A port in this thread: `deliver` plays the other end; `refuse` makes postMessage throw for messages of that kind. */
function fakePort() {
  const listeners = new Set<(event: { data: unknown }) => void>();
  const port = {
    posted: [] as { kind: string; n?: number; value?: unknown }[],
    refuse: new Set<string>(),
    postMessage(data: unknown) {
      const msg = data as { kind: string };
      if (port.refuse.has(msg.kind)) throw new Error(`no ${msg.kind} today`);
      port.posted.push(msg);
    },
    close() {},
    addEventListener(_type: string, listener: (event: { data: unknown }) => void) {
      listeners.add(listener);
    },
    removeEventListener(_type: string, listener: (event: { data: unknown }) => void) {
      listeners.delete(listener);
    },
    deliver(body: object) {
      for (const l of listeners) l({ data: { trioWorker: 1, ...body } });
    },
  };
  return port;
}

describe("a receiver whose port refuses its credit", () => {
  it("returns the item it took, then the items that had arrived, then BrokenResourceError naming the port's error", async () => {
    const port = fakePort();
    const got: unknown[] = [];
    let end: unknown;
    await run(function* () {
      yield* receiveFromPort<string>(port as MessagePortLike, function* (channel) {
        port.deliver({ kind: "item", value: "a" });
        port.deliver({ kind: "item", value: "b" });
        port.refuse.add("credit");
        got.push(yield* channel.receive());
        got.push(yield* channel.receive());
        end = yield* caught(channel.receive());
        // Broken stays broken, even if more arrives.
        port.deliver({ kind: "item", value: "c" });
        expect(yield* caught(channel.receive())).toBe(end);
      }, { credits: 2 });
    });
    expect(got).toEqual(["a", "b"]);
    expect(end).toBeInstanceOf(BrokenResourceError);
    expect((end as Error).message).toMatch(
      /^port channel #\d+ \(receiving\): the sender could not be granted credit for more items \(the port's postMessage threw Error: no credit today\), so nothing more can be received; the items that had arrived were received\. Pass receiveFromPort a MessagePort whose postMessage works\.$/,
    );
    expect(((end as Error).cause as Error).message).toBe("no credit today");
  });

  it("an end that had arrived is still an EndOfChannel", async () => {
    const port = fakePort();
    let end: unknown;
    await run(function* () {
      yield* receiveFromPort<string>(port as MessagePortLike, function* (channel) {
        port.deliver({ kind: "item", value: "a" });
        port.deliver({ kind: "end" });
        port.refuse.add("credit");
        expect(yield* channel.receive()).toBe("a");
        end = yield* caught(channel.receive());
      });
    });
    expect(end).toBeInstanceOf(EndOfChannel);
  });
});

describe("a sender whose port refuses an item", () => {
  it("keeps the credit: the send raises the port's error, and the next send goes out on the same credit", async () => {
    const port = fakePort();
    await run(function* () {
      yield* sendToPort<number>(port as MessagePortLike, function* (out) {
        port.deliver({ kind: "credit", n: 1 });
        yield* sleep(0);
        port.refuse.add("item");
        const error = yield* caught(out.send(1));
        expect((error as Error).message).toBe("no item today");
        expect(out.creditsLeft).toBe(1);
        port.refuse.delete("item");
        yield* out.send(2);
        expect(out.creditsLeft).toBe(0);
      });
    });
    expect(port.posted.filter((m) => m.kind === "item").map((m) => m.value)).toEqual([2]);
  });
});

describe("a port that refuses to start listening", () => {
  it("browser-shaped, its start() throws: the block raises it, and our listener is not left on the port", async () => {
    const port = fakePort();
    const listeners = new Set<unknown>();
    port.addEventListener = (_type, listener) => void listeners.add(listener);
    port.removeEventListener = (_type, listener) => void listeners.delete(listener);
    const started = Object.assign(port, {
      start() {
        throw new Error("start refused");
      },
    });
    let error: unknown;
    await run(function* () {
      error = yield* caught(receiveFromPort(started as MessagePortLike, function* () {}));
    });
    expect((error as Error).message).toBe("start refused");
    expect(listeners.size).toBe(0);
  });

  it("Node-shaped, its on() takes our listener and then throws: the block raises it, and the listener is taken back", async () => {
    const listeners = new Set<unknown>();
    const port = {
      postMessage() {},
      close() {},
      on(_event: string, listener: unknown) {
        listeners.add(listener);
        throw new Error("on refused");
      },
      off(_event: string, listener: unknown) {
        listeners.delete(listener);
      },
    };
    let error: unknown;
    await run(function* () {
      error = yield* caught(sendToPort(port as MessagePortLike, function* () {}));
    });
    expect((error as Error).message).toBe("on refused");
    expect(listeners.size).toBe(0);
  });
});

/**
 * Channels across a MessagePort with credits: items stream in order, a
 * sender blocks when the receiver's credits run out, and each end is closed
 * (and the other told) on every exit path.
 */
import { MessageChannel } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { BrokenResourceError, CancelScope, ClosedResourceError, EndOfChannel, openNursery, run, sleep, type Operation } from "../../src/index.js";
import { openWorker, receiveFromPort, sendToPort, type PortReceiveChannel } from "../../src/workers/index.js";
import type { ChannelOps } from "./fixtures/channels.worker.js";
import { caught, tracker, type WorkerTracker } from "./helpers.js";

function* untilLogged(t: WorkerTracker, line: string) {
  while (!t.logs.includes(line)) yield* sleep(0.005);
}

function* drain<T>(channel: PortReceiveChannel<T>): Operation<T[]> {
  const out: T[] = [];
  for (;;) {
    try {
      out.push(yield* channel.receive());
    } catch (error) {
      if (error instanceof EndOfChannel) return out;
      throw error;
    }
  }
}

const sent = (t: WorkerTracker, tag: string) => t.logs.filter((l) => String(l).startsWith(`${tag}:sent`)).length;

describe("a worker streaming to the page", () => {
  it("delivers every item in order, then EndOfChannel; the call returns too", async () => {
    const t = await tracker("channels.worker");
    await run(function* () {
      yield* openWorker<ChannelOps>(t.make(), function* (worker) {
        const { port1, port2 } = new MessageChannel();
        let returned: unknown;
        let items: number[] = [];
        yield* openNursery(function* (nursery) {
          nursery.startSoon(function* () {
            returned = yield* worker.call("produce", [port2, 50, "p"], { transfer: [port2] });
          });
          items = yield* receiveFromPort<number, number[]>(port1, function* (channel) {
            const all = yield* drain(channel);
            // Ended stays ended.
            expect(yield* caught(channel.receive())).toBeInstanceOf(EndOfChannel);
            return all;
          }, { credits: 4 });
        });
        expect(items).toEqual([...Array(50).keys()]);
        expect(returned).toBe(50);
      });
    });
    expect(t.alive).toBe(0);
  });

  it("the sender blocks once the receiver's credits are spent, and goes on as items are taken", async () => {
    const t = await tracker("channels.worker");
    await run(function* () {
      yield* openWorker<ChannelOps>(t.make(), function* (worker) {
        const { port1, port2 } = new MessageChannel();
        yield* openNursery(function* (nursery) {
          nursery.startSoon(() => worker.call("produce", [port2, 10, "b"], { transfer: [port2] }));
          yield* receiveFromPort<number>(port1, function* (channel) {
            yield* untilLogged(t, "b:sent 2");
            yield* sleep(0.2); // plenty of time for more, if it were not blocked
            expect(sent(t, "b")).toBe(3);
            expect(yield* channel.receive()).toBe(0); // one credit back
            yield* untilLogged(t, "b:sent 3");
            yield* sleep(0.1);
            expect(sent(t, "b")).toBe(4);
            expect(yield* drain(channel)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
          }, { credits: 3 });
        });
      });
    });
  });

  it("a sender that raises: the receiver gets the items sent, then BrokenResourceError with the cause; the call raises the error", async () => {
    const t = await tracker("channels.worker");
    await run(function* () {
      yield* openWorker<ChannelOps>(t.make(), function* (worker) {
        const { port1, port2 } = new MessageChannel();
        let callError: unknown;
        const received: number[] = [];
        let end: unknown;
        yield* openNursery(function* (nursery) {
          nursery.startSoon(function* () {
            callError = yield* caught(worker.call("produceThenFail", [port2, 3], { transfer: [port2] }));
          });
          yield* receiveFromPort<number>(port1, function* (channel) {
            end = yield* caught(function* () {
              for (;;) received.push(yield* channel.receive());
            }());
          });
        });
        expect(received).toEqual([0, 1, 2]);
        expect(end).toBeInstanceOf(BrokenResourceError);
        expect((end as Error).cause).toBeInstanceOf(RangeError);
        expect(((end as Error).cause as Error).message).toBe("the producer broke");
        expect(callError).toBeInstanceOf(RangeError);
      });
    });
  });

  it("a receiver that leaves early: the sender's next send raises BrokenResourceError, and its finally runs", async () => {
    const t = await tracker("channels.worker");
    await run(function* () {
      yield* openWorker<ChannelOps>(t.make(), function* (worker) {
        const { port1, port2 } = new MessageChannel();
        let returned: unknown;
        yield* openNursery(function* (nursery) {
          nursery.startSoon(function* () {
            returned = yield* worker.call("produceForever", [port2, "f"], { transfer: [port2] });
          });
          yield* receiveFromPort<number>(port1, function* (channel) {
            for (let i = 0; i < 5; i++) expect(yield* channel.receive()).toBe(i);
          }, { credits: 2 });
        });
        expect(returned).toMatch(/^broken: .*the receiver has left/);
        expect(t.logs).toContain("f:finally");
      });
    });
  });

  it("cancelling the page's side cancels the sender in the worker; both ports are closed", async () => {
    const t = await tracker("channels.worker");
    let receiverChannel: PortReceiveChannel<number> | undefined;
    await run(function* () {
      yield* openWorker<ChannelOps>(t.make(), function* (worker) {
        const { port1, port2 } = new MessageChannel();
        const closed: string[] = [];
        port1.on("close", () => closed.push("port1"));
        const scope = new CancelScope();
        yield* scope.run(() =>
          openNursery(function* (nursery) {
            nursery.startSoon(() => worker.call("produceForever", [port2, "c"], { transfer: [port2] }));
            yield* receiveFromPort<number>(port1, function* (channel) {
              receiverChannel = channel;
              yield* channel.receive();
              scope.cancel();
              yield* sleep(10);
            }, { credits: 1 });
          }),
        );
        expect(scope.cancelledCaught).toBe(true);
        // The caller's Cancelled came after the worker's side had ended.
        expect(t.logs).toContain("c:finally");
        yield* sleep(0.02);
        expect(closed).toEqual(["port1"]);
        expect(port1.listenerCount("message")).toBe(0);
        // The worker is still fine.
        expect(worker.alive).toBe(true);
      });
    });
    let after: unknown;
    await run(function* () {
      after = yield* caught(receiverChannel!.receive());
    });
    expect(after).toBeInstanceOf(ClosedResourceError);
  });
});

describe("the page streaming to a worker", () => {
  it("a fast page sender is held to the worker's credits, and the sum arrives", async () => {
    const t = await tracker("channels.worker");
    await run(function* () {
      yield* openWorker<ChannelOps>(t.make(), function* (worker) {
        const { port1, port2 } = new MessageChannel();
        let sum: unknown;
        let sentBeforeReceiving = -1;
        yield* openNursery(function* (nursery) {
          nursery.startSoon(function* () {
            sum = yield* worker.call("consume", [port2, 4, 0.3], { transfer: [port2] });
          });
          yield* sendToPort<number>(port1, function* (out) {
            for (let i = 1; i <= 100; i++) {
              yield* out.send(i);
              if (sentBeforeReceiving < 0 && t.logs.includes("consume:receiving")) sentBeforeReceiving = i - 1;
              expect(out.creditsLeft).toBeGreaterThanOrEqual(0);
            }
          });
        });
        expect(sum).toBe(5050);
        // While the worker did not receive, only its 4 credits' worth went out (the fifth send waited).
        expect(sentBeforeReceiving).toBe(4);
      });
    });
  });
});

describe("bad input", () => {
  it("a non-port, bad credits, a non-cloneable item: clear errors, nothing left open", async () => {
    await run(function* () {
      const notPort = yield* caught(receiveFromPort({} as never, function* () {}));
      expect(notPort).toBeInstanceOf(TypeError);
      expect((notPort as Error).message).toMatch(/needs a MessagePort/);
      const { port1, port2 } = new MessageChannel();
      const credits = yield* caught(receiveFromPort(port1, function* () {}, { credits: 0 }));
      expect((credits as Error).message).toMatch(/options.credits must be a whole number/);
      expect(port1.listenerCount("message")).toBe(0);
      yield* openNursery(function* (nursery) {
        nursery.startSoon(() => receiveFromPort<unknown>(port2, function* (channel) {
          yield* sleep(0.05);
          yield* caught(channel.receive());
        }));
        const error = yield* caught(sendToPort<unknown>(port1, function* (out) {
          yield* out.send(() => 1);
        }));
        expect(error).toBeInstanceOf(TypeError);
        expect((error as Error).message).toMatch(/cannot be sent across the port.*Nothing was sent/);
      });
    });
  });
});

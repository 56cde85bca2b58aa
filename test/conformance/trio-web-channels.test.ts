/**
 * Trio's rule for a channel's send (trio/_tests/test_channel.py and the
 * docs' "checkpoints": a send is a checkpoint, and a send that raises
 * Cancelled did not happen) on the web's channels of values: the
 * BroadcastChannel's send side and a send channel over a WritableStream.
 * The code and wording are ours.
 */
import { describe, expect, it } from "vitest";
import { Cancelled, CancelScope, run, sleep, type Operation } from "../../src/index.js";
import { assertCheckpoints } from "../../src/testing/index.js";
import { openBroadcastChannel, sendChannelFromWritable } from "../../src/web/index.js";

/** Runs `op` in a scope cancelled beforehand; returns what it raised (undefined if it returned). */
function* inCancelledScope(op: () => Operation<unknown>): Operation<unknown> {
  const scope = new CancelScope();
  let raised: unknown;
  yield* scope.run(function* () {
    scope.cancel();
    try {
      yield* op();
    } catch (e) {
      raised = e;
      throw e;
    }
  });
  return raised;
}

describe("a channel send is a checkpoint, and a cancelled send sent nothing", () => {
  it("BroadcastChannel: send is a checkpoint; in a cancelled scope it raises Cancelled and posts nothing", async () => {
    const name = `trio-web-channels-${Math.random()}`;
    const r = await run(function* () {
      const heard: unknown[] = [];
      const listener = new BroadcastChannel(name);
      listener.onmessage = (event: MessageEvent) => heard.push(event.data);
      try {
        const raised = yield* openBroadcastChannel<string, unknown>(name, function* (send) {
          yield* assertCheckpoints(send.send("first"));
          const raised = yield* inCancelledScope(() => send.send("cancelled"));
          yield* send.send("last");
          return raised;
        });
        // Let the messages arrive.
        for (let i = 0; i < 50 && heard.length < 2; i++) yield* sleep(0.01);
        yield* sleep(0.02);
        return { raised, heard };
      } finally {
        listener.close();
      }
    });
    expect(r.raised).toBeInstanceOf(Cancelled);
    expect(r.heard).toEqual(["first", "last"]);
  });

  it("a send channel over a WritableStream: in a cancelled scope it raises Cancelled and writes nothing", async () => {
    const written: unknown[] = [];
    const writable = new WritableStream<string>({
      write(chunk) {
        written.push(chunk);
      },
    });
    const raised = await run(function* () {
      const channel = sendChannelFromWritable(writable);
      yield* channel.send("first");
      const raised = yield* inCancelledScope(() => channel.send("cancelled"));
      yield* channel.send("last");
      yield* channel.aclose();
      return raised;
    });
    expect(raised).toBeInstanceOf(Cancelled);
    expect(written).toEqual(["first", "last"]);
  });
});

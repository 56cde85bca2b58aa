// StreamWriter.drain() once the WebSocket has ended, against CPython's
// StreamWriter.drain / FlowControlMixin._drain_helper: with the transport
// closing it lets the loop turn once (sleep(0)), then raises if the
// connection is gone (ConnectionResetError there), else returns. Here the
// server's normal close raises BrokenResourceError, this side's completed
// close() a RuntimeError; a close still under way returns quietly.
import { describe, expect, it } from "vitest";
import { asyncio, asyncioRun } from "../../src/index.js";
import { BrokenResourceError, RuntimeError } from "../../src/core/index.js";
import { openWebSocketStreams } from "../../src/web/index.js";
import { bytes } from "./helpers.js";
import { FakeServer } from "./websocket-fake.js";

const URL_ = "ws://example.test/drain";

/** Runs `attempt` and returns what it raised, or "returned". */
function* outcome(attempt: () => asyncio.Coroutine<void>): asyncio.Coroutine<unknown> {
  try {
    yield* attempt();
    return "returned";
  } catch (error) {
    return error;
  }
}

describe("StreamWriter.drain() after the connection ended", () => {
  it("after the server's normal close: BrokenResourceError naming drain and the code (CPython: ConnectionResetError), where it used to return quietly", async () => {
    const server = new FakeServer();
    server.onConnect = (s) => {
      s.accept();
      s.serverClose(1000, "bye");
    };
    const seen = await asyncioRun(
      (function* () {
        const [reader, writer] = yield* openWebSocketStreams(URL_, { WebSocket: server.WebSocket });
        expect(yield* reader.read()).toHaveLength(0);
        yield* writer.waitClosed();
        return yield* outcome(() => writer.drain());
      })(),
    );
    expect(seen).toBeInstanceOf(BrokenResourceError);
    expect(String(seen)).toMatch(/StreamWriter\.drain\(\) on a WebSocket the server closed \(code 1000, reason "bye"\): what was written last may not have arrived/);
    expect(server.liveListeners).toBe(0);
  });

  it("after this side's close() has completed: a RuntimeError saying to drain before close()", async () => {
    const server = new FakeServer();
    const seen = await asyncioRun(
      (function* () {
        const [, writer] = yield* openWebSocketStreams(URL_, { WebSocket: server.WebSocket });
        writer.write(bytes("x"));
        writer.close();
        yield* writer.waitClosed();
        return yield* outcome(() => writer.drain());
      })(),
    );
    expect(seen).toBeInstanceOf(RuntimeError);
    expect(String(seen)).toMatch(/StreamWriter\.drain\(\) after the WebSocket closed: close\(\) has completed/);
    expect(server.liveListeners).toBe(0);
  });

  it("while this side's close() is still under way (the closing handshake has not ended): returns after one turn of the loop", async () => {
    const server = new FakeServer();
    const seen = await asyncioRun(
      (function* () {
        const [, writer] = yield* openWebSocketStreams(URL_, { WebSocket: server.WebSocket });
        writer.close();
        const result = yield* outcome(() => writer.drain());
        yield* writer.waitClosed();
        return result;
      })(),
    );
    expect(seen).toBe("returned");
    expect(server.last.closeCalls.map((c) => c.code)).toEqual([1000]);
  });
});

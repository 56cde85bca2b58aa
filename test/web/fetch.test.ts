// fetchOp against a real HTTP server on 127.0.0.1: the request is aborted on the wire when its
// scope is cancelled (the server sees the connection close), while waiting for the headers and
// while the body is read, and the body reads through the stream adapters and framing helpers.
import type { IncomingMessage, ServerResponse } from "node:http";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BrokenResourceError, CancelScope, Cancelled, asyncioRun, inspector, moveOnAfter, openNursery, run, waitPromise } from "../../src/index.js";
import { waitAllTasksBlocked } from "../../src/testing/index.js";
import { fetchFuture, fetchOp, receiveServerSentEvents, receiveStreamFromReadable } from "../../src/web/index.js";
import { httpServer, raises, runMock } from "./helpers.js";

/** Resolves when the server sees the current request's connection close. */
let closed: Promise<void>;
let markClosed: () => void;
let markArrived: () => void = () => {};

/** Resolves when the server has the next request. */
function nextArrival(): Promise<void> {
  return new Promise((resolve) => (markArrived = resolve));
}

function routes(req: IncomingMessage, res: ServerResponse): void {
  markArrived();
  res.on("close", () => markClosed());
  if (req.url?.startsWith("/hang") === true) return; // never answers (a query string too)
  if (req.url === "/stream") {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write("event: hello\ndata: one\n\n");
    return; // never ends
  }
  if (req.url === "/broken") {
    res.writeHead(200, { "content-type": "application/octet-stream" });
    res.write("partial", () => setTimeout(() => res.destroy(), 20));
    return;
  }
  res.writeHead(200, { "content-type": "text/plain" });
  res.end("ok");
}

function expectClose(): Promise<void> {
  closed = new Promise((resolve) => (markClosed = resolve));
  return closed;
}

const server = httpServer(routes);

describe("fetchOp", () => {
  it("returns the Response", async () => {
    const seen = expectClose();
    await run(function* () {
      const response = yield* fetchOp(`${server.url}/plain`);
      expect(response.status).toBe(200);
      expect(yield* waitPromise(response.text())).toBe("ok");
    });
    await seen;
  });

  it("cancelling the scope while waiting for the headers aborts the request: the server sees the connection close", async () => {
    const seen = expectClose();
    let caught: unknown;
    await run(function* () {
      yield* moveOnAfter(0.2, function* () {
        try {
          yield* fetchOp(`${server.url}/hang`);
        } catch (error) {
          caught = error;
          throw error;
        }
      });
    });
    expect(caught).toBeInstanceOf(Cancelled);
    await seen; // would time out if the request were left running
  });

  it("the inspector shows what a fetching task waits on: the method and URL, for a string, a URL and a Request", async () => {
    const labels: (string | undefined)[] = [];
    // Count this test's arrivals and closes, so none of its requests is left for the next test to see.
    let arrived = 0;
    let closes = 0;
    markArrived = () => arrived++;
    markClosed = () => closes++;
    const tick = () => waitPromise(new Promise((r) => setTimeout(r, 5)));
    await run(function* () {
      yield* openNursery(function* (n) {
        n.startSoonNamed("by string", () => fetchOp(`${server.url}/hang?q=ab`));
        n.startSoonNamed("by URL, posted", () => fetchOp(new URL(`${server.url}/hang`), { method: "post", body: "x" }));
        n.startSoonNamed("by Request", () => fetchOp(new Request(`${server.url}/hang`, { method: "PUT", body: "y" })));
        while (arrived < 3) yield* tick();
        yield* waitAllTasksBlocked();
        const tasks = inspector.inspect().tasks;
        for (const name of ["by string", "by URL, posted", "by Request"]) labels.push(tasks.find((t) => t.name === name)?.waitingOn?.label);
        n.cancelScope.cancel();
      });
      while (closes < 3) yield* tick();
    });
    expect(labels).toEqual([`GET ${server.url}/hang?q=ab`, `POST ${server.url}/hang`, `PUT ${server.url}/hang`]);
  });

  it("cancelling the scope while the body is read aborts the body too", async () => {
    const seen = expectClose();
    const got: string[] = [];
    await run(function* () {
      const scope = new CancelScope();
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          yield* scope.run(function* () {
            const response = yield* fetchOp(`${server.url}/stream`);
            const events = receiveServerSentEvents(receiveStreamFromReadable(response.body!));
            yield* events.forEach(function* (e) {
              got.push(`${e.event}:${e.data}`);
            });
          });
        });
        while (got.length === 0) yield* waitPromise(new Promise((r) => setTimeout(r, 5)));
        yield* waitAllTasksBlocked();
        scope.cancel();
      });
      expect(scope.cancelledCaught).toBe(true);
    });
    expect(got).toEqual(["hello:one"]);
    await seen;
  });

  it("a connection dropped mid-body is BrokenResourceError", async () => {
    const seen = expectClose();
    await run(function* () {
      const response = yield* fetchOp(`${server.url}/broken`);
      const body = receiveStreamFromReadable(response.body!);
      let received = "";
      let caught: unknown;
      try {
        for (;;) {
          const chunk = yield* body.receiveSome();
          if (chunk.length === 0) break;
          received += new TextDecoder().decode(chunk);
        }
      } catch (error) {
        caught = error;
      }
      expect(received).toBe("partial");
      expect(caught).toBeInstanceOf(BrokenResourceError);
      body.close();
    });
    await seen;
  });

  it("a signal of one's own aborts the request too, with fetch's own error", async () => {
    const seen = expectClose();
    const controller = new AbortController();
    const arrived = nextArrival();
    await run(function* () {
      let caught: unknown;
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          try {
            yield* fetchOp(`${server.url}/hang`, { signal: controller.signal });
          } catch (error) {
            caught = error;
          }
        });
        yield* waitPromise(arrived);
        controller.abort();
      });
      expect((caught as Error).name).toBe("AbortError");
    });
    await seen;
  });

  it("refuses bad input", async () => {
    expect(() => fetchOp("/x", 3 as never)).toThrow(/options object/);
    expect(() => fetchOp("/x", { signal: "stop" as never })).toThrow(/init.signal must be an AbortSignal/);
  });
});

describe("fetchOp and fetchFuture with a fetch polyfill or mock that answers wrong", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("fetch returns no Promise: a TypeError naming fetchOp and the global fetch (it named abortable(work), which the caller never called)", async () => {
    for (const answer of [42, undefined, { then: 1 }]) {
      vi.stubGlobal("fetch", () => answer);
      const error = await runMock(() => raises(fetchOp("/x"), TypeError));
      expect(error.message).toMatch(/^fetchOp\(\): the global fetch returned .*, not a Promise of a Response; a fetch polyfill or mock must return one/);
    }
  });

  it("fetch resolves to no Response: fetchFuture's read names itself and the method (it was the engine's \"response[read] is not a function\")", async () => {
    vi.stubGlobal("fetch", () => Promise.resolve({ ok: true }));
    const got = await asyncioRun(
      (function* () {
        try {
          yield* fetchFuture("/x", {}, { read: "json" });
        } catch (error) {
          return `${(error as Error).name}: ${(error as Error).message}`;
        }
        return "nothing raised";
      })(),
    );
    expect(got).toMatch(/^TypeError: fetchFuture\(input, init, \{ read: "json" \}\): fetch resolved to an object, which has no json\(\) method; a fetch polyfill or mock must resolve to a Response/);
  });
});

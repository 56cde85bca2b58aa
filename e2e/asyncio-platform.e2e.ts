// The asyncio flavour of frames, idle time, fetch and Web Locks (frameFuture, idleFuture,
// hostTurnFuture, fetchFuture, withWebLock) in Chromium with the real browser APIs, against the
// dev server. The library is loaded into a demo page from the sources and run with asyncio.run.
// Each test ends by checking, in the page, on the server and in the Lock Manager, that nothing
// is left: no task, no request in flight, no lock held or requested.
import { expect, test } from "@playwright/test";
import { collectErrors, expectNothingLeft, resetWire, VIEWPORT, wireSettled } from "./helpers.js";
import { LIB, libraryPage } from "./websocket-server.js";

test.use({ viewport: VIEWPORT });

test("frames, idle time and a host turn as Futures: done with the browser's values, cancelled requests never fire", async ({ page }) => {
  const errors = collectErrors(page);
  await libraryPage(page);
  const result = await page.evaluate(async (lib) => {
    const core = (await import(lib.core)) as typeof import("../src/index.js");
    const web = (await import(lib.web)) as typeof import("../src/web/index.js");
    // Count the frame callbacks that reach the page, to see that a cancelled one never does.
    let framesFired = 0;
    const raf = window.requestAnimationFrame.bind(window);
    window.requestAnimationFrame = (cb) => raf((t) => (framesFired++, cb(t)));
    try {
      return await core.asyncioRun(
        (function* () {
          const a = yield* web.frameFuture();
          const b = yield* web.frameFuture();
          const firedBefore = framesFired;
          const cancelled = web.frameFuture();
          cancelled.cancel();
          // Two more frames pass: the cancelled request's callback was withdrawn.
          yield* web.frameFuture();
          yield* web.frameFuture();
          const deadline = yield* web.idleFuture({ timeout: 1 });
          const turns: string[] = [];
          setTimeout(() => turns.push("timeout 0"), 0);
          core.asyncio.getRunningLoop().callSoon(() => turns.push("callSoon"));
          yield* web.hostTurnFuture();
          turns.push("after the turn");
          return {
            increasing: b > a,
            firedForCancelled: framesFired - firedBefore - 2,
            idle: typeof deadline.timeRemaining() === "number",
            turns,
          };
        })(),
      );
    } finally {
      window.requestAnimationFrame = raf;
    }
  }, LIB);
  expect(result.increasing).toBe(true);
  expect(result.firedForCancelled).toBe(0);
  expect(result.idle).toBe(true);
  expect(result.turns[0]).toBe("callSoon");
  expect(result.turns).toContain("after the turn");
  await expectNothingLeft(page);
  expect(errors).toEqual([]);
});

test("fetchFuture: JSON read inside the Future; waitFor's timeout, a cancelled Task and the loop's end abort the request on the wire", async ({ page, request }) => {
  const errors = collectErrors(page);
  await libraryPage(page);
  await resetWire(request);
  const result = await page.evaluate(async (lib) => {
    const core = (await import(lib.core)) as typeof import("../src/index.js");
    const web = (await import(lib.web)) as typeof import("../src/web/index.js");
    const { asyncio } = core;
    // Until the server has seen `n` requests to the slow endpoint: a request aborted before it
    // reaches the server (a loaded machine) would not show on the wire.
    const serverSaw = function* (n: number) {
      for (;;) {
        const stats = (yield* asyncio.wrapPromise(fetch("/api/stats").then((r) => r.json()))) as { byPath: Record<string, { started: number } | undefined> };
        if ((stats.byPath["/api/playground/slow"]?.started ?? 0) >= n) return;
        yield* asyncio.sleep(0.02);
      }
    };
    return core.asyncioRun(
      (function* () {
        const found = (yield* web.fetchFuture("/api/search?q=nur&latency=10", {}, { read: "json" })) as { results: string[] };
        let timedOut = "";
        try {
          // Long enough for the request to reach the server even on a loaded machine.
          yield* asyncio.waitFor(web.fetchFuture("/api/playground/slow?ms=60000&tag=timeout"), 1);
        } catch (error) {
          timedOut = (error as Error).name;
        }
        const task = asyncio.createTask(
          (function* () {
            return yield* web.fetchFuture("/api/playground/slow?ms=60000&tag=task", {}, { read: "text" });
          })(),
        );
        yield* serverSaw(2);
        task.cancel();
        yield* asyncio.wait([task]);
        // Left running when the loop ends: the loop's end aborts it.
        web.fetchFuture("/api/playground/slow?ms=60000&tag=forgotten");
        yield* serverSaw(3);
        return { results: found.results, timedOut, taskCancelled: task.cancelled() };
      })(),
    );
  }, LIB);
  expect(result.results).toContain("nursery");
  expect(result).toMatchObject({ timedOut: "TimeoutError", taskCancelled: true });
  const slow = await wireSettled(request, "/api/playground/slow");
  expect(slow).toMatchObject({ started: 3, aborted: 3, finished: 0 });
  await expectNothingLeft(page);
  expect(errors).toEqual([]);
});

test("withWebLock: held for the coroutine, a cancelled waiter leaves the Lock Manager's queue, the holder's end releases it", async ({ page }) => {
  const errors = collectErrors(page);
  await libraryPage(page);
  const result = await page.evaluate(async (lib) => {
    const core = (await import(lib.core)) as typeof import("../src/index.js");
    const web = (await import(lib.web)) as typeof import("../src/web/index.js");
    const { asyncio } = core;
    const query = async () => {
      const state = await navigator.locks.query();
      return { held: (state.held ?? []).filter((l) => l.name === "e2e-cache").length, pending: (state.pending ?? []).filter((l) => l.name === "e2e-cache").length };
    };
    return core.asyncioRun(
      (function* () {
        const log: string[] = [];
        const holder = asyncio.createTask(
          web.withWebLock("e2e-cache", function* (lock) {
            log.push(`holder has ${lock?.mode}`);
            yield* asyncio.sleep(3600);
          }),
        );
        yield* asyncio.sleep(0.05);
        const waiter = asyncio.createTask(
          web.withWebLock("e2e-cache", function* () {
            log.push("waiter ran");
          }),
        );
        yield* asyncio.sleep(0.05);
        const whileWaiting = yield* asyncio.wrapPromise(query());
        waiter.cancel();
        yield* asyncio.wait([waiter]);
        yield* asyncio.sleep(0.05);
        const afterWaiter = yield* asyncio.wrapPromise(query());
        holder.cancel();
        yield* asyncio.wait([holder]);
        yield* asyncio.sleep(0.05);
        const shared = yield* web.withWebLock("e2e-cache", function* (lock) {
          return lock?.mode;
        }, { mode: "shared" });
        // The Lock Manager lets go once the released Promise has settled: a moment after the coroutine returned.
        let atEnd = yield* asyncio.wrapPromise(query());
        for (let i = 0; i < 50 && atEnd.held > 0; i++) {
          yield* asyncio.sleep(0.02);
          atEnd = yield* asyncio.wrapPromise(query());
        }
        return { log, whileWaiting, afterWaiter, shared, atEnd };
      })(),
    );
  }, LIB);
  expect(result).toEqual({
    log: ["holder has exclusive"],
    whileWaiting: { held: 1, pending: 1 },
    afterWaiter: { held: 1, pending: 0 },
    shared: "shared",
    atEnd: { held: 0, pending: 0 },
  });
  await expectNothingLeft(page);
  expect(errors).toEqual([]);
});

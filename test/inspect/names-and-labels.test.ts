/**
 * Names that explain: the scopes of moveOnAfter/moveOnAt/failAfter/failAt
 * take `{ name }`, and a Promise wait takes `{ label }` (waitPromise,
 * abortable); the inspector reports both instead of "cancel scope #7" and
 * "a Promise". Labelled waits still settle, cancel and abort as before.
 */
import { describe, expect, it } from "vitest";
import {
  Cancelled,
  TooSlowError,
  currentTime,
  abortable,
  failAfter,
  failAt,
  inspector,
  moveOnAfter,
  moveOnAt,
  openNursery,
  run,
  sleepForever,
  waitPromise,
  type CancelScope,
} from "../../src/index.js";
import { waitAllTasksBlocked } from "../../src/testing/index.js";

function waitOf(name: string): inspector.WaitInfo | null | undefined {
  return inspector.inspect().tasks.find((t) => t.name === name)?.waitingOn;
}

function scopeName(scope: CancelScope): string | null | undefined {
  return inspector.inspect().scopes.find((s) => s.id === scope.id)?.name;
}

describe("named deadline scopes", () => {
  it("moveOnAfter, moveOnAt, failAfter and failAt name the scope they make", async () => {
    const names: (string | null | undefined)[] = [];
    await run(function* () {
      yield* moveOnAfter(10, function* (s) {
        names.push(scopeName(s));
        // Absolute deadlines from now: the real clock counts from process start, so a bare 100 passes in a long run.
        yield* moveOnAt(currentTime() + 100, function* (t) {
          names.push(scopeName(t));
          yield* failAfter(10, function* (u) {
            names.push(scopeName(u));
            yield* failAt(currentTime() + 100, function* (v) {
              names.push(scopeName(v), String(v));
            }, { name: "at most 100" });
          }, { name: "save deadline" });
        }, { name: "page deadline" });
      }, { name: "search deadline" });
      // Without options the scope has no name, as before.
      yield* moveOnAfter(1, function* (s) {
        names.push(scopeName(s));
      });
    });
    expect(names.slice(0, 4)).toEqual(["search deadline", "page deadline", "save deadline", "at most 100"]);
    expect(names[4]).toMatch(/^<CancelScope #\d+ "at most 100">$/);
    expect(names[5]).toBe(null);
  });

  it("a named failAfter still raises TooSlowError and moveOnAfter still moves on", async () => {
    const outcome = await run(function* () {
      const moved = yield* moveOnAfter(0, function* () {
        yield* sleepForever();
        return "never";
      }, { name: "instant" });
      try {
        yield* failAfter(0, () => sleepForever(), { name: "too slow" });
        return [moved, "no error"];
      } catch (error) {
        return [moved, error instanceof TooSlowError ? "TooSlowError" : String(error)];
      }
    });
    expect(outcome).toEqual([undefined, "TooSlowError"]);
  });

  it.each([
    ["moveOnAfter", () => moveOnAfter(1, function* () {}, { name: 7 as unknown as string }), /moveOnAfter\(seconds, body, options\) takes a string name \(for tools\) in \{ name \}, got number/],
    ["moveOnAt", () => moveOnAt(1, function* () {}, "deadline" as unknown as { name: string }), /moveOnAt\(deadline, body, options\) takes an options object such as \{ name: "search deadline" \}.*got string/],
    ["failAfter", () => failAfter(1, function* () {}, null as unknown as { name: string }), /failAfter\(seconds, body, options\) takes an options object.*got null/],
    ["failAt", () => failAt(1, function* () {}, { name: null as unknown as string }), /failAt\(deadline, body, options\) takes a string name \(for tools\) in \{ name \}, got null/],
  ])("%s refuses bad options at the call", (_what, call, message) => {
    expect(call).toThrow(TypeError);
    expect(call).toThrow(message);
  });
});

describe("labelled Promise waits", () => {
  it("the inspector shows the label of waitPromise and abortable, and 'a Promise' without one", async () => {
    const seen: Record<string, inspector.WaitInfo | null | undefined> = {};
    let resolvers: (() => void)[] = [];
    const pending = () => new Promise<string>((resolve) => resolvers.push(() => resolve("done")));
    const results = await run(function* () {
      const out: string[] = [];
      yield* openNursery(function* (n) {
        n.startSoonNamed("labelled", function* () {
          out.push(yield* waitPromise(pending(), { label: "search results" }));
        });
        n.startSoonNamed("plain", function* () {
          out.push(yield* waitPromise(pending()));
        });
        n.startSoonNamed("aborting", function* () {
          out.push(yield* abortable(() => pending(), { label: "GET /api/search?q=ab" }));
        });
        yield* waitAllTasksBlocked();
        for (const name of ["labelled", "plain", "aborting"]) seen[name] = waitOf(name);
        for (const r of resolvers) r();
        resolvers = [];
      });
      return out;
    });
    expect(seen.labelled).toEqual({ kind: "promise", label: "search results" });
    expect(seen.plain).toEqual({ kind: "promise", label: "a Promise" });
    expect(seen.aborting).toEqual({ kind: "promise", label: "GET /api/search?q=ab" });
    expect(results).toEqual(["done", "done", "done"]);
  });

  it("a labelled abortable is still aborted on cancel and raises Cancelled; a labelled waitPromise stops waiting", async () => {
    let aborted: unknown = null;
    const outcomes: string[] = [];
    await run(function* () {
      yield* openNursery(function* (n) {
        n.startSoonNamed("fetcher", function* () {
          try {
            yield* abortable(
              (signal) =>
                new Promise((_resolve, reject) =>
                  signal.addEventListener("abort", () => {
                    aborted = signal.reason;
                    reject(new Error("aborted"));
                  }),
                ),
              { label: "GET /slow" },
            );
          } catch (error) {
            outcomes.push(error instanceof Cancelled ? "fetcher cancelled" : String(error));
            throw error;
          }
        });
        n.startSoonNamed("waiter", function* () {
          try {
            yield* waitPromise(new Promise(() => {}), { label: "never" });
          } catch (error) {
            outcomes.push(error instanceof Cancelled ? "waiter cancelled" : String(error));
            throw error;
          }
        });
        yield* waitAllTasksBlocked();
        n.cancelScope.cancel("test over");
      });
    });
    expect(aborted).toBeInstanceOf(Cancelled);
    expect(outcomes.sort()).toEqual(["fetcher cancelled", "waiter cancelled"]);
  });

  it("refuses a label that is not a string, naming the option", async () => {
    const errors = await run(function* () {
      const out: unknown[] = [];
      for (const op of [
        () => waitPromise(Promise.resolve(1), { label: 42 as unknown as string }),
        () => waitPromise(Promise.resolve(1), "label" as unknown as { label: string }),
        () => abortable(() => Promise.resolve(1), { label: {} as unknown as string }),
      ]) {
        try {
          yield* op();
        } catch (error) {
          out.push(error);
        }
      }
      return out;
    });
    expect(errors.map((e) => (e as Error).constructor.name)).toEqual(["TypeError", "TypeError", "TypeError"]);
    expect((errors[0] as Error).message).toMatch(/waitPromise\(promise, options\) takes a string label \(what the Promise is, for tools\) in \{ label \}, got number 42/);
    expect((errors[1] as Error).message).toMatch(/waitPromise\(promise, options\) takes an options object such as \{ label: "GET \/api\/user" \}, got "label"/);
    expect((errors[2] as Error).message).toMatch(/abortable\(work, options\) takes a string label .* in \{ label \}, got/);
  });
});

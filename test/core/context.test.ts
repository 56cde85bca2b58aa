import { describe, expect, it } from "vitest";
import { ContextVar, checkpoint, openNursery, sleep, type TaskStatus } from "../../src/core/index.js";
import { runMock } from "./helpers.js";

describe("ContextVar", () => {
  it("gives its default outside any run() and in a task that did not set it", async () => {
    const v = new ContextVar("user", "anonymous");
    expect(v.get()).toBe("anonymous");
    expect(new ContextVar<number>("n").get()).toBeUndefined();
    await runMock(function* () {
      expect(v.get()).toBe("anonymous");
    });
  });

  it("run() sets the value for the body and restores it after, even on error", async () => {
    const v = new ContextVar("level", 0);
    await runMock(function* () {
      yield* v.run(1, function* () {
        expect(v.get()).toBe(1);
        yield* v.run(2, function* () {
          yield* checkpoint();
          expect(v.get()).toBe(2);
        });
        expect(v.get()).toBe(1);
      });
      expect(v.get()).toBe(0);
      try {
        yield* v.run(5, function* () {
          yield* checkpoint();
          throw new Error("x");
        });
      } catch {
        // restored below
      }
      expect(v.get()).toBe(0);
    });
  });

  it("children inherit the value at spawn time; their changes stay their own", async () => {
    const v = new ContextVar("request", "none");
    const seen: string[] = [];
    await runMock(function* () {
      yield* v.run("parent", function* () {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            yield* sleep(1);
            seen.push(`child sees ${v.get()}`);
            yield* v.run("child", function* () {
              yield* sleep(1);
              seen.push(`child set ${v.get()}`);
            });
          });
          yield* v.run("parent-later", function* () {
            yield* sleep(1.5);
            seen.push(`parent sees ${v.get()}`);
          });
        });
      });
    });
    expect(seen).toEqual(["child sees parent", "parent sees parent-later", "child set child"]);
  });

  it("a start() child inherits the caller's context", async () => {
    const v = new ContextVar("who", "nobody");
    const got = await runMock(function* () {
      return yield* openNursery(function* (n) {
        return yield* v.run("caller", function* () {
          return yield* n.start(function* (status: TaskStatus<string>) {
            status.started(v.get()!);
          });
        });
      });
    });
    expect(got).toBe("caller");
  });

  it("run() outside a task raises a RuntimeError naming the variable", () => {
    const v = new ContextVar("thing");
    expect(() => v.run(1, function* () {}).next()).toThrow(/ContextVar\(thing\)\.run\(\)/);
  });
});

import { describe, expect, it } from "vitest";
import { run, runWith, openNursery, sleep, checkpoint, currentTime, ExceptionGroup } from "../../src/index.js";
import { MockClock } from "../../src/testing/index.js";

describe("run", () => {
  it("returns the main task's result", async () => {
    await expect(run(function* () {
      yield* checkpoint();
      return 42;
    })).resolves.toBe(42);
  });

  it("passes arguments to main", async () => {
    await expect(run(function* (a: number, b: string) {
      return `${a}${b}`;
    }, 1, "x")).resolves.toBe("1x");
  });

  it("rejects with what main raised", async () => {
    await expect(run(function* () {
      yield* checkpoint();
      throw new Error("nope");
    })).rejects.toThrow("nope");
  });

  it("drives sleeps with a MockClock that autojumps", async () => {
    const clock = new MockClock({ autojumpThreshold: 0 });
    const t = await runWith({ clock }, function* () {
      yield* sleep(3600);
      return currentTime();
    });
    expect(t).toBe(3600);
  });

  it("reports child errors as an ExceptionGroup", async () => {
    const err = await run(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          throw new Error("child");
        });
      });
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExceptionGroup);
    expect((err as ExceptionGroup).exceptions.map((e) => (e as Error).message)).toEqual(["child"]);
  });
});

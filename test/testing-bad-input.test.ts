/**
 * Bad input to trio-asyncio/testing, table-driven on the main entry's
 * harness (test/bad-input/harness.ts): wrong kinds, hostile values (revoked
 * Proxies, objects without a prototype, Symbols, BigInts), bad numbers, and
 * cancellation in the middle. Each must raise the expected class with a
 * message naming the call and the fix, leave its run with nothing behind,
 * and leave the runtime usable. A coverage test demands a row (or a skip
 * with a reason) for every value export of src/testing/index.ts.
 */
import { describe, expect, it } from "vitest";
import { Cancelled, checkpoint, currentRun, moveOnAfter, openNursery, runWith, sleep, type Operation, type Runner } from "../src/index.js";
import * as testing from "../src/testing/index.js";
import { MockClock, assertCheckpoints, assertNoCheckpoints, waitAllTasksBlocked } from "../src/testing/index.js";
import { expectNothingLeft, expectUsable, provoke, unwrap, type Case } from "./bad-input/harness.js";
import { expectEveryExportCovered } from "./bad-input/coverage.js";
import { bad, ENGINE_WORDS, revoked, type Any } from "./bad-input/hostile.js";


/** Hostile values, made fresh for each row. */
const hostile: [string, () => unknown][] = [
  ["a revoked Proxy", revoked],
  ["an object with no prototype", () => Object.create(null)],
  ["a Symbol", () => Symbol("s")],
  ["a BigInt", () => 5n],
  ["null", () => null],
  ["a string", () => "1"],
];

function rows(name: string, where: Case["where"], values: [string, () => unknown][], act: (v: Any) => unknown, error: Case["error"], message: RegExp): Case[] {
  return values.map(([label, make]) => ({ covers: [name], label: `${name}: ${label}`, where, act: () => act(make()), error, message }));
}

const cases: Case[] = [
  // MockClock: options, rate, autojumpThreshold, jump.
  ...rows("MockClock", "outside", [["a revoked Proxy", revoked]], (o) => new MockClock(o), TypeError, /new MockClock\(options\): the options object cannot be read \(.*\); pass a plain object/),
  ...rows("MockClock", "outside", [["a Symbol", () => Symbol("o")], ["42", () => 42], ["null", () => null]], (o) => new MockClock(o), TypeError, /new MockClock\(options\) takes an options object such as \{ autojumpThreshold: 0 \}, got/),
  ...rows("MockClock", "outside", [...hostile, ["NaN", () => NaN], ["-1", () => -1], ["Infinity", () => Infinity]], (r) => new MockClock({ rate: r }), RangeError, /MockClock rate must be a finite number >= 0, got/),
  ...rows("MockClock", "outside", [...hostile, ["NaN", () => NaN], ["-1", () => -1]], (t) => new MockClock({ autojumpThreshold: t }), RangeError, /MockClock autojumpThreshold must be a number of seconds >= 0 \(Infinity to disable\), got/),
  ...rows("MockClock", "outside", hostile, (s) => new MockClock().jump(s), TypeError, /MockClock\.jump\(seconds\) takes a number of seconds, got/),
  ...rows("MockClock", "outside", [["NaN", () => NaN], ["Infinity", () => Infinity]], (s) => new MockClock().jump(s), RangeError, /MockClock\.jump\(seconds\) needs a finite number of seconds/),
  { covers: ["MockClock"], label: "MockClock.jump(-1)", where: "outside", act: () => new MockClock().jump(-1), error: RangeError, message: /MockClock\.jump\(\) cannot go backwards: time is monotonic \(got -1\)/ },
  // waitAllTasksBlocked.
  ...rows("waitAllTasksBlocked", "trio", [...hostile, ["NaN", () => NaN], ["-1", () => -1]], (c) => waitAllTasksBlocked(c), RangeError, /waitAllTasksBlocked\(cushion\) takes a number of seconds >= 0, got/),
  { covers: ["waitAllTasksBlocked"], label: "waitAllTasksBlocked outside a run", where: "outside", act: () => waitAllTasksBlocked(), error: Error, message: /waitAllTasksBlocked\(\) must be used inside a task of run\(\)/ },
  // assertCheckpoints / assertNoCheckpoints.
  ...(["assertCheckpoints", "assertNoCheckpoints"] as const).flatMap((name) => {
    const fn = name === "assertCheckpoints" ? assertCheckpoints : assertNoCheckpoints;
    return [
      ...rows(name, "trio", [...hostile, ["42", () => 42], ["undefined", () => undefined]], (op) => fn(op), TypeError, new RegExp(`${name}\\(op\\) needs an operation \\(the generator a call such as sleep\\(1\\) returns\\), got`)),
      { covers: [name], label: `${name}(sleep): a generator function, not called`, where: "trio", act: () => fn(bad(sleep)), error: TypeError, message: new RegExp(`${name}\\(op\\) needs an operation.*got function sleep\\. Call it first: ${name}\\(sleep\\(\\.\\.\\.\\)\\)`) } satisfies Case,
    ];
  }),
  { covers: ["assertCheckpoints"], label: "assertCheckpoints on an operation without a checkpoint", where: "trio", act: () => assertCheckpoints((function* (): Operation<void> {})()), error: Error, message: /assertCheckpoints: the operation completed without a checkpoint/ },
  { covers: ["assertNoCheckpoints"], label: "assertNoCheckpoints on an operation with one", where: "trio", act: () => assertNoCheckpoints(checkpoint()), error: Error, message: /assertNoCheckpoints: the operation yielded to the scheduler 1 time\(s\)/ },
];

const skipped: Record<string, string> = {};

describe("coverage of trio-asyncio/testing", () => {
  it("every value export of src/testing/index.ts is in the table, or skipped with a reason", () => {
    expectEveryExportCovered(Object.keys(testing), cases, skipped);
  });
});

describe("bad inputs to trio-asyncio/testing give clear errors, and leave nothing behind", () => {
  for (const c of cases) {
    it(`${c.covers[0]}: ${c.label} (${c.where})`, async () => {
      const error = await provoke(c);
      expect(error, `${c.label}: ${String(error)}`).toBeInstanceOf(c.error);
      expect((error as Error).message).toMatch(c.message);
      expect((error as Error).message).not.toMatch(ENGINE_WORDS);
    });
  }
  it("afterwards the runtime is usable", async () => {
    await expectUsable();
  });
});

async function outcome(main: () => Operation<unknown>): Promise<{ value?: unknown; error?: unknown }> {
  let runner: Runner | null = null;
  try {
    const value = await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
      runner = currentRun();
      return yield* main();
    });
    return { value };
  } catch (error) {
    return { error: unwrap(error) };
  } finally {
    if (runner !== null) expectNothingLeft(runner);
  }
}

describe("options and cancellation", () => {
  it("a getter that throws on an option raises its own error", () => {
    for (const key of ["rate", "autojumpThreshold"]) {
      const boom = new Error(`the ${key} getter`);
      const options = Object.defineProperty({}, key, {
        enumerable: true,
        get() {
          throw boom;
        },
      });
      expect(() => new MockClock(bad(options)), key).toThrow(boom);
    }
  });

  it("each option is read once: a getter whose second answer is undefined still sets the value it gave first", () => {
    for (const key of ["rate", "autojumpThreshold"] as const) {
      let reads = 0;
      const options = Object.defineProperty({}, key, {
        enumerable: true,
        get() {
          return reads++ === 0 ? 3 : undefined;
        },
      });
      expect(new MockClock(options)[key], key).toBe(3);
      expect(reads, key).toBe(1);
    }
  });

  it("options without a prototype work", () => {
    const clock = new MockClock(Object.assign(Object.create(null) as object, { rate: 2, autojumpThreshold: 0 }));
    expect([clock.rate, clock.autojumpThreshold]).toEqual([2, 0]);
  });

  it("waitAllTasksBlocked cancelled mid-wait leaves no idle waiter", async () => {
    // No autojump while a task waits for idleness (as Trio): a real-time cushion, cancelled by hand.
    const r = await outcome(() =>
      moveOnAfter(Infinity, function* (scope) {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {
            yield* sleep(0);
            scope.cancel("mid-wait");
          });
          yield* waitAllTasksBlocked(60);
        });
        return "not cancelled";
      }),
    );
    expect(r).toEqual({ value: undefined });
  });

  it("assertCheckpoints cancelled in the middle passes the cancellation on; assertNoCheckpoints fails (the sleep was a checkpoint) with the Cancelled as cause; both leave nothing", async () => {
    const r = await outcome(function* () {
      return yield* moveOnAfter(1, () => assertCheckpoints(sleep(5)));
    });
    expect(r).toEqual({ value: undefined });
    const s = await outcome(function* () {
      return yield* moveOnAfter(1, () => assertNoCheckpoints(sleep(5)));
    });
    expect((s.error as Error).message).toMatch(/^assertNoCheckpoints: the operation yielded to the scheduler 1 time\(s\) and passed 1 cancel point\(s\)/);
    expect((s.error as Error).cause).toBeInstanceOf(Cancelled);
    await expectUsable();
  });
});

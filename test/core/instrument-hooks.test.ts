/**
 * Instruments, in the spirit of Trio's test_instrumentation: hooks are read
 * when the instrument is added (one that cannot be read is refused), a hook
 * that raises removes its instrument and is reported, and the hooks come in
 * Trio's order, with the task current in its step hooks.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  addInstrument,
  checkpoint,
  currentTask,
  openNursery,
  removeInstrument,
  runWith,
  sleep,
  type Instrument,
  type Operation,
  type Task,
} from "../../src/core/index.js";
import { liveRuns } from "../../src/inspect/hooks.js";
import { INSTRUMENT_HOOKS, autojumpClock, within } from "./helpers.js";

type Entry = [string, Task?];

/** Records scheduled/before/after (of tasks) and beforeRun/afterRun, as Trio's TaskRecorder. */
class TaskRecorder implements Instrument {
  readonly record: Entry[] = [];
  beforeRun(): void {
    this.record.push(["beforeRun"]);
  }
  taskScheduled(task: Task): void {
    this.record.push(["schedule", task]);
  }
  beforeTaskStep(task: Task): void {
    this.record.push(["before", task]);
  }
  afterTaskStep(task: Task): void {
    this.record.push(["after", task]);
  }
  afterRun(): void {
    this.record.push(["afterRun"]);
  }
  /** The entries about `task`, and the run-level ones. */
  about(task: Task): Entry[] {
    return this.record.filter(([, t]) => t === undefined || t === task);
  }
}

let errorSpy: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  errorSpy = vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => {
  errorSpy.mockRestore();
});

describe("hook order, as in Trio", () => {
  it("a checkpoint reschedules the task before its step is over (test_instruments)", async () => {
    const r1 = new TaskRecorder();
    const r2 = new TaskRecorder();
    const r3 = new TaskRecorder();
    let task: Task | null = null;
    await within(
      runWith({ instruments: [r1, r2] }, function* main() {
        yield* openNursery(function* (n) {
          n.startSoon(function* child() {
            task = currentTask();
            for (let i = 0; i < 4; i++) yield* checkpoint();
            removeInstrument(r2);
            expect(() => removeInstrument(r2)).toThrow(RangeError);
            addInstrument(r3);
            addInstrument(r3);
            yield* checkpoint();
          });
        });
      }),
    );
    const t = task!;
    const cycle: Entry[] = [
      ["before", t],
      ["schedule", t],
      ["after", t],
    ];
    const expected: Entry[] = [["beforeRun"], ["schedule", t], ...Array<Entry[]>(5).fill(cycle).flat(), ["before", t], ["after", t], ["afterRun"]];
    expect(r1.about(t)).toEqual(expected);
    // r2 was removed during the fifth step, r3 added then: each saw its part.
    expect(r2.about(t)).toEqual(expected.slice(0, 1 + 1 + 3 * 4 + 1));
    expect(r3.about(t)).toEqual(expected.slice(1 + 1 + 3 * 4 + 1));
  });

  it("two tasks interleave: each is rescheduled inside its own step (test_instruments_interleave)", async () => {
    const r = new TaskRecorder();
    const tasks: Task[] = [];
    function* twoSteps(): Operation<void> {
      tasks.push(currentTask());
      yield* checkpoint();
    }
    await within(
      runWith({ instruments: [r] }, function* main() {
        yield* openNursery(function* (n) {
          n.startSoon(twoSteps);
          n.startSoon(twoSteps);
        });
      }),
    );
    const [t1, t2] = tasks as [Task, Task];
    const mine = r.record.filter(([, t]) => t === undefined || t === t1 || t === t2);
    expect(mine).toEqual([
      ["beforeRun"],
      ["schedule", t1],
      ["schedule", t2],
      ["before", t1],
      ["schedule", t1],
      ["after", t1],
      ["before", t2],
      ["schedule", t2],
      ["after", t2],
      ["before", t1],
      ["after", t1],
      ["before", t2],
      ["after", t2],
      ["afterRun"],
    ]);
  });

  it("a bad yield reschedules the task (to raise there) before afterTaskStep", async () => {
    const r = new TaskRecorder();
    let task: Task | null = null;
    await within(
      runWith({ instruments: [r] }, function* main() {
        task = currentTask();
        try {
          yield 42 as never;
        } catch {
          // expected: the scheduler does not understand 42
        }
      }),
    );
    const t = task!;
    expect(r.about(t)).toEqual([["beforeRun"], ["schedule", t], ["before", t], ["schedule", t], ["after", t], ["before", t], ["after", t], ["afterRun"]]);
  });

  it("step hooks and taskExited run with the task current; run-level hooks with none", async () => {
    const seen: string[] = [];
    const current = (): string => {
      try {
        return currentTask().name;
      } catch {
        return "-";
      }
    };
    const inst: Instrument = {
      beforeRun: () => seen.push(`beforeRun ${current()}`),
      beforeTaskStep: (t) => seen.push(`before ${t.name} ${current()}`),
      afterTaskStep: (t) => seen.push(`after ${t.name} ${current()}`),
      taskExited: (t) => seen.push(`exited ${t.name} ${current()}`),
      afterRun: () => seen.push(`afterRun ${current()}`),
    };
    await within(
      runWith({ instruments: [inst] }, function* main() {
        yield* openNursery(function* (n) {
          n.startSoon(function* failing() {
            yield* checkpoint();
            throw new Error("boom");
          });
        });
      }).catch(() => {}),
    );
    expect(seen.filter((s) => s.includes("failing"))).toEqual([
      "before failing failing",
      "after failing failing",
      "before failing failing",
      "exited failing failing",
      "after failing failing",
    ]);
    expect(seen[0]).toBe("beforeRun -");
    expect(seen.slice(-3)).toEqual(["exited main main", "after main main", "afterRun -"]);
    // Outside the run, nothing is current.
    expect(current()).toBe("-");
  });
});

describe("an instrument that cannot be read is refused when added (test_instrument_that_raises_on_getattr)", () => {
  class EvilInstrument implements Instrument {
    exitedCalls = 0;
    taskExited(): void {
      this.exitedCalls++;
    }
    get afterRun(): () => void {
      throw new Error("oops");
    }
  }

  it("addInstrument raises, and the instrument is not installed at all", async () => {
    const evil = new EvilInstrument();
    let refused: unknown = null;
    await within(
      runWith({}, function* main() {
        try {
          addInstrument(evil);
        } catch (error) {
          refused = error;
        }
        yield* openNursery(function* (n) {
          n.startSoon(function* () {});
        });
        expect(() => removeInstrument(evil)).toThrow(/not installed/);
      }),
    );
    expect(refused).toBeInstanceOf(TypeError);
    expect((refused as Error).message).toMatch(/afterRun/);
    expect((refused as Error).message).toMatch(/oops/);
    expect((refused as Error).cause).toBeInstanceOf(Error);
    expect(evil.exitedCalls).toBe(0);
  });

  it("runWith({ instruments }) rejects before the run starts", async () => {
    const before = liveRuns.size;
    const error = await within(runWith({ instruments: [new EvilInstrument()] }, function* () {}).then(() => null, (e: unknown) => e));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/afterRun.*oops/);
    expect(liveRuns.size).toBe(before);
  });

  it("a revoked Proxy, and a hook that is not a function, are refused too", async () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    await expect(runWith({ instruments: [proxy as Instrument] }, function* () {})).rejects.toThrow(TypeError);
    await expect(runWith({ instruments: [{ taskSpawned: 42 } as unknown as Instrument] }, function* () {})).rejects.toThrow(
      /taskSpawned must be a function/,
    );
  });
});

describe("a hook that raises when called", () => {
  for (const hook of INSTRUMENT_HOOKS) {
    it(`${hook}: the instrument is removed and reported, the others keep going, the run completes`, async () => {
      let calls = 0;
      const broken: Instrument = {
        [hook]: () => {
          calls++;
          throw Object.create(null); // not even String()-able
        },
      };
      const r = new TaskRecorder();
      const result = await within(
        runWith({ clock: autojumpClock(), instruments: [r, broken] }, function* main() {
          yield* openNursery(function* (n) {
            n.startSoon(sleep, 1);
          });
          yield* checkpoint();
          return "fine";
        }),
      );
      expect(result).toBe("fine");
      expect(calls).toBe(1);
      expect(r.record.at(-1)).toEqual(["afterRun"]);
      expect(errorSpy).toHaveBeenCalledTimes(1);
      expect(String(errorSpy.mock.calls[0]![0])).toMatch(new RegExp(`${hook} raised`));
    });
  }

  it("a getter that breaks after the instrument was added: removed and reported at the call", async () => {
    let broken = false;
    let exited = 0;
    const inst = {
      get taskExited() {
        if (broken) throw new Error("getter broke");
        return () => exited++;
      },
    };
    const result = await within(
      runWith({ instruments: [inst] }, function* main() {
        yield* openNursery(function* (n) {
          n.startSoon(function* () {});
        });
        broken = true;
        yield* openNursery(function* (n) {
          n.startSoon(function* () {});
        });
        return 1;
      }),
    );
    expect(result).toBe(1);
    expect(exited).toBe(1);
    expect(errorSpy).toHaveBeenCalledTimes(1);
  });

  it("a console.error that throws does not break the report", async () => {
    errorSpy.mockImplementation(() => {
      throw new Error("console broke");
    });
    const result = await within(
      runWith({ instruments: [{ beforeTaskStep: () => { throw new Error("x"); } }] }, function* () {
        yield* checkpoint();
        return 2;
      }),
    );
    expect(result).toBe(2);
  });
});

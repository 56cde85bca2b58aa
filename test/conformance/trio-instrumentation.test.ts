/**
 * Instrument rules taken from Trio's trio/_core/tests/test_instrumentation.py
 * (semantics only; the code and words are ours). Each test names the Trio
 * test it follows. Ours are in src/core/instruments.ts. test_instruments,
 * test_instruments_interleave and test_instrument_that_raises_on_getattr are
 * already ported in test/core/instrument-hooks.test.ts and not repeated.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { addInstrument, checkpoint, currentTask, removeInstrument, runWith, type Instrument, type Task } from "../../src/core/index.js";

let errorSpy: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  errorSpy = vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => {
  errorSpy.mockRestore();
});

/** Records the run-level and step hooks, as Trio's TaskRecorder. */
class Recorder implements Instrument {
  readonly record: Array<[string, Task?]> = [];
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
}

describe("instruments, after Trio's test_instrumentation", () => {
  // test_null_instrument
  it("an instrument with none of the hooks (only unrelated methods) is accepted and never called", async () => {
    let unrelated = 0;
    const nothing = {
      somethingUnrelated(): void {
        unrelated++;
      },
    };
    const result = await runWith({ instruments: [nothing as Instrument] }, function* () {
      yield* checkpoint();
      return "ran";
    });
    expect(result).toBe("ran");
    expect(unrelated).toBe(0);
    expect(errorSpy).not.toHaveBeenCalled();
  });

  // test_instrument_before_after_run
  it("beforeRun and afterRun are called once each, around a main that does nothing", async () => {
    const record: string[] = [];
    await runWith(
      {
        instruments: [
          {
            beforeRun: () => record.push("beforeRun"),
            afterRun: () => record.push("afterRun"),
          },
        ],
      },
      function* () {},
    );
    expect(record).toEqual(["beforeRun", "afterRun"]);
  });

  // test_instrument_task_spawn_exit
  it("the main task itself is reported spawned and exited", async () => {
    const record: Array<[string, Task]> = [];
    let main: Task | null = null;
    await runWith({ instruments: [{ taskSpawned: (t) => record.push(["spawned", t]), taskExited: (t) => record.push(["exited", t]) }] }, function* () {
      main = currentTask();
    });
    expect(record).toContainEqual(["spawned", main]);
    expect(record).toContainEqual(["exited", main]);
    const at = (what: string): number => record.findIndex(([w, t]) => w === what && t === main);
    expect(at("spawned")).toBeLessThan(at("exited"));
  });

  // test_instruments_crash
  it("a taskScheduled that raises at the main task's first scheduling: removed at once (never called again), reported, and the other instrument sees the whole run", async () => {
    const record: string[] = [];
    const broken = {
      taskScheduled(): void {
        record.push("scheduled");
        throw new RangeError("oops");
      },
    };
    const r = new Recorder();
    let main: Task | null = null;
    await runWith({ instruments: [r, broken] }, function* () {
      record.push("main ran");
      main = currentTask();
      yield* checkpoint();
    });
    expect(record).toEqual(["scheduled", "main ran"]);
    expect(r.record).toContainEqual(["after", main]);
    expect(r.record.at(-1)).toEqual(["afterRun"]);
    expect(errorSpy).toHaveBeenCalledTimes(1);
    const [message, error] = errorSpy.mock.calls[0]!;
    expect(String(message)).toMatch(/taskScheduled raised .*oops.*the instrument was removed/);
    expect(error).toBeInstanceOf(RangeError);
  });

  // test_instruments_monkeypatch
  it("a hook given to an installed instrument is not called until the instrument is removed and added again; after removal, never", async () => {
    const instrument: Instrument = {};
    const counts: number[] = [];
    await runWith({ instruments: [instrument] }, function* () {
      const me = currentTask();
      const record: Task[] = [];
      const mine = (): number => record.filter((t) => t === me).length;
      instrument.beforeTaskStep = (t) => record.push(t);
      yield* checkpoint();
      yield* checkpoint();
      counts.push(mine());
      removeInstrument(instrument);
      addInstrument(instrument);
      yield* checkpoint();
      yield* checkpoint();
      counts.push(mine());
      removeInstrument(instrument);
      yield* checkpoint();
      yield* checkpoint();
      counts.push(mine());
    });
    expect(counts).toEqual([0, 2, 2]);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  addInstrument,
  checkpoint,
  openNursery,
  removeInstrument,
  runWith,
  sleep,
  type Instrument,
  type Operation,
  type Task,
} from "../../src/core/index.js";
import { INSTRUMENT_HOOKS, autojumpClock, rejection } from "./helpers.js";

type Hook = keyof Instrument;

/** An instrument that records every hook call as "hook arg". */
function recorder(log: string[], filter?: (hook: Hook) => boolean): Instrument {
  const inst: Instrument = {};
  for (const hook of INSTRUMENT_HOOKS) {
    (inst as Record<string, (arg?: unknown) => void>)[hook] = (arg?: unknown) => {
      if (filter !== undefined && !filter(hook)) return;
      const shown = arg !== null && typeof arg === "object" ? (arg as Task).name : arg === undefined ? "" : String(arg);
      log.push(`${hook}${shown === "" ? "" : " " + shown}`);
    };
  }
  return inst;
}

let errorSpy: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  errorSpy = vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => {
  errorSpy.mockRestore();
});

describe("instruments", () => {
  it("an afterRun hook may start a new run at once: each run keeps its own tasks", async () => {
    // A finished run hands its queue on to the next run; it must not do so
    // while it still reads it, or it would step the new run's tasks.
    let second: Promise<number> | null = null;
    const counts: number[] = [];
    function* spawnSome(n: number): Operation<number> {
      let done = 0;
      yield* openNursery(function* (nursery) {
        for (let i = 0; i < n; i++)
          nursery.startSoon(function* () {
            yield* checkpoint();
            done++;
          });
      });
      return done;
    }
    const starter: Instrument = {
      afterRun() {
        second = runWith({}, spawnSome, 7);
      },
    };
    counts.push(await runWith({ instruments: [starter] }, spawnSome, 3));
    expect(second).not.toBeNull();
    counts.push(await second!);
    expect(counts).toEqual([3, 7]);
  });

  it("see every hook, in order, for a simple run", async () => {
    const log: string[] = [];
    await runWith({ clock: autojumpClock(), instruments: [recorder(log)] }, function* main() {
      yield* openNursery(function* (n) {
        n.startSoon(function* child() {
          yield* sleep(1);
        });
      });
    });
    expect(log).toEqual([
      "beforeRun",
      "taskSpawned main",
      "taskScheduled main",
      "beforeTaskStep main",
      "taskSpawned child",
      "taskScheduled child",
      "afterTaskStep main",
      "beforeTaskStep child",
      "afterTaskStep child",
      "beforeIoWait 0",
      "afterIoWait 0",
      "taskScheduled child",
      "beforeTaskStep child",
      // Trio's order: the exit is acted on (the parent woken) before the
      // hooks, which run with the task current; afterRun comes last.
      "taskScheduled main",
      "taskExited child",
      "afterTaskStep child",
      "beforeTaskStep main",
      "taskExited main",
      "afterTaskStep main",
      "afterRun",
    ]);
  });

  it("a checkpoint reschedules the task and steps it again", async () => {
    const log: string[] = [];
    await runWith({ instruments: [recorder(log, (h) => h === "taskScheduled" || h === "beforeTaskStep")] }, function* main() {
      yield* checkpoint();
    });
    expect(log).toEqual(["taskScheduled main", "beforeTaskStep main", "taskScheduled main", "beforeTaskStep main"]);
  });

  it("beforeIoWait reports the time until the next deadline on a real-time clock", async () => {
    const timeouts: number[] = [];
    await runWith({ instruments: [{ beforeIoWait: (t) => timeouts.push(t) }] }, function* () {
      yield* sleep(0.02);
    });
    // The host timer may fire a little early and be re-armed: only the first wait is exact.
    expect(timeouts.length).toBeGreaterThanOrEqual(1);
    expect(timeouts[0]).toBeGreaterThan(0);
    for (const t of timeouts) expect(t).toBeLessThanOrEqual(0.02);
  });

  it("a throwing instrument is removed, reported, and the run continues", async () => {
    const log: string[] = [];
    let calls = 0;
    const bad: Instrument = {
      beforeTaskStep() {
        calls++;
        throw new Error("broken instrument");
      },
    };
    const result = await runWith({ clock: autojumpClock(), instruments: [bad, recorder(log, (h) => h === "taskExited")] }, function* main() {
      yield* checkpoint();
      yield* sleep(1);
      return "still fine";
    });
    expect(result).toBe("still fine");
    expect(calls).toBe(1);
    expect(log).toEqual(["taskExited main"]);
    expect(errorSpy).toHaveBeenCalledTimes(1);
    expect(String(errorSpy.mock.calls[0]![0])).toMatch(/beforeTaskStep raised/);
  });

  it("can be added and removed from inside the run", async () => {
    const log: string[] = [];
    const inst = recorder(log, (h) => h === "taskSpawned" || h === "taskExited");
    await runWith({}, function* main() {
      addInstrument(inst);
      yield* openNursery(function* (n) {
        n.startSoon(function* a() {});
      });
      removeInstrument(inst);
      yield* openNursery(function* (n) {
        n.startSoon(function* b() {});
      });
    });
    expect(log).toEqual(["taskSpawned a", "taskExited a"]);
  });

  it("adding the same instrument twice installs it once", async () => {
    const log: string[] = [];
    const inst = recorder(log, (h) => h === "taskExited");
    await runWith({ instruments: [inst] }, function* main() {
      addInstrument(inst);
    });
    expect(log).toEqual(["taskExited main"]);
  });

  it("removing an instrument that is not installed raises", async () => {
    const err = await rejection(
      runWith({}, function* () {
        removeInstrument({});
      }),
    );
    expect(err).toBeInstanceOf(RangeError);
    expect((err as Error).message).toMatch(/not installed/);
  });

  it("rejects a non-object instrument", async () => {
    await expect(runWith({ instruments: [null as unknown as Instrument] }, function* () {})).rejects.toThrow(TypeError);
    await expect(runWith({ instruments: {} as unknown as Instrument[] }, function* () {})).rejects.toThrow(/array/);
  });

  it("sees one spawn and one exit per task", async () => {
    const spawned: string[] = [];
    const exited: string[] = [];
    await runWith(
      { clock: autojumpClock(), instruments: [{ taskSpawned: (t) => spawned.push(t.name), taskExited: (t) => exited.push(t.name) }] },
      function* main() {
        yield* openNursery(function* (n) {
          for (let i = 0; i < 5; i++) n.startSoonNamed(`t${i}`, sleep, i);
        });
      },
    );
    expect(spawned.sort()).toEqual(["main", "t0", "t1", "t2", "t3", "t4"]);
    expect(exited.sort()).toEqual(spawned.sort());
  });
});

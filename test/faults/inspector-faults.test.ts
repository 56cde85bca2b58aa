/**
 * Faults inside inspector subscribers: listeners that throw (Errors and
 * non-Error values, on every update), that unsubscribe themselves or
 * others, or subscribe new listeners, while runs are live.
 *
 * A broken tool must never break the page or silence the other tools: the
 * run's result is unaffected, a healthy subscriber keeps receiving every
 * update (it sees every task's spawn and exit), each throw is logged, and
 * once the last listener leaves the observer is detached.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { inspector, openNursery, sleep, type Operation } from "../../src/index.js";
import { observer } from "../../src/inspect/hooks.js";
import { MockClock } from "../../src/testing/index.js";
import { expectClean, expectUsable, runKeep } from "./helpers.js";

afterEach(() => {
  vi.restoreAllMocks();
});

/** Frames the test runs by hand, so updates arrive at known points. */
function manualFrames(): { scheduleFrame: (flush: () => void) => void; runFrames(): number } {
  const pending: (() => void)[] = [];
  return {
    scheduleFrame: (flush) => void pending.push(flush),
    runFrames() {
      const batch = pending.splice(0);
      for (const f of batch) f();
      return batch.length;
    },
  };
}

describe("inspector subscribers that misbehave", () => {
  it("throwing, self-removing and re-subscribing listeners during a live run: the healthy one sees everything", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const frames = manualFrames();
    const healthy: inspector.InspectorUpdate[] = [];
    let throwsError = 0;
    let throwsString = 0;
    let selfRemoverCalls = 0;
    let lateCalls = 0;
    const stops: (() => void)[] = [];
    stops.push(
      inspector.subscribe(
        () => {
          throwsError++;
          throw new Error("broken tool");
        },
        { scheduleFrame: frames.scheduleFrame },
      ),
    );
    stops.push(
      inspector.subscribe(
        () => {
          throwsString++;
          throw "a string";
        },
        { scheduleFrame: frames.scheduleFrame },
      ),
    );
    const selfRemover = inspector.subscribe(
      () => {
        selfRemoverCalls++;
        selfRemover();
        // A listener added from inside a listener joins from the next frame.
        stops.push(inspector.subscribe(() => lateCalls++, { scheduleFrame: frames.scheduleFrame }));
        throw new Error("removed myself, then threw");
      },
      { scheduleFrame: frames.scheduleFrame },
    );
    stops.push(inspector.subscribe((u) => healthy.push(u), { scheduleFrame: frames.scheduleFrame }));

    const clock = new MockClock();
    const TASKS = 20;
    const p = runKeep(
      function* (): Operation<number> {
        let sum = 0;
        yield* openNursery(function* (n) {
          for (let i = 1; i <= TASKS; i++) {
            n.startSoonNamed(`worker-${i}`, function* () {
              yield* sleep(i);
              sum += i;
            });
          }
        });
        return sum;
      },
      { clock },
    );
    // Drive the run and the frames together: jump the clock one second at a time.
    for (let i = 0; i <= TASKS + 1; i++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      frames.runFrames();
      clock.jump(1);
    }
    const kept = await p;
    await new Promise((resolve) => setTimeout(resolve, 0));
    frames.runFrames();

    expect(kept.ok).toBe(true);
    expect(kept.value).toBe((TASKS * (TASKS + 1)) / 2);
    expect(selfRemoverCalls).toBe(1);
    expect(throwsError).toBeGreaterThan(3);
    expect(throwsString).toBe(throwsError);
    expect(lateCalls).toBeGreaterThan(0);
    expect(healthy.length).toBe(throwsError);
    const events = healthy.flatMap((u) => u.events);
    for (let i = 1; i <= TASKS; i++) {
      expect(events.filter((e) => e.kind === "spawn" && e.name === `worker-${i}`).length).toBe(1);
      expect(events.filter((e) => e.kind === "exit" && e.name === `worker-${i}`).length).toBe(1);
    }
    expect(healthy.flatMap((u) => u.runs.removed)).toContain(kept.runner.id);
    // Every throw was logged, and nothing else was.
    expect(logged).toHaveBeenCalledTimes(throwsError + throwsString + selfRemoverCalls);

    for (const stop of stops) stop();
    expect(inspector.subscriberCount()).toBe(0);
    expect(observer.current).toBe(null);
    expectClean(kept.runner);
    await expectUsable();
  });

  it("a listener that cancels the task it sees: the run absorbs it like any cancellation", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const frames = manualFrames();
    let cancelled = false;
    const stop = inspector.subscribe(
      (u) => {
        const victim = (u.full?.tasks ?? u.tasks.upserted).find((t) => t.name === "victim" && t.status === "blocked");
        if (victim !== undefined && !cancelled) cancelled = inspector.cancel("task", victim.id, "from a tool");
        throw new Error("and then the tool broke");
      },
      { scheduleFrame: frames.scheduleFrame },
    );
    const clock = new MockClock();
    const p = runKeep(
      function* (): Operation<string> {
        let outcome = "not cancelled";
        yield* openNursery(function* (n) {
          n.startSoonNamed("victim", function* () {
            try {
              yield* sleep(100);
            } finally {
              outcome = "victim cancelled";
            }
          });
        });
        return outcome;
      },
      { clock },
    );
    for (let i = 0; i < 5 && !cancelled; i++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      frames.runFrames();
    }
    const kept = await p;
    stop();
    expect(cancelled).toBe(true);
    expect(kept.ok).toBe(true);
    expect(kept.value).toBe("victim cancelled");
    expect(inspector.subscriberCount()).toBe(0);
    expectClean(kept.runner);
  });
});

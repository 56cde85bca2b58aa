// @vitest-environment happy-dom
/**
 * "Blocked for" and the "blocked too long" highlight against a real run on
 * a MockClock: the runtime stamps each park, the inspector reports it, and
 * the panel (store, tree and detail pane) reads it instead of sampling.
 */
import { afterEach, describe, expect, it } from "vitest";
import { act } from "preact/test-utils";
import { Event, inspector, openMemoryChannel, openNursery, runWith, sleep } from "../../src/index.js";
import { MockClock } from "../../src/testing/index.js";
import { DevtoolsPanel } from "../../devtools/index.js";
import { PanelStore } from "../../devtools/store.js";
import { formatDuration } from "../../devtools/format.js";
import { fakeSource, mount, update } from "./helpers.js";

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

/** Runs a producer (an item every 150 ms), its consumer, and a task stuck on an Event; snapshots at 6.05 s. */
async function snapshotAt(seconds: number): Promise<inspector.Snapshot> {
  const clock = new MockClock({ autojumpThreshold: 0 });
  let snap: inspector.Snapshot | undefined;
  await runWith({ clock, name: "blocked-test" }, function* main() {
    const [send, receive] = openMemoryChannel<number>(0);
    const never = new Event();
    yield* openNursery(function* (n) {
      n.startSoonNamed("producer", function* () {
        for (let i = 0; ; i++) {
          yield* sleep(0.15);
          yield* send.send(i);
        }
      });
      n.startSoonNamed("consumer", function* () {
        for (;;) yield* receive.receive();
      });
      n.startSoonNamed("stuck", function* () {
        yield* never.wait();
      });
      yield* sleep(seconds);
      snap = inspector.inspect();
      n.cancelScope.cancel();
    });
  });
  return snap!;
}

const byName = (snap: inspector.Snapshot, name: string) => snap.tasks.find((t) => t.name === name)!;

describe("blocked for", () => {
  it("the runtime stamps each park with the run's clock", async () => {
    const snap = await snapshotAt(6.05);
    const run = snap.runs.find((r) => r.name === "blocked-test")!;
    expect(run.time).toBeCloseTo(6.05, 9);
    // Parked at the start, never woken.
    expect(byName(snap, "stuck").blockedSince).toBe(0);
    // The consumer parked again after the item sent at 6.0 s.
    expect(byName(snap, "consumer").status).toBe("blocked");
    expect(byName(snap, "consumer").blockedSince).toBeCloseTo(6.0, 9);
    expect(byName(snap, "producer").blockedSince).toBeCloseTo(6.0, 9);
    // The task that took the snapshot is running: no park time.
    expect(byName(snap, "main").blockedSince).toBe(null);
  });

  it("a consumer that handles an item every 150 ms is never flagged; a task parked 6 s is; the detail pane agrees", async () => {
    const store = new PanelStore();
    // Samples at several moments, as the panel would see them.
    for (const t of [1.0, 3.37, 5.2, 6.05, 7.9]) {
      const snap = await snapshotAt(t);
      store.apply(update({ at: snap.takenAt, full: snap }));
      const now = snap.takenAt;
      const consumer = byName(snap, "consumer");
      expect(store.blockedFor(consumer.id, now)!).toBeLessThan(150.001);
      expect(store.blockedTooLong(consumer.id, now, 5000)).toBe(false);
      expect(store.blockedTooLong(byName(snap, "producer").id, now, 5000)).toBe(false);
      const stuck = byName(snap, "stuck");
      expect(store.blockedFor(stuck.id, now)).toBeCloseTo(t * 1000, 6);
      expect(store.blockedTooLong(stuck.id, now, 5000)).toBe(t >= 5);
    }
  });

  it("the tree flags only the stuck task, and the detail pane shows the snapshot's figure", async () => {
    const snap = await snapshotAt(6.05);
    const fake = fakeSource();
    const m = await mount(<DevtoolsPanel source={fake.source} now={() => snap.takenAt} fallbackTreeHeight={600} />);
    cleanup = m.unmount;
    await fake.push(update({ at: snap.takenAt, full: snap }));
    const flagged = [...m.container.querySelectorAll(".tad-long-blocked .tad-name")].map((el) => el.textContent);
    expect(flagged).toEqual(["stuck"]);
    expect(m.container.querySelector('[data-testid="status"]')!.textContent).toContain("(1 ≥ 5 s)");
    const stuck = byName(snap, "stuck");
    await act(() => (m.container.querySelector(`[data-key="task:${stuck.id}"]`) as HTMLElement).click());
    const run = snap.runs.find((r) => r.id === stuck.runId)!;
    expect(m.container.querySelector('[data-testid="blocked-for"]')!.textContent).toBe(formatDuration(run.time - stuck.blockedSince!));
    expect(m.container.querySelector('[data-testid="blocked-for"]')!.textContent).toBe("6.0 s");
    const consumer = byName(snap, "consumer");
    await act(() => (m.container.querySelector(`[data-key="task:${consumer.id}"]`) as HTMLElement).click());
    expect(m.container.querySelector('[data-testid="blocked-for"]')!.textContent).toBe("50 ms");
  });
});

/**
 * The park time (`TaskRecord.blockedSince`) through the live feed: a task
 * that wakes and parks again between two frames is sent again with its new
 * stamp, even though its status and what it waits on look the same.
 */
import { afterEach, expect, it } from "vitest";
import { inspector, openMemoryChannel, openNursery, runWith, sleep } from "../../src/index.js";
import { observer } from "../../src/inspect/hooks.js";
import { MockClock } from "../../src/testing/index.js";

afterEach(() => {
  expect(observer.current).toBe(null);
});

it("sends a task again when it parked anew, with the run's clock at its park", async () => {
  const pending: (() => void)[] = [];
  const runFrame = () => {
    for (const f of pending.splice(0)) f();
  };
  const seen: inspector.TaskRecord[] = [];
  const unsubscribe = inspector.subscribe(
    (u) => {
      for (const t of u.tasks.upserted) if (t.name === "ticker") seen.push(t);
    },
    { scheduleFrame: (flush) => void pending.push(flush) },
  );
  try {
    const clock = new MockClock({ autojumpThreshold: 0 });
    await runWith({ clock }, function* () {
      const [send, receive] = openMemoryChannel<number>(0);
      yield* openNursery(function* (n) {
        // Same wait object every time (the channel), no deadline: only the stamp tells the parks apart.
        n.startSoonNamed("ticker", function* () {
          for (;;) yield* receive.receive();
        });
        n.startSoonNamed("producer", function* () {
          for (let i = 0; ; i++) {
            yield* sleep(0.1);
            yield* send.send(i);
          }
        });
        for (const t of [0.25, 0.45, 0.65]) {
          yield* sleep(t - clock.currentTime());
          runFrame();
        }
        n.cancelScope.cancel();
      });
    });
  } finally {
    unsubscribe();
  }
  const stamps = seen.filter((t) => t.status === "blocked").map((t) => t.blockedSince);
  expect(stamps).toHaveLength(3);
  expect(new Set(seen.map((t) => JSON.stringify(t.waitingOn))).size).toBe(1);
  expect(stamps[0]).toBeCloseTo(0.2, 9);
  expect(stamps[1]).toBeCloseTo(0.4, 9);
  expect(stamps[2]).toBeCloseTo(0.6, 9);
});

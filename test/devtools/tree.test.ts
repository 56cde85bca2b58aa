import { afterEach, describe, expect, it } from "vitest";
import {
  runWith,
  openNursery,
  sleepForever,
  CancelScope,
  Event,
  openLoop,
  aioAsTrio,
  asyncio,
  inspector,
  type Operation,
} from "../../src/index.js";
import { MockClock, waitAllTasksBlocked } from "../../src/testing/index.js";
import { PanelStore } from "../../devtools/store.js";
import { buildRows, rowName, type Row, type TreeFilter, type FilterState } from "../../devtools/tree.js";
import { manualFrames } from "./helpers.js";

const NO_FILTER: TreeFilter = { search: "", states: new Set() };

function filter(search: string, ...states: FilterState[]): TreeFilter {
  return { search, states: new Set(states) };
}

/** Rows as "<indent>kind name" lines (run names vary, so runs are just "run"). */
function outline(store: PanelStore, rows: Row[]): string[] {
  return rows.map((r) => {
    const label = r.kind === "run" ? "run" : r.kind === "nursery" ? "nursery" : `${r.kind} ${rowName(store, r.kind, r.id)}`;
    return `${"  ".repeat(r.level - 1)}${label}${r.match ? "" : " (path)"}`;
  });
}

let stopFeed: (() => void) | null = null;
afterEach(() => {
  stopFeed?.();
  stopFeed = null;
});

/** A store fed by the live inspector, with frames run by hand. */
function liveStore() {
  const store = new PanelStore();
  const frames = manualFrames();
  stopFeed = inspector.subscribe((u) => store.apply(u), { scheduleFrame: frames.scheduleFrame });
  return { store, frames };
}

function* family(release: Event): Operation<void> {
  yield* openNursery(function* (n) {
    n.startSoonNamed("child-a", function* () {
      yield* release.wait();
    });
    n.startSoonNamed("child-b", function* () {
      yield* release.wait();
    });
    yield* release.wait();
  });
}

describe("tree rows from a live run", () => {
  it("nests runs → tasks → nurseries → tasks, in spawn order", async () => {
    const { store, frames } = liveStore();
    const release = new Event();
    let rows: Row[] = [];
    await runWith({ clock: new MockClock() }, function* () {
      yield* openNursery(function* (n) {
        n.startSoonNamed("loner", function* () {
          yield* release.wait();
        });
        n.startSoonNamed("parent", family, release);
        yield* waitAllTasksBlocked();
        frames.runFrame();
        rows = buildRows(store, new Set(), NO_FILTER);
        release.set();
      });
    });
    expect(outline(store, rows)).toEqual([
      "run",
      "  task main",
      "    nursery",
      "      task loner",
      "      task parent",
      "        nursery",
      "          task child-a",
      "          task child-b",
    ]);
    expect(rows.map((r) => r.level)).toEqual([1, 2, 3, 4, 4, 5, 6, 6]);
    // Parents are the rows above, for Left-arrow navigation.
    expect(rows[6]!.parent).toBe(rows[5]!.key);
    expect(rows[4]!.hasChildren && rows[4]!.expanded).toBe(true);
    expect(rows[3]!.hasChildren).toBe(false);
  });

  it("collapsing a row hides everything below it", async () => {
    const { store, frames } = liveStore();
    const release = new Event();
    await runWith({ clock: new MockClock() }, function* () {
      yield* openNursery(function* (n) {
        n.startSoonNamed("parent", family, release);
        yield* waitAllTasksBlocked();
        frames.runFrame();
        const all = buildRows(store, new Set(), NO_FILTER);
        const parent = all.find((r) => rowName(store, r.kind, r.id) === "parent")!;
        const rows = buildRows(store, new Set([parent.key]), NO_FILTER);
        expect(outline(store, rows)).toEqual(["run", "  task main", "    nursery", "      task parent"]);
        expect(rows[3]).toMatchObject({ hasChildren: true, expanded: false });
        release.set();
      });
    });
  });

  it("search keeps the matching tasks and the path to them; #id finds one task", async () => {
    const { store, frames } = liveStore();
    const release = new Event();
    await runWith({ clock: new MockClock() }, function* () {
      yield* openNursery(function* (n) {
        n.startSoonNamed("loner", function* () {
          yield* release.wait();
        });
        n.startSoonNamed("parent", family, release);
        yield* waitAllTasksBlocked();
        frames.runFrame();
        expect(outline(store, buildRows(store, new Set(), filter("CHILD-B")))).toEqual([
          "run (path)",
          "  task main (path)",
          "    nursery (path)",
          "      task parent (path)",
          "        nursery (path)",
          "          task child-b",
        ]);
        const loner = [...store.tasks.values()].find((t) => t.name === "loner")!;
        expect(outline(store, buildRows(store, new Set(), filter(`#${loner.id}`))).pop()).toBe("      task loner");
        expect(buildRows(store, new Set(), filter("no such task"))).toEqual([]);
        release.set();
      });
    });
  });

  it("filters by state: blocked, running, and cancelled (cleaning up inside a cancelled scope)", async () => {
    const { store, frames } = liveStore();
    const release = new Event();
    let scope: CancelScope | null = null;
    await runWith({ clock: new MockClock() }, function* () {
      yield* openNursery(function* (n) {
        n.startSoonNamed("sleeper", function* () {
          yield* release.wait();
        });
        n.startSoonNamed("cleaner", function* () {
          yield* new CancelScope().run(function* (s) {
            scope = s;
            try {
              yield* sleepForever();
            } finally {
              yield* new CancelScope({ shield: true }).run(() => release.wait());
            }
          });
        });
        yield* waitAllTasksBlocked();
        scope!.cancel("tidy up");
        yield* waitAllTasksBlocked();
        frames.runFrame();
        const names = (f: TreeFilter) =>
          buildRows(store, new Set(), f)
            .filter((r) => r.match && r.kind === "task")
            .map((r) => rowName(store, r.kind, r.id));
        expect(names(filter("", "cancelled"))).toEqual(["cleaner"]);
        expect(names(filter("", "blocked"))).toEqual(["sleeper"]);
        // main is the one running (it is the task calling this).
        expect(names(filter("", "running"))).toEqual(["main"]);
        expect(names(filter("", "blocked", "cancelled"))).toEqual(["sleeper", "cleaner"]);
        expect(names(filter("clean", "blocked"))).toEqual([]);
        release.set();
      });
    });
  });

  it("keeps a task that failed (from its error event) and filters it as errored", async () => {
    const { store, frames } = liveStore();
    const release = new Event();
    await runWith({ clock: new MockClock() }, function* () {
      yield* openNursery(function* (n) {
        n.startSoonNamed("survivor", function* () {
          yield* release.wait();
        });
        n.startSoonNamed("supervisor", function* () {
          try {
            yield* openNursery(function* (inner) {
              inner.startSoonNamed("crasher", function* () {
                yield* checkpointThenThrow();
              });
            });
          } catch {
            // expected
          }
          yield* release.wait();
        });
        yield* waitAllTasksBlocked();
        frames.runFrame();
        const rows = buildRows(store, new Set(), filter("", "errored"));
        const crasher = rows.find((r) => r.match)!;
        expect(rowName(store, crasher.kind, crasher.id)).toBe("crasher");
        expect(store.errored.get(crasher.id)!.detail).toBe("Error: crashed on purpose");
        expect(store.stateOf(store.errored.get(crasher.id)!.record)).toBe("errored");
        // Its nursery is gone: it is shown under its run.
        expect(crasher.level).toBe(2);
        store.clearErrors();
        expect(buildRows(store, new Set(), filter("", "errored"))).toEqual([]);
        release.set();
      });
    });
  });

  it("puts an asyncio loop under the task that hosts it, with the loop's asyncio Tasks", async () => {
    const { store, frames } = liveStore();
    await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
      yield* openLoop(function* (loop) {
        yield* aioAsTrio(function* (): asyncio.Coroutine<void> {
          const t = loop.createTask(
            (function* (): asyncio.Coroutine<void> {
              yield* asyncio.sleep(10);
            })(),
            { name: "aio-child" },
          );
          loop.callSoon(() => {
            frames.runFrame();
          });
          yield* asyncio.sleep(1);
          t.cancel();
        })();
      });
    });
    const rows = buildRows(store, new Set(), NO_FILTER);
    const lines = outline(store, rows);
    const loopRow = rows.findIndex((r) => r.kind === "loop");
    expect(loopRow).toBeGreaterThan(0);
    const host = rows.find((r) => r.key === rows[loopRow]!.parent)!;
    expect(rowName(store, host.kind, host.id)).toMatch(/^asyncio loop #\d+$/);
    const aio = rows.filter((r) => r.kind === "aiotask" && r.parent === rows[loopRow]!.key).map((r) => rowName(store, r.kind, r.id));
    expect(aio).toContain("aio-child");
    expect(lines.some((l) => l.trim().startsWith("aiotask aio-child"))).toBe(true);
  });
});

function* checkpointThenThrow(): Operation<void> {
  yield* new CancelScope().run(function* () {});
  throw new Error("crashed on purpose");
}

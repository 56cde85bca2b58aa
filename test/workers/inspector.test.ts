/**
 * A worker's run in the page's inspector: while somebody subscribes, the
 * worker sends its inspector's updates and the page lists its run, tasks
 * and scopes under fresh negative ids, the run hosted by the task that
 * opened the worker; a tool's cancel reaches the worker's task; the
 * worker's records leave when it exits, and an unwatched worker sends
 * nothing.
 */
import { describe, expect, it } from "vitest";
import { BrokenResourceError, inspector, openNursery, run, sleep } from "../../src/index.js";
import type { InspectorUpdate, Snapshot } from "../../src/inspect/index.js";
import { openWorker } from "../../src/workers/index.js";
import type { BasicOps } from "./fixtures/basic.worker.js";
import { caught, tracker } from "./helpers.js";

/** Subscribes, and keeps a merged view of what the updates said. */
function watch() {
  const view: Pick<Snapshot, "runs" | "tasks" | "scopes"> & { events: InspectorUpdate["events"] } = { runs: [], tasks: [], scopes: [], events: [] };
  const runs = new Map<number, Snapshot["runs"][number]>();
  const tasks = new Map<number, Snapshot["tasks"][number]>();
  const scopes = new Map<number, Snapshot["scopes"][number]>();
  const unsubscribe = inspector.subscribe(
    (u) => {
      if (u.full !== undefined) {
        runs.clear();
        tasks.clear();
        scopes.clear();
        for (const r of u.full.runs) runs.set(r.id, r);
        for (const t of u.full.tasks) tasks.set(t.id, t);
        for (const s of u.full.scopes) scopes.set(s.id, s);
      }
      for (const r of u.runs.upserted) runs.set(r.id, r);
      for (const id of u.runs.removed) runs.delete(id);
      for (const t of u.tasks.upserted) tasks.set(t.id, t);
      for (const id of u.tasks.removed) tasks.delete(id);
      for (const s of u.scopes.upserted) scopes.set(s.id, s);
      for (const id of u.scopes.removed) scopes.delete(id);
      view.runs = [...runs.values()];
      view.tasks = [...tasks.values()];
      view.scopes = [...scopes.values()];
      view.events.push(...u.events);
    },
    { scheduleFrame: (flush) => void setTimeout(flush, 10) },
  );
  return { view, unsubscribe };
}

function* until(condition: () => boolean, what: string) {
  for (let i = 0; i < 400; i++) {
    if (condition()) return;
    yield* sleep(0.01);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("a worker's run in the page's inspector", () => {
  it("lists the worker's run under the task that opened it, its tasks with ids of their own; removes them when it exits", async () => {
    const t = await tracker("basic.worker");
    const { view, unsubscribe } = watch();
    let hostId = 0;
    try {
      await run(function* () {
        hostId = inspector.inspect().tasks.find((r) => r.status === "running")!.id;
        yield* openWorker<BasicOps>(
          t.make(),
          function* (worker) {
            yield* openNursery(function* (nursery) {
              nursery.startSoon(function* () {
                expect(yield* worker.call("sleepThenAdd", [0.5, 2, 3])).toBe(5);
              });
              yield* until(() => view.tasks.some((r) => r.name.startsWith("worker call sleepThenAdd")), "the worker's call task");
              const workerRun = view.runs.find((r) => r.worker === "adder")!;
              expect(workerRun).toBeDefined();
              expect(workerRun.id).toBeLessThan(0);
              expect(workerRun.hostTaskId).toBe(hostId);
              expect(workerRun.name).toMatch(/^adder: /);
              const callTask = view.tasks.find((r) => r.name.startsWith("worker call sleepThenAdd"))!;
              expect(callTask.id).toBeLessThan(0);
              expect(callTask.runId).toBe(workerRun.id);
              expect(callTask.waitingOn?.kind).toBe("sleep");
              // Its links point at the worker's other records, all renamed.
              expect(view.tasks.some((r) => r.id === callTask.parentTaskId)).toBe(true);
              for (const id of callTask.scopeIds) expect(view.scopes.some((s) => s.id === id && s.runId === workerRun.id)).toBe(true);
              // The synchronous snapshot lists them too.
              expect(inspector.inspect().tasks.some((r) => r.id === callTask.id)).toBe(true);
              // No id is shared between the page's records and the worker's.
              const ids = view.tasks.map((r) => r.id);
              expect(new Set(ids).size).toBe(ids.length);
            });
            // Its exit reaches the page's timeline with the same renamed id.
            const callId = () => view.events.find((e) => e.kind === "spawn" && e.name.startsWith("worker call sleepThenAdd"))?.id;
            yield* until(() => view.events.some((e) => e.kind === "exit" && e.id === callId() && e.outcome === "returned"), "the call's exit event");
            expect(callId()).toBeLessThan(0);
          },
          { name: "adder" },
        );
        yield* until(() => !view.runs.some((r) => r.worker === "adder") && !view.tasks.some((r) => r.runId < 0), "the worker's records to leave");
      });
      expect(inspector.inspect().runs.some((r) => r.worker !== undefined)).toBe(false);
    } finally {
      unsubscribe();
    }
  });

  it("a tool's cancel of a worker task cancels it in the worker; its caller hears it was cancelled there", async () => {
    const t = await tracker("basic.worker");
    const { view, unsubscribe } = watch();
    try {
      await run(function* () {
        yield* openWorker<BasicOps>(t.make(), function* (worker) {
          yield* openNursery(function* (nursery) {
            nursery.startSoon(function* () {
              const error = yield* caught(worker.call("waitForCancel", ["panel"]));
              expect(error).toBeInstanceOf(BrokenResourceError);
              expect(String(error)).toMatch(/cancelled inside the worker, not by its caller/);
            });
            yield* until(() => view.tasks.some((r) => r.name.startsWith("worker call waitForCancel")), "the call's task");
            const callTask = view.tasks.find((r) => r.name.startsWith("worker call waitForCancel"))!;
            expect(inspector.cancel("task", callTask.id, "from the panel")).toBe(true);
          });
          // The worker lives on: its finally ran there, and it answers.
          expect(t.logs).toContain("panel:finally");
          expect(yield* worker.call("add", [2, 2])).toBe(4);
          // The timeline hears how the worker's task ended, and why.
          yield* until(() => view.events.some((e) => e.kind === "exit" && e.id < 0 && e.outcome === "cancelled" && e.detail === "from the panel"), "the cancelled exit");
        });
      });
    } finally {
      unsubscribe();
    }
  });

  it("sends nothing while nobody subscribes, and starts when somebody does", async () => {
    const t = await tracker("basic.worker");
    const counted: unknown[] = [];
    await run(function* () {
      const w = t.make();
      w.on("message", (data: unknown) => {
        if (data !== null && typeof data === "object" && (data as { kind?: unknown }).kind === "inspector") counted.push(data);
      });
      yield* openWorker<BasicOps>(w, function* (worker) {
        for (let i = 0; i < 5; i++) yield* worker.call("add", [i, i]);
        yield* sleep(0.3);
        expect(counted).toHaveLength(0);
        const { view, unsubscribe } = watch();
        try {
          yield* until(() => view.runs.some((r) => r.worker !== undefined), "the worker's run");
          expect(counted.length).toBeGreaterThan(0);
        } finally {
          unsubscribe();
        }
        // After the last subscriber leaves, the worker stops within an update or two.
        yield* sleep(0.25);
        const settled = counted.length;
        yield* sleep(0.3);
        expect(counted.length).toBe(settled);
      });
    });
  });
});

// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";
import { act } from "preact/test-utils";
import { runWith, openNursery, moveOnAfter, sleep, CancelScope, Event, inspector } from "../../src/index.js";
import { MockClock } from "../../src/testing/index.js";
import { DevtoolsPanel } from "../../devtools/index.js";
import { bigSnapshot, fakeSource, manualFrames, mount, scopeRec, taskRec, until, update } from "./helpers.js";

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
  expect(inspector.subscriberCount()).toBe(0);
});

function row(container: HTMLElement, name: string): HTMLElement | undefined {
  return [...container.querySelectorAll<HTMLElement>('[role="treeitem"]')].find((el) => el.querySelector(".tad-name")?.textContent === name);
}

function button(container: HTMLElement, label: string | RegExp): HTMLButtonElement {
  const found = [...container.querySelectorAll<HTMLButtonElement>("button")].find((b) => {
    const name = b.getAttribute("aria-label") ?? b.textContent ?? "";
    return typeof label === "string" ? name === label : label.test(name);
  });
  if (found === undefined) throw new Error(`no button ${String(label)}`);
  return found;
}

async function click(el: Element): Promise<void> {
  await act(() => (el as HTMLElement).click());
}

function detail(container: HTMLElement): HTMLElement {
  return container.querySelector<HTMLElement>('[data-testid="detail"]')!;
}

describe("detail pane on a live run", () => {
  it("shows the wait, the scope chain with a ticking deadline, shields and reasons; its buttons really cancel", async () => {
    const frames = manualFrames();
    const m = await mount(<DevtoolsPanel scheduleFrame={frames.scheduleFrame} now={() => 0} />);
    cleanup = m.unmount;
    const { container } = m;
    const clock = new MockClock();
    const log: string[] = [];
    const release = new Event();
    const finished = runWith({ clock }, function* () {
      yield* openNursery(function* (n) {
        n.startSoonNamed("victim", function* () {
          try {
            yield* moveOnAfter(10, function* () {
              yield* release.wait();
            });
          } finally {
            log.push("victim finally");
          }
        });
        n.startSoonNamed("guard", function* () {
          yield* new CancelScope().run(function* () {
            yield* new CancelScope({ shield: true }).run(() => release.wait());
          });
          log.push("guard done");
        });
        n.startSoonNamed("timekeeper", function* () {
          yield* sleep(3);
        });
      });
    });
    await until(() => row(container, "guard") !== undefined, frames);

    await click(row(container, "victim")!);
    const pane = detail(container);
    expect(pane.querySelector("h2")!.textContent).toContain("victim");
    expect(pane.querySelector('[data-testid="task-state"]')!.textContent).toBe("blocked");
    expect(pane.querySelector('[data-testid="waiting-on"]')!.textContent).toContain("Event");
    const scopes = () => [...pane.querySelectorAll<HTMLElement>(".tad-scope")];
    // Innermost first: the moveOnAfter scope, the nursery's, the run's root.
    expect(scopes().map((s) => s.querySelector("strong")!.textContent)).toEqual([
      expect.stringMatching(/^cancel scope #\d+$/),
      expect.stringMatching(/^nursery #\d+$/),
      "run's root scope",
    ]);
    expect(scopes()[0]!.querySelector('[data-testid="deadline"]')!.textContent).toBe("10.000 (in 10.0 s)");
    // Time passes on the run's clock: the countdown follows.
    clock.jump(3);
    await until(() => scopes()[0]!.querySelector('[data-testid="deadline"]')!.textContent === "10.000 (in 7.0 s)", frames);

    // The guard: a shield inside a scope the panel cancels.
    await click(row(container, "guard")!);
    const guardScopes = scopes();
    expect(guardScopes[0]!.textContent).toContain("shield");
    await click(button(guardScopes[1]!, /^Cancel cancel scope #\d+$/));
    await until(() => scopes()[1]!.textContent!.includes("cancelled from the devtools panel"), frames);
    expect(scopes()[1]!.textContent).toContain("cancel called");
    expect(pane.querySelector('[data-testid="task-state"]')!.textContent).toBe("cancelled");
    expect(log).toEqual([]); // shielded: it keeps waiting

    // Cancel the victim by task: its finally runs, its row goes away.
    await click(row(container, "victim")!);
    await click(button(pane, "Cancel task victim"));
    // It stays in the history, greyed, and its detail stays with how it ended.
    await until(() => log.includes("victim finally") && row(container, "victim")?.classList.contains("tad-exited") === true, frames);
    expect(detail(container).querySelector("h2")!.textContent).toContain("victim");
    expect(detail(container).querySelector('[data-testid="task-outcome"]')!.textContent).toMatch(/^cancelled( by cancel scope #\d+)?: cancelled from the devtools panel$/);
    expect([...detail(container).querySelectorAll("button")].filter((b) => /^Cancel/.test(b.getAttribute("aria-label") ?? ""))).toEqual([]);

    release.set();
    await finished;
    expect(log).toEqual(["victim finally", "guard done"]);
  });

  it("shows creation stacks of tasks spawned after 'capture stacks' is turned on", async () => {
    const frames = manualFrames();
    const m = await mount(<DevtoolsPanel scheduleFrame={frames.scheduleFrame} now={() => 0} />);
    cleanup = m.unmount;
    const { container } = m;
    const go = new Event();
    const release = new Event();
    const finished = runWith({ clock: new MockClock() }, function* () {
      yield* openNursery(function* (n) {
        n.startSoonNamed("early", () => release.wait());
        yield* go.wait();
        n.startSoonNamed("late", () => release.wait());
      });
    });
    await until(() => row(container, "early") !== undefined, frames);
    await click(row(container, "early")!);
    expect(detail(container).textContent).toContain('Turn on "capture stacks"');
    const checkbox = container.querySelector<HTMLInputElement>('input[type="checkbox"]')!;
    await act(() => checkbox.click());
    expect(checkbox.checked).toBe(true);
    expect(detail(container).textContent).toContain("spawned before capture was turned on");
    go.set();
    await until(() => row(container, "late") !== undefined, frames);
    await click(row(container, "late")!);
    const stack = detail(container).querySelector('[data-testid="creation-stack"]');
    expect(stack?.textContent).toContain("task late spawned here");
    // Its first user frame is this file (Node's paths are not fetched: the frame stays raw).
    expect(stack?.querySelector("a.tad-frame-link")?.textContent).toMatch(/detail\.test\.tsx:\d+:\d+$/);
    release.set();
    await finished;
    // Exited, it keeps the stack the pane saw while it lived.
    await until(() => row(container, "late")?.classList.contains("tad-exited") === true, frames);
    expect(detail(container).querySelector('[data-testid="creation-stack"]')?.textContent).toContain("task late spawned here");
  });
});

describe("detail pane on recorded data", () => {
  it("lists an asyncio loop's pending futures, oldest first, with their done callbacks", async () => {
    const fake = fakeSource();
    const m = await mount(<DevtoolsPanel source={fake.source} now={() => 0} />);
    cleanup = m.unmount;
    const snap = bigSnapshot(1);
    snap.runs[0]!.time = 10;
    snap.loops.push({ id: 4, runId: 1, hostTaskId: 2, closed: false, debug: false, readyCallbacks: 1, timers: 2, taskCount: 1, callbacksRun: 50, iterations: 20 });
    const fut = (id: number, name: string, kind: string, createdAt: number, doneCallbacks: string[]) => ({
      id,
      loopId: 4,
      kind,
      name,
      state: "PENDING",
      age: 0,
      createdAt,
      doneCallbacks,
      sourceTraceback: null,
      waitingOnFutureId: kind === "Task" ? 7 : null,
      cancelling: kind === "Task" ? 0 : null,
    });
    snap.futures.push(fut(5, "middle", "Future", 2, []), fut(6, "aio-job", "Task", 5, ["onJobDone"]), fut(7, "oldest", "Future", 1, ["wake", "log"]));
    await fake.push(update({ full: snap }));
    // The loop sits under its host task, the asyncio Task under the loop.
    const loopRow = m.container.querySelector<HTMLElement>('[data-key="loop:4"]')!;
    expect(loopRow.getAttribute("aria-level")).toBe("5");
    expect(m.container.querySelector('[data-key="aiotask:6"]')!.getAttribute("aria-level")).toBe("6");
    await click(loopRow);
    const list = detail(m.container).querySelector('[aria-label="Pending futures, oldest first"]')!;
    const entries = [...list.querySelectorAll("li")].map((li) => li.textContent!);
    expect(entries).toHaveLength(3);
    expect(entries[0]).toMatch(/^oldest Future · PENDING · age 9\.0 s.*done callbacks: wake, log$/);
    expect(entries[1]).toMatch(/^middle Future · PENDING · age 8\.0 s$/);
    expect(entries[2]).toMatch(/^aio-job Task · PENDING · age 5\.0 s · waits on #7.*done callbacks: onJobDone$/);
    // Following the Task's link shows it.
    await click(list.querySelector("button")!);
    expect(detail(m.container).querySelector("h2")!.textContent).toContain("aio-job");
    expect(detail(m.container).textContent).toContain("oldest (Future, PENDING)");
  });

  it("shows an errored task's error, kept after it exited", async () => {
    const fake = fakeSource();
    const m = await mount(<DevtoolsPanel source={fake.source} now={() => 0} />);
    cleanup = m.unmount;
    await fake.push(update({ full: bigSnapshot(2) }));
    await fake.push(
      update({
        tasks: { upserted: [], removed: [3] },
        events: [{ at: 5, kind: "error", runId: 1, id: 3, name: "worker-1", detail: "TypeError: x is undefined" }],
      }),
    );
    const r = m.container.querySelector<HTMLElement>('[data-key="task:3"]')!;
    expect(r.dataset.state).toBe("errored");
    await click(r);
    expect(detail(m.container).querySelector('[data-testid="task-error"]')!.textContent).toBe("TypeError: x is undefined");
    expect(() => button(detail(m.container), "Cancel task worker-1")).toThrow(/no button/);
    await click(button(m.container, "Clear history"));
    expect(m.container.querySelector('[data-key="task:3"]')).toBe(null);
  });

  it("cancel buttons call the inspector with the right kind and id", async () => {
    const fake = fakeSource();
    const m = await mount(<DevtoolsPanel source={fake.source} now={() => 0} />);
    cleanup = m.unmount;
    await fake.push(update({ full: bigSnapshot(1) }));
    await click(m.container.querySelector('[data-key="task:2"]')!);
    await click(button(m.container, "Cancel task worker-0"));
    await click(button(m.container, "Cancel nursery #100"));
    expect(fake.cancels).toEqual([
      ["task", 2],
      ["scope", 100],
    ]);
    // The run's root scope has no button.
    expect(() => button(m.container, /root/)).toThrow(/no button/);
  });

  it("asks before cancelling the main task, a task hosting others, or a scope around other tasks; Keep running does nothing", async () => {
    const fake = fakeSource();
    const m = await mount(<DevtoolsPanel source={fake.source} now={() => 0} />);
    cleanup = m.unmount;
    const snap = bigSnapshot(3);
    // worker-0 (#2) opened a nursery with two tasks of its own.
    snap.nurseries.push({ id: 200, runId: 1, parentTaskId: 2, childTaskIds: [10, 11] });
    snap.scopes.push(scopeRec(200, { parentId: 100, ownerTaskId: 2, nursery: true }));
    snap.tasks.push(taskRec(10, { name: "sub-a", nurseryId: 200, parentTaskId: 2, scopeIds: [200, 100, 1] }));
    snap.tasks.push(taskRec(11, { name: "sub-b", nurseryId: 200, parentTaskId: 2, scopeIds: [200, 100, 1] }));
    await fake.push(update({ full: snap }));
    const pane = () => detail(m.container);
    const message = () => pane().querySelector('[data-testid="confirm-message"]')?.textContent ?? null;

    // The run's main task: the whole run.
    await click(m.container.querySelector('[data-key="task:1"]')!);
    await click(button(pane(), "Cancel task main"));
    expect(message()).toBe("main is the main task of big-run: cancelling it cancels the whole run (5 other tasks).");
    expect(fake.cancels).toEqual([]);
    await click(button(pane(), "Keep running"));
    expect(message()).toBe(null);
    expect(fake.cancels).toEqual([]);
    await click(button(pane(), "Cancel task main"));
    await click(button(pane(), "Cancel anyway"));
    expect(fake.cancels).toEqual([["task", 1]]);

    // A task hosting two others.
    await click(m.container.querySelector('[data-key="task:2"]')!);
    await click(button(pane(), "Cancel task worker-0"));
    expect(message()).toBe("worker-0 hosts 2 tasks: cancelling it cancels them too.");
    // A scope around five tasks (the nursery of main), then one around only the task's own children.
    await click(button(pane(), "Keep running"));
    await click(button(pane(), "Cancel nursery #100"));
    expect(message()).toBe("5 tasks run inside nursery #100: cancelling it cancels them all.");
    await click(button(pane(), "Cancel anyway"));
    expect(fake.cancels).toEqual([["task", 1], ["scope", 100]]);

    // A leaf task with a scope of its own: no question.
    await click(m.container.querySelector('[data-key="task:10"]')!);
    await click(button(pane(), "Cancel task sub-a"));
    expect(message()).toBe(null);
    expect(fake.cancels).toEqual([["task", 1], ["scope", 100], ["task", 10]]);
  });

  it("an exited task's scopes have no cancel buttons", async () => {
    const fake = fakeSource();
    const m = await mount(<DevtoolsPanel source={fake.source} now={() => 0} />);
    cleanup = m.unmount;
    const snap = bigSnapshot(2);
    snap.scopes.push(scopeRec(300, { parentId: 100, ownerTaskId: 3 }));
    snap.tasks[2] = taskRec(3, { name: "worker-1", nurseryId: 100, parentTaskId: 1, scopeIds: [300, 100, 1] });
    await fake.push(update({ full: snap }));
    await click(m.container.querySelector('[data-key="task:3"]')!);
    expect(() => button(detail(m.container), /^Cancel cancel scope #300$/)).not.toThrow();
    // It fails: its last record stays, its scope 300 is gone, the nursery lives on.
    await fake.push(
      update({
        tasks: { upserted: [], removed: [3] },
        scopes: { upserted: [], removed: [300] },
        events: [{ at: 5, kind: "error", runId: 1, id: 3, name: "worker-1", detail: "Error: boom" }],
      }),
    );
    expect(detail(m.container).querySelector('[data-testid="task-error"]')!.textContent).toBe("Error: boom");
    expect([...detail(m.container).querySelectorAll("button")].filter((b) => /^Cancel/.test(b.getAttribute("aria-label") ?? b.textContent ?? ""))).toEqual([]);
  });

  it("an asyncio Task has a cancel button that cancels it through the inspector", async () => {
    const fake = fakeSource();
    const m = await mount(<DevtoolsPanel source={fake.source} now={() => 0} />);
    cleanup = m.unmount;
    const snap = bigSnapshot(1);
    snap.loops.push({ id: 7, runId: 1, hostTaskId: 2, closed: false, debug: false, readyCallbacks: 0, timers: 0, taskCount: 1, callbacksRun: 0, iterations: 0 });
    snap.futures.push({ id: 70, loopId: 7, kind: "Task", name: "aio-worker", state: "pending", age: 0, createdAt: 0, doneCallbacks: [], sourceTraceback: null, waitingOnFutureId: null, cancelling: 0 });
    await fake.push(update({ full: snap }));
    await click(m.container.querySelector('[data-key="aiotask:70"]')!);
    await click(button(detail(m.container), "Cancel asyncio task aio-worker"));
    expect(fake.cancels).toEqual([["asyncioTask", 70]]);
    // The loop's host task hosts it: cancelling the host asks first.
    await click(m.container.querySelector('[data-key="task:2"]')!);
    await click(button(detail(m.container), "Cancel task worker-0"));
    expect(detail(m.container).querySelector('[data-testid="confirm-message"]')!.textContent).toBe("worker-0 hosts 1 task: cancelling it cancels that one too.");
  });
});

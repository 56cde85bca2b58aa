// @vitest-environment happy-dom
/** @jsxImportSource react */
/**
 * Page to panel with React 19: the React bindings record which DOM element
 * a component's tasks belong to (through React's development-build owner
 * dispatcher, the fiber being rendered), and the inspector maps a task to
 * that element (`elementOf`) and every element to its tasks
 * (`tasksByElement`), as with Preact; under StrictMode too.
 */
import { afterEach, describe, expect, it } from "vitest";
import { act, StrictMode, useState, version } from "react";
import { sleepForever } from "../../src/core/index.js";
import { elementOf, inspect, tasksByElement } from "../../src/inspect/index.js";
import { MockClock } from "../../src/testing/index.js";
import { TrioRoot, TrioRuntime, useNursery, useTask, useTaskPolicy } from "../../src/react/index.js";
import { cleanup, closedAfterTest, flush, render } from "./helpers.js";

let container: HTMLElement;
let runtime: TrioRuntime;

afterEach(async () => {
  await cleanup();
  container.remove();
});

function taskIds(name: string): number[] {
  return inspect()
    .tasks.filter((r) => r.runId === runtime.runner?.id && r.name === name)
    .map((r) => r.id);
}

function taskId(name: string): number {
  const ids = taskIds(name);
  if (ids.length !== 1) throw new Error(`${ids.length} tasks named ${name}`);
  return ids[0]!;
}

function Search() {
  useTask(function* search() {
    yield* sleepForever();
  }, []);
  return (
    <section className="search">
      <input />
    </section>
  );
}

function Ticker() {
  const nursery = useNursery("ticker");
  return (
    <>
      time{" "}
      <button type="button" onClick={() => nursery.startSoonNamed("tick", sleepForever)}>
        tick
      </button>
    </>
  );
}

function Wrapped() {
  // A component whose DOM comes from a child component.
  const save = useTaskPolicy(function* save() {
    yield* sleepForever();
  }, { name: "save" });
  const [started, setStarted] = useState(false);
  return (
    <Card>
      <button type="button" onClick={() => { setStarted(true); save.perform(); }}>{started ? "saving" : "save"}</button>
    </Card>
  );
}

function Card(props: { children: React.ReactNode }) {
  return <article className="card">{props.children}</article>;
}

async function mount(app: React.ReactNode, strict = false): Promise<void> {
  container = document.createElement("div");
  document.body.append(container);
  runtime = closedAfterTest(new TrioRuntime({ name: "elements", clock: new MockClock() }));
  const tree = <TrioRoot runtime={runtime}>{app}</TrioRoot>;
  await act(async () => render(strict ? <StrictMode>{tree}</StrictMode> : tree, container));
  await flush(runtime);
}

describe("page to panel with React", () => {
  for (const strict of [false, true]) {
    it(`elementOf gives a hook's task its component's first element; tasksByElement goes back${strict ? " (StrictMode)" : ""}`, async () => {
      await mount(
        <main>
          <Search />
          <Ticker />
          <Wrapped />
        </main>,
        strict,
      );
      expect(Number(version.split(".")[0])).toBeGreaterThanOrEqual(19);
      const section = container.querySelector("section.search")!;
      const search = taskId("search");
      expect(elementOf(search)).toBe(section);
      // A component whose first node is text belongs to that text's parent element.
      await act(async () => container.querySelector<HTMLButtonElement>("main > button")!.click());
      await flush(runtime);
      const tick = taskId("tick");
      expect(elementOf(tick)).toBe(container.querySelector("main"));
      // A component rendering another component: the first element below it.
      await act(async () => container.querySelector<HTMLButtonElement>("article button")!.click());
      await flush(runtime);
      const article = container.querySelector("article.card")!;
      const saves = taskIds("save");
      expect(saves.length).toBeGreaterThan(0);
      for (const id of saves) expect(elementOf(id)).toBe(article);
      const map = tasksByElement();
      expect(map.get(section)).toContain(search);
      expect(map.get(container.querySelector("main")!)).toContain(tick);
      expect(map.get(article)).toEqual(expect.arrayContaining(saves));
      // The runtime's own main task belongs to no component.
      const main = inspect().runs.find((r) => r.id === runtime.runner?.id)!.mainTaskId;
      expect(main).not.toBe(null);
      expect(elementOf(main!)).toBe(null);
    });
  }

  it("after the component unmounts, its tasks are gone and nothing maps to its element", async () => {
    await mount(<Search />);
    const section = container.querySelector("section.search")!;
    expect(tasksByElement().has(section)).toBe(true);
    await act(async () => render(<TrioRoot runtime={runtime}>{null}</TrioRoot>, container));
    await flush(runtime);
    expect(tasksByElement().has(section)).toBe(false);
  });
});

// @vitest-environment happy-dom
/**
 * Page to panel: the Preact bindings record which DOM element a component's
 * tasks belong to, and the inspector maps a task to that element
 * (`elementOf`) and every element to its tasks (`tasksByElement`).
 */
import { afterEach, describe, expect, it } from "vitest";
import { render } from "preact";
import { act } from "preact/test-utils";
import { sleepForever } from "../../src/core/index.js";
import { elementOf, inspect, tasksByElement } from "../../src/inspect/index.js";
import { MockClock } from "../../src/testing/index.js";
import { TrioRoot, TrioRuntime, useNursery, useTask } from "../../src/preact/index.js";
import { settled } from "../components/helpers.js";

let container: HTMLElement;
let runtime: TrioRuntime;

afterEach(async () => {
  render(null, container);
  await runtime.close();
  container.remove();
});

function taskId(name: string): number {
  const t = inspect().tasks.find((r) => r.runId === runtime.runner?.id && r.name === name);
  if (t === undefined) throw new Error(`no task ${name}`);
  return t.id;
}

function Search(): preact.JSX.Element {
  useTask(function* search() {
    yield* sleepForever();
  }, []);
  return (
    <section class="search">
      <input />
    </section>
  );
}

function Ticker(): preact.JSX.Element {
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

async function mount(app: preact.JSX.Element): Promise<void> {
  container = document.createElement("div");
  document.body.append(container);
  runtime = new TrioRuntime({ name: "elements", clock: new MockClock() });
  await act(async () => {
    render(<TrioRoot runtime={runtime}>{app}</TrioRoot>, container);
  });
  await act(() => settled(runtime));
}

describe("page to panel: a component's tasks and its DOM element", () => {
  it("elementOf gives a hook's task its component's first element; tasksByElement goes back", async () => {
    await mount(
      <main>
        <Search />
        <Ticker />
      </main>,
    );
    const section = container.querySelector("section.search")!;
    const search = taskId("search");
    expect(elementOf(search)).toBe(section);
    // A component whose first node is text belongs to that text's parent element.
    await act(async () => {
      container.querySelector("button")!.click();
    });
    await act(() => settled(runtime));
    const tick = taskId("tick");
    expect(elementOf(tick)).toBe(container.querySelector("main"));
    const map = tasksByElement();
    expect(map.get(section)).toContain(search);
    expect(map.get(container.querySelector("main")!)).toContain(tick);
    // The runtime's own main task belongs to no component.
    const main = inspect().runs.find((r) => r.id === runtime.runner?.id)!.mainTaskId;
    expect(main).not.toBe(null);
    expect(elementOf(main!)).toBe(null);
    expect(elementOf(-12345)).toBe(null);
  });

  it("after the component unmounts, its tasks are gone and nothing maps to its element", async () => {
    await mount(<Search />);
    const section = container.querySelector("section.search")!;
    expect(tasksByElement().has(section)).toBe(true);
    await act(async () => {
      render(<TrioRoot runtime={runtime}>{null}</TrioRoot>, container);
    });
    await act(() => settled(runtime));
    expect(tasksByElement().has(section)).toBe(false);
  });
});

// @vitest-environment happy-dom
/**
 * The components a front-end developer writes first with the Preact
 * bindings (test/react/adoption.test.tsx has the same with React's
 * StrictMode), driven the way a user drives them
 * (typing, clicking, closing, hiding the tab): a search box (keepLatest,
 * aborting fetches), a form submit (drop), polling restarted on visibility,
 * a list of rows each with its own task, and a modal closed mid-request.
 * Each is checked for what ember-concurrency and Effection promise: no
 * double runs, no request left open or listener left on, no state update
 * after unmount, no lost error, and nothing left in the run.
 */
import { afterEach, describe, expect, it } from "vitest";
import { render as preactRender, type ComponentChildren } from "preact";
import { act } from "preact/test-utils";
import { useEffect, useState } from "preact/hooks";
import { sleep, type Operation } from "../../src/core/index.js";
import { abortable } from "../../src/bridge/index.js";
import { MockClock } from "../../src/testing/index.js";
import { leftovers } from "../../src/core/runner.js";
import { TrioRoot, TrioRuntime, useTask, useTaskPolicy } from "../../src/preact/index.js";
import { settled } from "../components/helpers.js";
import { FakeServer } from "../components/fake-server.js";
import { inspect } from "../../src/inspect/index.js";

let container: HTMLElement;
const runtimes: TrioRuntime[] = [];

function render(node: ComponentChildren, target: HTMLElement): void {
  preactRender(node, target);
}

async function flush(runtime: TrioRuntime): Promise<void> {
  for (let i = 0; i < 4; i++) {
    await act(async () => {
      await settled(runtime);
    });
  }
}

async function jump(clock: MockClock, runtime: TrioRuntime, seconds: number): Promise<void> {
  await act(async () => {
    clock.jump(seconds);
    await settled(runtime);
  });
}

function hookTasks(runtime: TrioRuntime): string[] {
  const runId = runtime.runner?.id;
  return inspect()
    .tasks.filter((t) => t.runId === runId && t.nurseryId !== null)
    .map((t) => t.name);
}

function setup(): { clock: MockClock; runtime: TrioRuntime; errors: unknown[]; server: FakeServer } {
  container = document.body.appendChild(document.createElement("div"));
  const clock = new MockClock();
  const errors: unknown[] = [];
  const runtime = new TrioRuntime({ name: "app", clock, onError: (e) => errors.push(e) });
  runtimes.push(runtime);
  return { clock, runtime, errors, server: new FakeServer() };
}

async function mount(runtime: TrioRuntime, node: ComponentChildren): Promise<void> {
  await act(async () => render(<TrioRoot runtime={runtime}>{node}</TrioRoot>, container));
  await flush(runtime);
}

function $(selector: string): HTMLElement {
  const el = container.querySelector<HTMLElement>(selector);
  if (el === null) throw new Error(`nothing matches ${selector} in ${container.innerHTML}`);
  return el;
}

/** Types into an input: sets its value, then an input event. */
function type(input: HTMLElement, value: string): void {
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")!.set!.call(input, value);
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

/** Nothing of the app is left in the run: no task but the runtime's own, no timer. */
function expectNothingLeft(runtime: TrioRuntime, server: FakeServer): void {
  expect(hookTasks(runtime)).toEqual([]);
  expect(leftovers(runtime.runner!).deadlines).toBe(0);
  expect(server.open).toEqual([]);
  expect(server.abortListeners).toBe(0);
}

afterEach(async () => {
  render(null, container);
  for (const r of runtimes.splice(0)) await r.close();
  container.remove();
});

describe("adopting the Preact bindings", () => {
  it("a search box: keepLatest with a debounce; unmounting mid-request aborts it", async () => {
    const { clock, runtime, errors, server } = setup();
    const renders: string[] = [];
    function* search(q: string): Operation<string> {
      yield* sleep(0.25);
      return yield* abortable((signal) => server.fetch(`/search?q=${q}`, signal));
    }
    function SearchBox() {
      const s = useTaskPolicy(search, { policy: "keepLatest" });
      const shown = s.isRunning ? "searching" : String(s.lastValue ?? "");
      renders.push(shown);
      return (
        <>
          <input id="q" onInput={(e) => s.perform(e.currentTarget.value)} />
          <output>{shown}</output>
        </>
      );
    }
    await mount(runtime, <SearchBox />);
    await act(async () => {
      type($("#q"), "a");
      type($("#q"), "ab");
      type($("#q"), "abc");
    });
    await jump(clock, runtime, 0.25);
    await flush(runtime);
    // "a" runs; "ab" was replaced by "abc" while waiting.
    expect(server.urls).toEqual(["/search?q=a"]);
    await act(async () => server.latest("/search?q=a").answer("A"));
    await flush(runtime);
    await jump(clock, runtime, 0.25);
    await flush(runtime);
    expect(server.urls).toEqual(["/search?q=a", "/search?q=abc"]);
    await act(async () => server.latest("/search?q=abc").answer("ABC"));
    await flush(runtime);
    expect($("output").textContent).toBe("ABC");
    // Typing again, then leaving the page mid-request: the request is aborted, nothing renders after.
    await act(async () => type($("#q"), "abcd"));
    await jump(clock, runtime, 0.25);
    await flush(runtime);
    const inFlight = server.latest("/search?q=abcd");
    await act(async () => render(<TrioRoot runtime={runtime}>{null}</TrioRoot>, container));
    const rendersAtUnmount = renders.length;
    await flush(runtime);
    expect(inFlight.state).toBe("aborted");
    expect(renders.length).toBe(rendersAtUnmount);
    expect(errors).toEqual([]);
    expectNothingLeft(runtime, server);
  });

  it("a form submit with drop: a double click sends once; a failure is shown, not reported; a retry clears it", async () => {
    const { runtime, errors, server } = setup();
    function* save(): Operation<string> {
      return yield* abortable((signal) => server.fetch("/save", signal));
    }
    function Form() {
      const submit = useTaskPolicy(save, { policy: "drop" });
      return (
        <form onSubmit={(e) => e.preventDefault()}>
          <button id="save" type="button" disabled={submit.isRunning} onClick={() => submit.perform()}>
            {submit.isRunning ? "saving" : "save"}
          </button>
          <p id="error">{submit.lastError instanceof Error ? submit.lastError.message : ""}</p>
          <p id="saved">{String(submit.succeededCount)}</p>
        </form>
      );
    }
    await mount(runtime, <Form />);
    // Two clicks in one tick, before the re-render disables the button.
    await act(async () => {
      $("#save").click();
      $("#save").click();
    });
    await flush(runtime);
    expect(server.urls).toEqual(["/save"]);
    expect($("#save").textContent).toBe("saving");
    await act(async () => server.latest("/save").fail(new Error("502 Bad Gateway")));
    await flush(runtime);
    expect($("#error").textContent).toBe("502 Bad Gateway");
    expect(errors).toEqual([]);
    await act(async () => $("#save").click());
    await flush(runtime);
    await act(async () => server.latest("/save").answer("ok"));
    await flush(runtime);
    expect($("#error").textContent).toBe("");
    expect($("#saved").textContent).toBe("1");
    expect(server.urls).toEqual(["/save", "/save"]);
    expectNothingLeft(runtime, server);
  });

  it("polling that stops while the tab is hidden and restarts when it is shown", async () => {
    const { clock, runtime, errors, server } = setup();
    let hidden = false;
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (hidden ? "hidden" : "visible") });
    const setVisibility = (isHidden: boolean) => {
      hidden = isHidden;
      document.dispatchEvent(new Event("visibilitychange"));
    };
    const shown: string[] = [];
    function Status() {
      const [visible, setVisible] = useState(document.visibilityState === "visible");
      const [status, setStatus] = useState("unknown");
      useEffect(() => {
        const onChange = () => setVisible(document.visibilityState === "visible");
        document.addEventListener("visibilitychange", onChange);
        return () => document.removeEventListener("visibilitychange", onChange);
      }, []);
      useTask(
        function* poll(): Operation<void> {
          while (visible) {
            setStatus(yield* abortable((signal) => server.fetch("/status", signal)));
            yield* sleep(5);
          }
        },
        [visible],
      );
      shown.push(status);
      return <p>{status}</p>;
    }
    try {
      await mount(runtime, <Status />);
      expect(server.urls).toEqual(["/status"]);
      await act(async () => server.latest("/status").answer("up"));
      await flush(runtime);
      expect(container.textContent).toBe("up");
      await jump(clock, runtime, 5);
      await flush(runtime);
      expect(server.urls).toEqual(["/status", "/status"]);
      // Hidden mid-request: that request is aborted, and nothing polls.
      const pending = server.latest("/status");
      await act(async () => setVisibility(true));
      await flush(runtime);
      expect(pending.state).toBe("aborted");
      await jump(clock, runtime, 60);
      await flush(runtime);
      expect(server.urls.length).toBe(2);
      expect(leftovers(runtime.runner!).deadlines).toBe(0);
      // Shown again: one poll at once.
      await act(async () => setVisibility(false));
      await flush(runtime);
      expect(server.urls.length).toBe(3);
      await act(async () => server.latest("/status").answer("still up"));
      await flush(runtime);
      expect(container.textContent).toBe("still up");
      // Unmounted while sleeping between polls.
      await act(async () => render(<TrioRoot runtime={runtime}>{null}</TrioRoot>, container));
      await flush(runtime);
      await jump(clock, runtime, 60);
      expect(server.urls.length).toBe(3);
      expect(errors).toEqual([]);
      expectNothingLeft(runtime, server);
    } finally {
      delete (document as { visibilityState?: unknown }).visibilityState;
    }
  });

  it("a list of rows, each with its own task: removing a row cancels only its work; reordering restarts nothing", async () => {
    const { runtime, errors, server } = setup();
    const loads: string[] = [];
    function Row({ id }: { id: string }) {
      const details = useTask(
        function* load(): Operation<string> {
          loads.push(id);
          return yield* abortable((signal) => server.fetch(`/rows/${id}`, signal));
        },
        [id],
      );
      const save = useTaskPolicy(function* saveRow(): Operation<string> {
        return yield* abortable((signal) => server.fetch(`/rows/${id}/save`, signal));
      }, { policy: "enqueue" });
      return (
        <li id={`row-${id}`}>
          {String(details.value ?? "…")}
          <button onClick={() => save.perform()}>save</button>
          {save.queuedCount}
        </li>
      );
    }
    let setIds!: (ids: string[]) => void;
    function List() {
      const [ids, set] = useState(["1", "2", "3"]);
      setIds = set;
      return <ul>{ids.map((id) => <Row key={id} id={id} />)}</ul>;
    }
    await mount(runtime, <List />);
    expect(loads.sort()).toEqual(["1", "2", "3"]);
    for (const id of ["1", "2", "3"]) await act(async () => server.latest(`/rows/${id}`).answer(`row ${id}`));
    await flush(runtime);
    expect(container.textContent).toContain("row 2");
    // Two saves on row 2 (one queued), one on row 3.
    await act(async () => {
      $("#row-2 button").click();
      $("#row-2 button").click();
      $("#row-3 button").click();
    });
    await flush(runtime);
    expect(server.open.map((r) => r.url).sort()).toEqual(["/rows/2/save", "/rows/3/save"]);
    // Row 2 goes away, the others swap places: row 2's save is aborted and its queued one never runs.
    const save2 = server.latest("/rows/2/save");
    await act(async () => setIds(["3", "1"]));
    await flush(runtime);
    expect(save2.state).toBe("aborted");
    expect(loads.sort()).toEqual(["1", "2", "3"]);
    expect(server.open.map((r) => r.url)).toEqual(["/rows/3/save"]);
    await act(async () => server.latest("/rows/3/save").answer("saved"));
    await flush(runtime);
    expect(server.urls.filter((u) => u === "/rows/2/save").length).toBe(1);
    expect(errors).toEqual([]);
    expectNothingLeft(runtime, server);
  });

  it("a modal closed mid-request: the request is aborted, its finally runs once, nothing updates afterwards", async () => {
    const { runtime, errors, server } = setup();
    const log: string[] = [];
    function Modal() {
      const [note, setNote] = useState("");
      const details = useTask(function* loadDetails(): Operation<string> {
        log.push("start");
        try {
          const body = yield* abortable((signal) => server.fetch("/details", signal));
          setNote("loaded");
          return body;
        } finally {
          log.push("finally");
        }
      }, []);
      return <dialog open>{details.status}{note}</dialog>;
    }
    let setOpen!: (open: boolean) => void;
    function Page() {
      const [open, set] = useState(true);
      setOpen = set;
      return <main>{open ? <Modal /> : null}</main>;
    }
    await mount(runtime, <Page />);
    expect(container.textContent).toBe("running");
    const request = server.latest("/details");
    await act(async () => setOpen(false));
    await flush(runtime);
    expect(request.state).toBe("aborted");
    expect(log).toEqual(["start", "finally"]);
    // The server answers anyway, late: nothing is listening.
    request.answer("too late");
    await flush(runtime);
    expect(container.innerHTML).toBe("<main></main>");
    // Opened again: a fresh load.
    await act(async () => setOpen(true));
    await flush(runtime);
    await act(async () => server.latest("/details").answer("fresh"));
    await flush(runtime);
    expect(container.textContent).toBe("succeededloaded");
    expect(log).toEqual(["start", "finally", "start", "finally"]);
    expect(errors).toEqual([]);
    expectNothingLeft(runtime, server);
  });
});

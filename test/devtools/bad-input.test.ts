// @vitest-environment happy-dom
/**
 * Bad input to trio-asyncio/devtools, table-driven: `mountDevtools` with a
 * bad container or bad options, `exposeInspector` with bad options, and
 * `<DevtoolsPanel>` with props of the wrong kind. Each row must raise the
 * expected class with a message that names the option or prop and the
 * fix, and leave nothing mounted, subscribed or listening.
 *
 * Then the panel against hostile values in the task tree of a live run: a
 * scope whose name getter throws, tasks that raise a revoked Proxy, an
 * object with no prototype or an Error whose message getter throws, a task
 * that returns a revoked Proxy, a Future whose result is one. The panel
 * must keep updating and show something readable for each.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Component, h, render, type ComponentChildren } from "preact";
import { act } from "preact/test-utils";
import { CancelScope, Event, aioAsTrio, asyncio, inspector, openLoop, openNursery, run } from "../../src/index.js";
import * as devtools from "../../devtools/index.js";
import { DevtoolsPanel, exposeInspector, mountDevtools } from "../../devtools/index.js";
import { PanelStore } from "../../devtools/store.js";
import { bad, messageThrows, revoked, trapsThrow } from "../components/bad-input-table.js";
import { manualFrames, mount, until } from "./helpers.js";
import { ENGINE_WORDS } from "../bad-input/hostile.js";

interface DevCase {
  readonly covers: readonly string[];
  readonly label: string;
  /** Returns what it mounted (to undo it if the row wrongly succeeds). */
  readonly act: () => unknown;
  readonly error: abstract new (...args: never[]) => Error;
  readonly message: RegExp;
}

const TYPE = TypeError;

/** Catches what its children throw while rendering. */
class Boundary extends Component<{ onError: (error: unknown) => void; children?: ComponentChildren }, { failed: boolean }> {
  override state = { failed: false };
  override componentDidCatch(error: unknown): void {
    this.props.onError(error);
    this.setState({ failed: true });
  }
  override render(): ComponentChildren {
    return this.state.failed ? null : this.props.children;
  }
}

/** Renders the panel with `props` under a boundary; throws what reached the boundary. */
function panelWith(props: Record<string, unknown>): void {
  const container = document.body.appendChild(document.createElement("div"));
  let caught: unknown = null;
  try {
    render(h(Boundary, { onError: (e: unknown) => (caught = e) }, h(DevtoolsPanel, props as devtools.DevtoolsPanelProps)), container);
  } finally {
    render(null, container);
    container.remove();
  }
  if (caught !== null) throw caught;
}

const noop = (): void => {};
const source = { subscribe: () => noop, cancel: () => false, creationStack: () => undefined };

const cases: DevCase[] = [
  // ---- mountDevtools ------------------------------------------------------------------
  { covers: ["mountDevtools"], label: "options 5", act: () => mountDevtools(bad(5)), error: TYPE, message: /mountDevtools\(options\) takes an object such as \{ initiallyOpen: true \}, or nothing; got number 5/ },
  { covers: ["mountDevtools"], label: "options a revoked Proxy", act: () => mountDevtools(revoked()), error: TYPE, message: /mountDevtools\(options\): the options object cannot be read \(a revoked Proxy, or one whose traps throw\); pass a plain object/ },
  { covers: ["mountDevtools"], label: "options a Proxy whose traps throw", act: () => mountDevtools(trapsThrow()), error: TYPE, message: /mountDevtools\(options\): the options object cannot be read/ },
  { covers: ["mountDevtools"], label: "container 5", act: () => mountDevtools(bad({ container: 5 })), error: TYPE, message: /mountDevtools\(\{ container \}\) takes a DOM element to attach the panel to \(default document\.body\), got number 5/ },
  { covers: ["mountDevtools"], label: "container a Text node", act: () => mountDevtools(bad({ container: document.createTextNode("x") })), error: TYPE, message: /mountDevtools\(\{ container \}\) takes a DOM element .*got a Text/ },
  { covers: ["mountDevtools"], label: "container a revoked Proxy", act: () => mountDevtools(bad({ container: revoked() })), error: TYPE, message: /mountDevtools\(\{ container \}\) takes a DOM element .*got a value that cannot be inspected \(a revoked Proxy\?\)/ },
  { covers: ["mountDevtools"], label: "container null", act: () => mountDevtools(bad({ container: null })), error: TYPE, message: /mountDevtools\(\{ container \}\) takes a DOM element .*got null/ },
  { covers: ["mountDevtools"], label: "dock a Symbol", act: () => mountDevtools(bad({ dock: Symbol("left") })), error: TYPE, message: /mountDevtools\(\{ dock \}\) takes "float", "bottom" or "right", got symbol Symbol\(left\)/ },
  { covers: ["mountDevtools"], label: "dock a BigInt", act: () => mountDevtools(bad({ dock: 1n })), error: TYPE, message: /mountDevtools\(\{ dock \}\) takes "float", "bottom" or "right", got bigint 1/ },
  { covers: ["mountDevtools"], label: "recordIntervalMs an object with no prototype", act: () => mountDevtools(bad({ recordIntervalMs: Object.create(null) })), error: TYPE, message: /mountDevtools\(\{ recordIntervalMs \}\) takes a number of milliseconds, at least 16; got an object with no prototype/ },
  { covers: ["mountDevtools"], label: "storageKey a Symbol", act: () => mountDevtools(bad({ storageKey: Symbol("k") })), error: TYPE, message: /mountDevtools\(\{ storageKey \}\) takes a string \(the localStorage key\), got symbol Symbol\(k\)/ },
  { covers: ["mountDevtools"], label: "storageKey 5", act: () => mountDevtools(bad({ storageKey: 5 })), error: TYPE, message: /mountDevtools\(\{ storageKey \}\) takes a string .*got number 5/ },
  { covers: ["mountDevtools"], label: "initiallyOpen \"yes\"", act: () => mountDevtools(bad({ initiallyOpen: "yes" })), error: TYPE, message: /mountDevtools\(\{ initiallyOpen \}\) takes true or false, got "yes"/ },
  { covers: ["mountDevtools"], label: "recordWhileClosed 1", act: () => mountDevtools(bad({ recordWhileClosed: 1 })), error: TYPE, message: /mountDevtools\(\{ recordWhileClosed \}\) takes true or false, got number 1/ },

  // ---- exposeInspector ----------------------------------------------------------------
  { covers: ["exposeInspector"], label: "options null", act: () => exposeInspector(bad(null)), error: TYPE, message: /exposeInspector\(options\) takes an object such as \{ refreshInterval: 100 \}, or nothing; got null/ },
  { covers: ["exposeInspector"], label: "options 5", act: () => exposeInspector(bad(5)), error: TYPE, message: /exposeInspector\(options\) takes an object .*got number 5/ },
  { covers: ["exposeInspector"], label: "options a revoked Proxy", act: () => exposeInspector(revoked()), error: TYPE, message: /exposeInspector\(options\): the options object cannot be read .*pass a plain object/ },
  { covers: ["exposeInspector"], label: "refreshInterval an object with no prototype", act: () => exposeInspector(bad({ refreshInterval: Object.create(null) })), error: TYPE, message: /exposeInspector\(\{ refreshInterval \}\) takes a number of ms ≥ 0, not an object with no prototype/ },

  // ---- DevtoolsPanel --------------------------------------------------------------------
  { covers: ["DevtoolsPanel"], label: "source 5", act: () => panelWith({ source: 5 }), error: TYPE, message: /<DevtoolsPanel source=\{…\}> takes an InspectorSource \(an object with subscribe, cancel and creationStack, as the inspector has\), or leave it out; got number 5/ },
  { covers: ["DevtoolsPanel"], label: "source {}", act: () => panelWith({ source: {} }), error: TYPE, message: /<DevtoolsPanel source=\{…\}> takes an InspectorSource .*got an object/ },
  { covers: ["DevtoolsPanel"], label: "source a revoked Proxy", act: () => panelWith({ source: revoked() }), error: TYPE, message: /<DevtoolsPanel source=\{…\}> takes an InspectorSource .*got a value that cannot be inspected/ },
  { covers: ["DevtoolsPanel"], label: "scheduleFrame 5", act: () => panelWith({ source, scheduleFrame: 5 }), error: TYPE, message: /<DevtoolsPanel scheduleFrame=\{…\}> takes a function, or leave it out; got number 5/ },
  { covers: ["DevtoolsPanel"], label: "refreshInterval -1", act: () => panelWith({ source, refreshInterval: -1 }), error: TYPE, message: /<DevtoolsPanel refreshInterval=\{…\}> takes a finite number ≥ 0, or leave it out; got number -1/ },
  { covers: ["DevtoolsPanel"], label: "blockedThreshold \"5\"", act: () => panelWith({ source, blockedThreshold: "5" }), error: TYPE, message: /<DevtoolsPanel blockedThreshold=\{…\}> takes a finite number ≥ 0, or leave it out; got "5"/ },
  { covers: ["DevtoolsPanel"], label: "store {}", act: () => panelWith({ source, store: {} }), error: TYPE, message: /<DevtoolsPanel store=\{…\}> takes a PanelStore, or leave it out; got an object/ },
  { covers: ["DevtoolsPanel"], label: "now \"0\"", act: () => panelWith({ source, now: "0" }), error: TYPE, message: /<DevtoolsPanel now=\{…\}> takes a function, or leave it out; got "0"/ },
];

function nothingMounted(): void {
  expect(document.querySelectorAll("[data-trio-asyncio-devtools]").length).toBe(0);
  expect(inspector.subscriberCount()).toBe(0);
}

afterEach(() => {
  nothingMounted();
});

describe("coverage of trio-asyncio/devtools", () => {
  it("every value export of devtools/index.ts is in the table", () => {
    const exports = Object.keys(devtools).sort();
    const covered = new Set(cases.flatMap((c) => c.covers));
    expect(exports.filter((name) => !covered.has(name))).toEqual([]);
    expect([...covered].filter((name) => !exports.includes(name))).toEqual([]);
  });
});

describe("bad inputs to trio-asyncio/devtools give clear errors, and mount nothing", () => {
  for (const c of cases) {
    it(`${c.covers[0]}: ${c.label}`, () => {
      let error: unknown = new Error("the case raised nothing");
      try {
        const made = c.act() as { unmount?: () => void; dispose?: () => void } | undefined;
        made?.unmount?.();
        made?.dispose?.();
      } catch (e) {
        error = e;
      }
      expect(error, `${c.label}: ${String(error)}`).toBeInstanceOf(c.error);
      expect((error as Error).message).toMatch(c.message);
      expect((error as Error).message).not.toMatch(ENGINE_WORDS);
      nothingMounted();
    });
  }
});

describe("option objects", () => {
  it("mountDevtools and exposeInspector take options with no prototype", async () => {
    const m = mountDevtools(Object.assign(Object.create(null) as object, { storageKey: "bad-input-no-proto" }));
    expect(document.querySelectorAll("[data-trio-asyncio-devtools]").length).toBe(1);
    await act(() => m.unmount());
    const exposed = exposeInspector(Object.create(null) as object);
    exposed.dispose();
  });

  for (const key of ["container", "dock", "storageKey", "initiallyOpen"]) {
    it(`a ${key} getter that throws raises its own error, and mounts nothing`, () => {
      const boom = new Error(`the ${key} getter`);
      const options = Object.defineProperty({}, key, {
        enumerable: true,
        get() {
          throw boom;
        },
      });
      expect(() => mountDevtools(options)).toThrow(boom);
      nothingMounted();
    });
  }
});

describe("hostile values in the task tree", () => {
  it("a scope whose name getter throws, hostile errors and results: the panel keeps updating and reads them all", async () => {
    const frames = manualFrames();
    const store = new PanelStore();
    const m = await mount(h(DevtoolsPanel, { scheduleFrame: frames.scheduleFrame, now: () => 0, store }));
    const release = new Event();
    let scopeId = -1;
    const kept = run(function* () {
      yield* openNursery(function* (n) {
        n.startSoonNamed("hostile scope", function* () {
          const scope = new CancelScope({ name: "fine at first" });
          Object.defineProperty(scope, "name", {
            get() {
              throw new Error("the name getter");
            },
          });
          scopeId = scope.id;
          yield* scope.run(() => release.wait());
        });
        n.startSoonNamed("revoked future", function* () {
          yield* openLoop(function* (loop) {
            yield* aioAsTrio(function* (): asyncio.Coroutine<void> {
              const f = loop.createFuture<unknown>();
              loop.callSoon(() => f.setResult(revoked()));
              yield* f;
            })();
            yield* release.wait();
          });
        });
      });
    });
    // Each child fails in its first step: had they first slept, the first
    // failure would cancel the others as they resumed (a checkpoint raises
    // a cancellation that came while its task waited in the run queue).
    const failed = run(function* () {
      yield* openNursery(function* (n) {
        n.startSoonNamed("throws revoked", function* () {
          throw revoked();
        });
        n.startSoonNamed("throws no-prototype", function* () {
          throw Object.create(null);
        });
        n.startSoonNamed("throws message-getter", function* () {
          throw messageThrows();
        });
        n.startSoonNamed("returns revoked", function* () {
          return revoked();
        });
      });
    });
    const failure = failed.catch((e: unknown) => e);
    const rows = () => [...m.container.querySelectorAll<HTMLElement>('[role="treeitem"]')].map((el) => el.textContent ?? "");
    const row = (name: string) => rows().find((text) => text.includes(name)) ?? "";
    // Every child's exit, not only the last to fail: on a loaded machine the batch may end (its time
    // slice spent) before "returns revoked" steps, and a frame shows it live in the cancelled nursery.
    await until(() => row("throws message-getter").includes("errored") && row("returns revoked").includes("exited") && row("hostile scope") !== "", frames);
    expect(row("throws revoked")).toMatch(/errored an object that cannot be inspected \(a revoked Proxy\?\)/);
    expect(row("throws no-prototype")).toMatch(/errored an object with no prototype/);
    expect(row("throws message-getter")).toMatch(/errored Error/);
    expect(row("returns revoked")).toMatch(/exited returned/);
    expect(row("hostile scope")).toMatch(/blocked/);
    // The hostile scope is listed, unnamed, and the cancel of it names it readably.
    expect(inspector.inspect().scopes.find((s) => s.id === scopeId)?.name).toBe(null);
    await act(async () => {
      inspector.cancel("scope", scopeId, "by hand");
    });
    await until(() => store.live.events.some((e) => e.kind === "cancel" && e.id === scopeId), frames);
    expect(store.live.events.find((e) => e.kind === "cancel" && e.id === scopeId)?.name).toBe("hostile scope");
    release.set();
    await kept;
    expect(String(await failure)).toMatch(/ExceptionGroup/);
    await m.unmount();
  });
});

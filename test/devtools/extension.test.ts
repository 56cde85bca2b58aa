// @vitest-environment happy-dom
/**
 * The browser extension's moving parts without a browser: the page side
 * (`exposeInspector`) and the panel side (`PortSource`) joined by a relay
 * that does what the content script and the service worker do (JSON text
 * one way, objects the other), the service worker's `Router` with fake
 * ports, and the JSON encoding that keeps Infinity. The real extension in
 * Chromium is e2e/extension.e2e.ts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { inspector, openNursery, run, sleepForever, type Nursery } from "../../src/index.js";
import { exposeInspector, type ExposedInspector } from "../../devtools/index.js";
import { PortSource, shiftTimes } from "../../devtools/extension/port-source.js";
import { Router } from "../../devtools/extension/router.js";
import { fromPortText, toPortText } from "../../devtools/extension/json-wire.js";
import { PAGE_GONE, PAGE_PORT_NAME, panelPortName, tabIdFromQuery, tabIdOfPanelPort, type ChromeEvent, type ChromePort } from "../../devtools/extension/chrome-api.js";
import { isFromPage, isToPage, wire, type InspectorWire, type InspectWire, type ReadyWire } from "../../devtools/wire.js";
import { update } from "./helpers.js";

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * A message to the page as the content script posts it (same window).
 * Dispatched by hand: happy-dom's postMessage gives an event whose `source`
 * is not the test's `window` (Chromium's is; the e2e test covers that path).
 */
function postToPage(data: unknown, source: Window | null = window): void {
  window.dispatchEvent(new MessageEvent("message", { data: structuredClone(data), source }));
}

/** The content script's and service worker's relay, in one: page messages go through JSON text. */
function relay(): { source: PortSource; stop(): void } {
  const source = new PortSource((message) => postToPage(message));
  const onMessage = (event: MessageEvent) => {
    if (isFromPage(event.data)) source.receive(fromPortText(toPortText(event.data)));
  };
  window.addEventListener("message", onMessage);
  return { source, stop: () => window.removeEventListener("message", onMessage) };
}

async function until(cond: () => boolean, tries = 400): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`condition not reached: ${cond.toString()}`);
}

/** Starts a run with a nursery of `names` sleeping forever (each logs its finally); returns the nursery and the run. */
async function startTree(names: string[], log: string[]): Promise<{ nursery: Nursery; done: Promise<void> }> {
  let nursery!: Nursery;
  const done = run(function* () {
    yield* openNursery(function* (n) {
      nursery = n;
      for (const name of names)
        n.startSoonNamed(name, function* () {
          try {
            yield* sleepForever();
          } finally {
            log.push(`${name} finally`);
          }
        });
    });
  });
  await until(() => nursery !== undefined && nursery.childTasks.size === names.length);
  return { nursery, done };
}

function expose(): ExposedInspector {
  const exposed = exposeInspector({ refreshInterval: 0 });
  cleanups.push(() => exposed.dispose());
  return exposed;
}

describe("exposeInspector and the panel's PortSource", () => {
  it("shows the page's tasks, cancels one from the panel, and fetches a creation stack on demand", async () => {
    const log: string[] = [];
    const { nursery, done } = await startTree(["alpha", "beta"], log);
    const { source, stop } = relay();
    cleanups.push(stop);
    expose();
    await until(() => source.connected); // the page said "ready"
    const updates: inspector.InspectorUpdate[] = [];
    const unsubscribe = source.subscribe((u) => updates.push(u), { captureStacks: true });
    await until(() => updates.some((u) => u.full !== undefined));
    const full = updates.find((u) => u.full !== undefined)!.full!;
    const beta = full.tasks.find((t) => t.name === "beta")!;
    expect(full.tasks.map((t) => t.name)).toEqual(expect.arrayContaining(["alpha", "beta"]));
    expect(inspector.subscriberCount()).toBe(1);
    // Stacks are captured for tasks spawned from now on: spawn one and ask for it.
    nursery.startSoonNamed("gamma", sleepForever);
    await until(() => updates.some((u) => u.tasks.upserted.some((t) => t.name === "gamma")));
    const gamma = updates.flatMap((u) => u.tasks.upserted).find((t) => t.name === "gamma")!;
    expect(source.creationStack(gamma.id)).toBeUndefined(); // asked; the answer comes as an empty update
    await until(() => source.creationStack(gamma.id) !== undefined);
    expect(source.creationStack(gamma.id)).toMatch(/extension\.test\.ts/);
    // Cancel from the panel: the page's task runs its finally.
    expect(source.cancel("task", beta.id, "from the extension")).toBe(true);
    await until(() => log.includes("beta finally"));
    expect(log).toEqual(["beta finally"]);
    await until(() => updates.some((u) => u.events.some((e) => e.kind === "exit" && e.id === beta.id)));
    // Unsubscribed: the page unsubscribes too.
    unsubscribe();
    await until(() => inspector.subscriberCount() === 0);
    nursery.cancelScope.cancel();
    await done;
  });

  it("empties the tree and waits again when the page goes", async () => {
    const log: string[] = [];
    const { nursery, done } = await startTree(["delta"], log);
    const { source, stop } = relay();
    cleanups.push(stop);
    expose();
    const updates: inspector.InspectorUpdate[] = [];
    const unsubscribe = source.subscribe((u) => updates.push(u));
    await until(() => source.connected && updates.some((u) => u.full?.tasks.some((t) => t.name === "delta") === true));
    let statusChanges = 0;
    cleanups.push(source.onStatus(() => statusChanges++));
    source.pageGone();
    expect(source.connected).toBe(false);
    expect(statusChanges).toBe(1);
    expect(updates.at(-1)!.full).toMatchObject({ runs: [], tasks: [] });
    unsubscribe();
    nursery.cancelScope.cancel();
    await done;
  });

  it("shifts the page's times onto the panel's clock", () => {
    const u = update({
      at: 100,
      full: { takenAt: 100, runs: [], tasks: [], nurseries: [], scopes: [], loops: [], futures: [] },
      events: [{ kind: "spawn", at: 90, runId: 1, id: 2, name: "x" }],
      batches: [{ runId: 1, start: 80, end: 85, steps: 3 }],
    });
    shiftTimes(u, 1000);
    expect([u.at, u.full!.takenAt, u.events[0]!.at, u.batches[0]!.start, u.batches[0]!.end]).toEqual([1100, 1100, 1090, 1080, 1085]);
  });

  it("answers nothing once disposed, and leaves no subscription", async () => {
    const { source, stop } = relay();
    cleanups.push(stop);
    const exposed = expose();
    await until(() => source.connected);
    const updates: inspector.InspectorUpdate[] = [];
    source.subscribe((u) => updates.push(u));
    await until(() => updates.length > 0 && inspector.subscriberCount() === 1);
    exposed.dispose();
    expect(inspector.subscriberCount()).toBe(0);
    const seen = updates.length;
    // A watch request after dispose: nobody answers.
    postToPage(wire<InspectWire>({ kind: "inspect", watch: true }));
    await new Promise((r) => setTimeout(r, 50));
    expect(inspector.subscriberCount()).toBe(0);
    expect(updates.length).toBe(seen);
    // Exposed again after dispose: allowed.
    expose();
  });

  it("ignores malformed and foreign requests", async () => {
    const log: string[] = [];
    const { nursery, done } = await startTree(["steady"], log);
    expose();
    for (const data of [
      { kind: "inspect", watch: true }, // no tag
      { trioWorker: 2, kind: "inspect", watch: true }, // another version
      { trioWorker: 1, kind: "inspectCancel", what: "nonsense", id: 1, reason: "x" },
      { trioWorker: 1, kind: "inspectCancel", what: "task", id: "1", reason: "x" },
      { trioWorker: 1, kind: "inspectStack", id: "1" },
      "text",
      null,
    ])
      postToPage(data);
    // Ours, but from another window (a frame): not answered.
    postToPage(wire<InspectWire>({ kind: "inspect", watch: true }), null);
    await new Promise((r) => setTimeout(r, 50));
    expect(inspector.subscriberCount()).toBe(0);
    expect(log).toEqual([]);
    nursery.cancelScope.cancel();
    await done;
  });

  it("refuses a second exposure and a bad interval, naming the fix", () => {
    expose();
    expect(() => exposeInspector()).toThrow(/already exposed.*dispose\(\)/);
    expect(() => exposeInspector({ refreshInterval: -1 })).toThrow(/refreshInterval.*ms ≥ 0/);
  });
});

/** A fake chrome.runtime.Port: records what is posted to it, and can be fed or dropped. */
class FakePort implements ChromePort {
  readonly posted: unknown[] = [];
  private readonly messageListeners: ((message: unknown, port: ChromePort) => void)[] = [];
  private readonly disconnectListeners: ((port: ChromePort) => void)[] = [];
  disconnected = false;
  readonly onMessage: ChromeEvent<(message: unknown, port: ChromePort) => void> = {
    addListener: (l) => void this.messageListeners.push(l),
    removeListener: () => {},
  };
  readonly onDisconnect: ChromeEvent<(port: ChromePort) => void> = {
    addListener: (l) => void this.disconnectListeners.push(l),
    removeListener: () => {},
  };
  constructor(
    readonly name: string,
    readonly sender?: { tab?: { id?: number }; frameId?: number },
  ) {}
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  disconnect(): void {
    this.disconnected = true;
  }
  /** The other side sends `message`. */
  feed(message: unknown): void {
    for (const l of this.messageListeners) l(message, this);
  }
  /** The other side went away. */
  drop(): void {
    for (const l of this.disconnectListeners) l(this);
  }
}

const watch = (on: boolean) => wire<InspectWire>({ kind: "inspect", watch: on, captureStacks: false });

describe("the service worker's Router", () => {
  it("routes a tab's panels and page to each other, and no other tab's", () => {
    const router = new Router();
    const page7 = new FakePort(PAGE_PORT_NAME, { tab: { id: 7 }, frameId: 0 });
    const page8 = new FakePort(PAGE_PORT_NAME, { tab: { id: 8 }, frameId: 0 });
    const panel7 = new FakePort(panelPortName(7));
    for (const p of [page7, page8, panel7]) router.connect(p);
    panel7.feed(watch(true));
    panel7.feed({ unrelated: true });
    expect(page7.posted).toEqual([watch(true)]);
    expect(page8.posted).toEqual([]);
    page7.feed('{"text":"from page 7"}');
    page8.feed('{"text":"from page 8"}');
    page7.feed({ notText: true }); // pages send JSON text only
    expect(panel7.posted).toEqual(['{"text":"from page 7"}']);
  });

  it("tells the page to stop only when the last watching panel stops or goes", () => {
    const router = new Router();
    const page = new FakePort(PAGE_PORT_NAME, { tab: { id: 3 }, frameId: 0 });
    const a = new FakePort(panelPortName(3));
    const b = new FakePort(panelPortName(3));
    for (const p of [page, a, b]) router.connect(p);
    a.feed(watch(true));
    b.feed(watch(true));
    a.feed(watch(false));
    expect(page.posted).toEqual([watch(true), watch(true)]);
    b.drop();
    expect(page.posted.at(-1)).toEqual(wire<InspectWire>({ kind: "inspect", watch: false }));
    a.drop();
    page.drop();
    expect(router.size).toBe(0);
  });

  it("tells the panels when their page goes, unless the next page's port has replaced it", () => {
    const router = new Router();
    const panel = new FakePort(panelPortName(5));
    const first = new FakePort(PAGE_PORT_NAME, { tab: { id: 5 }, frameId: 0 });
    const second = new FakePort(PAGE_PORT_NAME, { tab: { id: 5 }, frameId: 0 });
    router.connect(panel);
    router.connect(first);
    router.connect(second); // the reloaded page connected before the old port dropped
    first.drop();
    expect(panel.posted).toEqual([]);
    second.drop();
    expect(panel.posted).toEqual([PAGE_GONE]);
  });

  it("refuses a page port from a subframe or without a tab, and ignores unknown ports", () => {
    const router = new Router();
    const sub = new FakePort(PAGE_PORT_NAME, { tab: { id: 1 }, frameId: 4 });
    const noTab = new FakePort(PAGE_PORT_NAME, {});
    const other = new FakePort("someone-else");
    for (const p of [sub, noTab, other]) router.connect(p);
    expect([sub.disconnected, noTab.disconnected, other.disconnected]).toEqual([true, true, false]);
    expect(router.size).toBe(0);
  });
});

describe("the extension's small parts", () => {
  it("carries an update as JSON text spliced into the message, and puts back a sleep's Infinity", () => {
    const task: inspector.TaskRecord = {
      id: 4, runId: 1, name: "sleeper", status: "blocked", system: false, nurseryId: null, parentTaskId: null, scopeIds: [],
      waitingOn: { kind: "sleep", label: "sleep until Infinity", deadline: Infinity }, blockedSince: 0,
    };
    const sent = update({ at: 5, tasks: { upserted: [task], removed: [] } });
    const text = toPortText(wire<InspectorWire>({ kind: "inspector", updateJson: JSON.stringify(sent), timeOrigin: performance.timeOrigin }));
    expect(text).toContain(JSON.stringify(sent)); // spliced as it is, not encoded again
    const source = new PortSource(() => {});
    const got: inspector.InspectorUpdate[] = [];
    source.subscribe((u) => got.push(u));
    source.receive(fromPortText(text));
    expect(source.connected).toBe(true);
    expect(got[0]!.tasks.upserted[0]!.waitingOn).toEqual({ kind: "sleep", label: "sleep until Infinity", deadline: Infinity });
    expect(got[0]!.at).toBeCloseTo(5, 6); // same clock: no shift
    // Text that is not JSON, or not text, is nothing.
    expect(fromPortText("{not json")).toBeUndefined();
    expect(fromPortText({ already: "an object" })).toBeUndefined();
    source.receive(fromPortText(toPortText(wire<InspectorWire>({ kind: "inspector", updateJson: "{broken", timeOrigin: 0 }))));
    expect(got).toHaveLength(1);
  });

  it("reads tab ids from port names and query strings", () => {
    expect(tabIdOfPanelPort(panelPortName(42))).toBe(42);
    expect(tabIdOfPanelPort("trio-asyncio-panel:x")).toBeUndefined();
    expect(tabIdFromQuery("?tabId=12")).toBe(12);
    expect(tabIdFromQuery("?tabId=-1")).toBeUndefined();
    expect(tabIdFromQuery("")).toBeUndefined();
  });

  it("tells its messages apart by direction, and survives hostile values", () => {
    expect(isToPage(watch(true))).toBe(true);
    expect(isFromPage(watch(true))).toBe(false);
    expect(isFromPage(wire<ReadyWire>({ kind: "ready", operations: [] }))).toBe(true);
    const hostile = new Proxy({}, { get: () => { throw new Error("no"); }, has: () => { throw new Error("no"); } });
    expect(isToPage(hostile)).toBe(false);
    expect(isFromPage(Object.create(null))).toBe(false);
  });
});

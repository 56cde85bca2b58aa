/**
 * Tabs: the tabs of one browser meet over `openBroadcastChannel`, and a Web
 * Lock (`webLock`) elects one of them leader. Each member is one task: a
 * listener task keeps the member list and the shared counter from the
 * channel, while the main body waits for the lock; the tab that gets it
 * leads, counting and broadcasting ticks. When the leader leaves (its
 * component unmounts, or the tab closes) its task is cancelled, the lock is
 * released, and the next waiting tab takes over from the last count it
 * heard. Leaving removes the channel's listener and withdraws a pending
 * lock request: `navigator.locks.query()` shows nothing of a tab that left.
 */
import { useReducer, useRef, useState } from "preact/hooks";
import type { JSX } from "preact";
import { openNursery, sleep, type Operation } from "../../src/index.js";
import { useTask } from "../../src/preact/index.js";
import { openBroadcastChannel, webLock, type BroadcastReceiveChannel, type BroadcastSendChannel } from "../../src/web/index.js";
import { startDemo } from "../shared/page.js";

const CHANNEL = "trio-asyncio-tabs-demo";
const LOCK = "trio-asyncio-tabs-leader";
const TICK = 0.2;

type TabMessage =
  | { type: "hello"; from: string }
  | { type: "here"; from: string }
  | { type: "bye"; from: string }
  | { type: "tick"; from: string; count: number };

/** What a member's tasks report to the component. */
class TabModel {
  role: "waiting for the lock" | "leader" | "follower" = "waiting for the lock";
  leader = "";
  count = 0;
  peers: string[] = [];
  notes: string[] = [];
  constructor(
    readonly name: string,
    readonly changed: () => void,
  ) {}

  note(text: string): void {
    this.notes = [...this.notes.slice(-5), text];
    this.changed();
  }
  meet(peer: string): void {
    if (peer !== this.name && !this.peers.includes(peer)) this.peers = [...this.peers, peer].sort();
  }
  part(peer: string): void {
    this.peers = this.peers.filter((p) => p !== peer);
    if (this.leader === peer) this.leader = "";
  }
}

/** Keeps the member list and the count from the other tabs' messages. */
function* listen(send: BroadcastSendChannel<TabMessage>, receive: BroadcastReceiveChannel<TabMessage>, model: TabModel): Operation<void> {
  for (;;) {
    const message = yield* receive.receive();
    switch (message.type) {
      case "hello":
        model.meet(message.from);
        yield* send.send({ type: "here", from: model.name });
        break;
      case "here":
        model.meet(message.from);
        break;
      case "bye":
        model.part(message.from);
        model.note(`${message.from} left`);
        break;
      case "tick":
        model.meet(message.from);
        model.leader = message.from;
        model.count = message.count;
        if (model.role !== "leader") model.role = "follower";
        break;
    }
    model.changed();
  }
}

/** While this tab holds the lock: count on from the last count heard, and tell the others. */
function* lead(send: BroadcastSendChannel<TabMessage>, model: TabModel): Operation<never> {
  model.role = "leader";
  model.leader = model.name;
  model.note(`${model.name} got the lock at count ${model.count}`);
  for (;;) {
    model.count++;
    model.changed();
    yield* send.send({ type: "tick", from: model.name, count: model.count });
    yield* sleep(TICK);
  }
}

function* member(model: TabModel): Operation<void> {
  yield* openBroadcastChannel<TabMessage, void>(CHANNEL, function* (send, receive) {
    try {
      yield* openNursery(function* (nursery) {
        nursery.startSoon(listen, send, receive, model);
        yield* send.send({ type: "hello", from: model.name });
        yield* webLock(LOCK, () => lead(send, model));
      });
    } finally {
      // Not a checkpoint, so it goes out even while the task is being cancelled.
      send.sendNowait({ type: "bye", from: model.name });
      model.role = "waiting for the lock";
      model.leader = "";
      model.peers = [];
    }
  });
}

function Member(props: { name: string }): JSX.Element {
  const [, force] = useReducer((n: number) => n + 1, 0);
  const model = useRef<TabModel | null>(null);
  model.current ??= new TabModel(props.name, () => force(undefined));
  const m = model.current;
  useTask(() => member(m), [], { name: "member" });
  return (
    <div class="card">
      <table class="stats">
        <tbody>
          <tr><td>this tab</td><td class="n" data-testid="name">{m.name}</td></tr>
          <tr><td>role</td><td class="n" data-testid="role">{m.role}</td></tr>
          <tr><td>leader</td><td class="n" data-testid="leader">{m.leader || "-"}</td></tr>
          <tr><td>count</td><td class="n" data-testid="count">{m.count}</td></tr>
          <tr><td>other tabs</td><td class="n" data-testid="peers">{m.peers.join(", ") || "-"}</td></tr>
        </tbody>
      </table>
      <div class="log" data-testid="tabs-log">
        {m.notes.map((n, i) => (
          <div key={i}>{n}</div>
        ))}
      </div>
    </div>
  );
}

function TabsDemo(): JSX.Element {
  const params = new URLSearchParams(location.search);
  const [name] = useState(() => params.get("name") ?? `tab-${Math.random().toString(36).slice(2, 6)}`);
  const [joined, setJoined] = useState(true);
  return (
    <>
      <div class="row">
        <button class="primary" onClick={() => setJoined((x) => !x)}>
          {joined ? "Leave" : "Join"}
        </button>
        <span class="muted">open this page in another tab of the same browser to see them meet</span>
      </div>
      {joined ? (
        <Member name={name} />
      ) : (
        <p class="card" data-testid="tabs-left">
          {name} left: its task was cancelled, its lock released or its request withdrawn, its channel closed.
        </p>
      )}
    </>
  );
}

startDemo({
  id: "tabs",
  App: TabsDemo,
  intro: (
    <p>
      Each tab joins <code>openBroadcastChannel("{CHANNEL}")</code> and waits in{" "}
      <code>webLock("{LOCK}", lead)</code>. The tab holding the lock leads: it counts and broadcasts ticks; the others
      follow. Leave (or close the tab) and its task is cancelled: the lock passes to the next tab, which counts on.
    </p>
  ),
});

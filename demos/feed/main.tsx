/**
 * Live feed: Server-Sent Events read with `fetchOp` and parsed by
 * `receiveServerSentEvents` over the body as a Trio `ReceiveStream` (not
 * EventSource, which can neither push back nor be cancelled by a scope),
 * handed from a producer task to a consumer task through a memory channel
 * with a small buffer. When the consumer is slow the buffer fills, the
 * producer blocks in `send`, stops reading, and the stream stops flowing:
 * backpressure. When the server drops the connection the producer
 * reconnects from the last event id. Unmounting cancels the task: the
 * fetch is aborted, the body closed, the connection closes, nothing is left.
 */
import { useReducer, useRef, useState } from "preact/hooks";
import type { JSX } from "preact";
import { isCancelled, openMemoryChannel, openNursery, sleep, type MemoryReceiveChannel, type MemorySendChannel, type Operation } from "../../src/index.js";
import { useTask } from "../../src/preact/index.js";
import { fetchOp, receiveServerSentEvents, receiveStreamFromReadable } from "../../src/web/index.js";
import { HttpError } from "../shared/http.js";
import { startDemo } from "../shared/page.js";

interface FeedEvent {
  id: number;
  value: number;
}

const BUFFER = 8;

/** What the feed's tasks report to the component. */
class FeedModel {
  slow = false;
  state = "connecting";
  connections = 0;
  received = 0;
  lastId = 0;
  gaps = 0;
  duplicates = 0;
  values: number[] = [];
  producerWaiting = false;
  timesBlocked = 0;
  notes: string[] = [];
  channel: MemorySendChannel<FeedEvent> | null = null;
  constructor(readonly changed: () => void) {}

  note(text: string): void {
    this.notes = [...this.notes.slice(-5), text];
    this.changed();
  }
  add(event: FeedEvent): void {
    if (event.id <= this.lastId) this.duplicates++;
    else if (event.id !== this.lastId + 1) this.gaps += event.id - this.lastId - 1;
    this.lastId = Math.max(this.lastId, event.id);
    this.received++;
    this.values = [...this.values.slice(-39), event.value];
    this.changed();
  }
  get buffer(): string {
    const s = this.channel?.statistics();
    return s === undefined ? "-" : `${s.currentBufferUsed}/${s.maxBufferSize}`;
  }
}

/**
 * Opens the event stream and hands each `tick` event to `onEvent`, reading
 * on only when `onEvent` returns (so a blocked consumer stops the stream).
 * The request is bound to the task's scope (`fetchOp`): cancelling aborts
 * it, and the body is closed however this ends, which closes the connection.
 */
function* readEvents(url: string, onConnected: () => void, onEvent: (event: FeedEvent) => Operation<void>): Operation<void> {
  const response = yield* fetchOp(url, { headers: { accept: "text/event-stream" } });
  if (!response.ok || response.body === null) {
    response.body?.cancel().catch(() => undefined);
    throw new HttpError(response.status, url);
  }
  const body = receiveStreamFromReadable(response.body);
  try {
    onConnected();
    yield* receiveServerSentEvents(body).forEach(function* (event) {
      if (event.event === "tick") yield* onEvent(JSON.parse(event.data) as FeedEvent);
    });
  } finally {
    body.close();
  }
}

function* produce(send: MemorySendChannel<FeedEvent>, model: FeedModel, dropAfter: number, interval: number): Operation<void> {
  let lastId = 0;
  let failures = 0;
  try {
    for (;;) {
      model.state = model.connections === 0 ? "connecting" : "reconnecting";
      model.changed();
      try {
        const url = `/api/feed?lastEventId=${lastId}&dropAfter=${dropAfter}&interval=${interval}`;
        const connected = () => {
          model.connections++;
          model.state = "connected";
          failures = 0;
          model.note(`connection ${model.connections}: resuming after event ${lastId}`);
        };
        yield* readEvents(url, connected, function* (event) {
          const full = send.statistics().currentBufferUsed >= BUFFER;
          if (full) {
            model.producerWaiting = true;
            model.timesBlocked++;
            model.changed();
          }
          yield* send.send(event);
          lastId = event.id;
          if (full) {
            model.producerWaiting = false;
            model.changed();
          }
        });
        model.note("the server ended the stream");
      } catch (error) {
        if (isCancelled(error)) throw error;
        model.note(`connection lost: ${error instanceof Error ? error.message : String(error)}`);
      }
      failures++;
      const delay = Math.min(2, 0.25 * 2 ** (failures - 1));
      model.state = `reconnecting in ${delay} s`;
      model.changed();
      yield* sleep(delay);
    }
  } finally {
    send.close();
  }
}

function* consume(receive: MemoryReceiveChannel<FeedEvent>, model: FeedModel): Operation<void> {
  for (;;) {
    const next = yield* receive.receiveOrEnd();
    if (next.done) return;
    model.add(next.value);
    if (model.slow) yield* sleep(0.4);
  }
}

function* liveFeed(model: FeedModel, dropAfter: number, interval: number): Operation<void> {
  const [send, receive] = openMemoryChannel<FeedEvent>(BUFFER);
  model.channel = send;
  try {
    yield* openNursery(function* (n) {
      n.startSoon(produce, send, model, dropAfter, interval);
      n.startSoon(consume, receive, model);
    });
  } finally {
    receive.close();
  }
}

function Feed(props: { slow: boolean; dropAfter: number; interval: number }): JSX.Element {
  const [, force] = useReducer((n: number) => n + 1, 0);
  const model = useRef<FeedModel | null>(null);
  model.current ??= new FeedModel(() => force(undefined));
  const m = model.current;
  m.slow = props.slow;
  useTask(() => liveFeed(m, props.dropAfter, props.interval), [props.dropAfter, props.interval], { name: "liveFeed" });
  const max = Math.max(100, ...m.values);
  return (
    <div class="card">
      <p class="row">
        <span class="status" data-testid="feed-state">
          {m.state}
        </span>
        <span class="muted" data-testid="connections">
          connections: {m.connections}
        </span>
      </p>
      <div class="spark" aria-hidden="true">
        {m.values.map((v, i) => (
          <div key={i} style={{ height: `${(60 * v) / max}px` }} />
        ))}
      </div>
      <table class="stats">
        <tbody>
          <tr><td>events received</td><td class="n" data-testid="received">{m.received}</td></tr>
          <tr><td>last event id</td><td class="n" data-testid="last-id">{m.lastId}</td></tr>
          <tr><td>gaps / duplicates</td><td class="n" data-testid="gaps">{m.gaps} / {m.duplicates}</td></tr>
          <tr><td>channel buffer</td><td class="n" data-testid="buffer">{m.buffer}</td></tr>
          <tr>
            <td>producer</td>
            <td class="n" data-testid="producer">{m.producerWaiting ? "waiting (buffer full)" : "reading"}</td>
          </tr>
          <tr><td>times the producer had to wait</td><td class="n" data-testid="blocked">{m.timesBlocked}</td></tr>
        </tbody>
      </table>
      <div class="log" data-testid="feed-log">
        {m.notes.map((n, i) => (
          <div key={i}>{n}</div>
        ))}
      </div>
    </div>
  );
}

function FeedDemo(): JSX.Element {
  const params = new URLSearchParams(location.search);
  const dropAfter = Number(params.get("dropAfter") ?? 12);
  const interval = Number(params.get("interval") ?? 150);
  const [mounted, setMounted] = useState(true);
  const [slow, setSlow] = useState(params.get("slow") === "1");
  return (
    <>
      <div class="row">
        <button class="primary" onClick={() => setMounted((x) => !x)}>
          {mounted ? "Unmount the feed" : "Mount the feed"}
        </button>
        <label>
          <input type="checkbox" checked={slow} onChange={(e) => setSlow(e.currentTarget.checked)} />
          slow consumer (0.4 s per event)
        </label>
        <span class="muted">
          server drops the connection every {dropAfter} events, one every {interval} ms
        </span>
      </div>
      {mounted ? (
        <Feed slow={slow} dropAfter={dropAfter} interval={interval} />
      ) : (
        <p class="card" data-testid="feed-unmounted">
          The feed is unmounted: its task was cancelled and the connection closed.
        </p>
      )}
    </>
  );
}

startDemo({
  id: "feed",
  App: FeedDemo,
  intro: (
    <p>
      A producer task reads <code>/api/feed</code> with <code>fetchOp</code>, parses its body with{" "}
      <code>receiveServerSentEvents(receiveStreamFromReadable(body))</code> and sends each event into{" "}
      <code>openMemoryChannel(8)</code>; a consumer task renders them. Tick “slow consumer”: the buffer fills, the producer
      waits in <code>send</code> and stops reading, so the stream stops flowing (backpressure, and no event is lost). The
      server drops the connection now and then; the producer reconnects from the last event id. Unmount the feed and its{" "}
      <code>useTask</code> scope is cancelled: the fetch is aborted, the body closed and the connection closes.
    </p>
  ),
});

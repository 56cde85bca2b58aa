/**
 * WebSocket chat with presence: `openReconnectingWebSocket` to the dev
 * server's `/api/ws/chat`. Inside each connection a receiver renders chat
 * lines and the member list, and a sender task takes what you type from a
 * memory channel (so a slow socket pushes back on the sender, never on the
 * input). When the server drops the connection both tasks end, the
 * socket's block closes it, and the helper reconnects after a backoff with
 * jitter. Leaving the room unmounts the component: its `useTask` scope is
 * cancelled and the socket is closed (the server sees code 1000,
 * "cancelled").
 */
import { useReducer, useRef, useState } from "preact/hooks";
import type { JSX } from "preact";
import { openMemoryChannel, openNursery, type MemoryReceiveChannel, type MemorySendChannel, type Operation } from "../../src/index.js";
import { useTask } from "../../src/preact/index.js";
import { WebSocketClosedError, openReconnectingWebSocket, type WebSocketConnection, type WebSocketRetry } from "../../src/web/index.js";
import { startDemo } from "../shared/page.js";

type ServerMessage = { type: "chat"; from: string; text: string } | { type: "presence"; users: string[] };

/** A ws:// URL for a path on this page's server. */
function socketUrl(path: string): string {
  const url = new URL(path, location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

/** What the chat's tasks report to the component. */
class ChatModel {
  state = "connecting";
  connections = 0;
  users: string[] = [];
  lines: Array<{ from: string; text: string }> = [];
  notes: string[] = [];
  socket: WebSocketConnection | null = null;
  constructor(readonly changed: () => void) {}

  note(text: string): void {
    this.notes = [...this.notes.slice(-5), text];
    this.changed();
  }
  connected(connection: number, socket: WebSocketConnection): void {
    this.connections = connection;
    this.socket = socket;
    this.state = "connected";
    this.note(`connection ${connection} open`);
  }
  retry(r: WebSocketRetry): void {
    this.socket = null;
    this.state = `reconnecting in ${r.delay.toFixed(2)} s`;
    const why = r.error instanceof WebSocketClosedError ? `code ${r.error.code}, wasClean ${r.error.wasClean}` : r.error.message;
    this.note(`connection lost (${why}); failure ${r.failures} in a row`);
  }
  received(message: ServerMessage): void {
    if (message.type === "presence") this.users = message.users;
    else this.lines = [...this.lines.slice(-19), { from: message.from, text: message.text }];
    this.changed();
  }
}

function* sendOutbox(ws: WebSocketConnection, outbox: MemoryReceiveChannel<string>): Operation<void> {
  yield* outbox.forEach(function* (text) {
    yield* ws.send(JSON.stringify({ text }));
  });
}

function* chatSession(name: string, model: ChatModel, outbox: MemoryReceiveChannel<string>): Operation<void> {
  yield* openReconnectingWebSocket(
    socketUrl(`/api/ws/chat?name=${encodeURIComponent(name)}`),
    { initialDelay: 0.2, maxDelay: 2, onRetry: (r) => model.retry(r) },
    function* (ws, attempt) {
      model.connected(attempt.connection, ws);
      yield* openNursery(function* (n) {
        n.startSoon(sendOutbox, ws, outbox);
        for (;;) model.received(JSON.parse((yield* ws.receive()) as string) as ServerMessage);
      });
    },
  );
}

function Room(props: { name: string }): JSX.Element {
  const [, force] = useReducer((n: number) => n + 1, 0);
  const model = useRef<ChatModel | null>(null);
  model.current ??= new ChatModel(() => force(undefined));
  const m = model.current;
  const channel = useRef<[MemorySendChannel<string>, MemoryReceiveChannel<string>] | null>(null);
  channel.current ??= openMemoryChannel<string>(16);
  const [send, receive] = channel.current;
  const [draft, setDraft] = useState("");
  useTask(() => chatSession(props.name, m, receive), [props.name], { name: "chatSession" });
  const submit = (e: Event) => {
    e.preventDefault();
    if (draft.trim() === "") return;
    try {
      send.sendNowait(draft);
      setDraft("");
    } catch {
      m.note("outbox full: the socket is not keeping up");
    }
  };
  const s = m.socket?.statistics();
  return (
    <div class="card">
      <p class="row">
        <span class="status" data-testid="chat-state">
          {m.state}
        </span>
        <span class="muted" data-testid="connections">
          connections: {m.connections}
        </span>
        <span class="muted" data-testid="socket-stats">
          {s === undefined ? "" : `received ${s.received}, sent ${s.sent}, bufferedAmount ${s.bufferedAmount}`}
        </span>
      </p>
      <p class="row">
        online: <span data-testid="users">{m.users.join(", ")}</span>
      </p>
      <div class="log" data-testid="chat-lines">
        {m.lines.map((l, i) => (
          <div key={i}>
            {l.from}: {l.text}
          </div>
        ))}
      </div>
      <form class="row" onSubmit={submit}>
        <input aria-label="message" value={draft} onInput={(e) => setDraft(e.currentTarget.value)} placeholder="say something" />
        <button type="submit">Send</button>
      </form>
      <div class="log" data-testid="chat-log">
        {m.notes.map((n, i) => (
          <div key={i}>{n}</div>
        ))}
      </div>
    </div>
  );
}

function ChatDemo(): JSX.Element {
  const params = new URLSearchParams(location.search);
  const name = params.get("name") ?? `guest-${Math.floor(Math.random() * 1000)}`;
  const [joined, setJoined] = useState(true);
  const drop = () => void fetch("/api/ws/drop").catch(() => undefined);
  return (
    <>
      <div class="row">
        <button class="primary" onClick={() => setJoined((x) => !x)}>
          {joined ? "Leave the room" : "Join the room"}
        </button>
        <button onClick={drop}>Drop every connection (server side)</button>
        <span class="muted">you are {name}; open this page in a second tab to chat</span>
      </div>
      {joined ? (
        <Room name={name} />
      ) : (
        <p class="card" data-testid="chat-left">
          You left: the session's task was cancelled and its WebSocket closed.
        </p>
      )}
    </>
  );
}

startDemo({
  id: "chat",
  App: ChatDemo,
  intro: (
    <p>
      <code>openReconnectingWebSocket</code> to <code>/api/ws/chat</code>. Each connection runs a receiver (chat lines and
      who is online) and a sender fed by a memory channel. “Drop every connection” cuts the sockets on the server: the
      receiver gets <code>WebSocketClosedError</code> (code 1006), the connection's block closes, and the helper
      reconnects after a backoff with jitter. Leave the room and its <code>useTask</code> scope is cancelled: the socket
      closes with code 1000 and no listener is left.
    </p>
  ),
});

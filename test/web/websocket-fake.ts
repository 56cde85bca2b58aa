// A WebSocket test double for Node 20, which has no global WebSocket. It follows the browser's
// state machine (CONNECTING → OPEN → CLOSING → CLOSED; send is dropped once closing; close()
// while connecting fails the connection with 1006) and lets the test play the server: accept,
// refuse, deliver messages, close. It counts live listeners, so tests can check none is left.

import { ListenerCount } from "./listener-count.js";

/** The server side of the fake sockets one test makes. */
export class FakeServer {
  readonly sockets: FakeWebSocket[] = [];
  /** Called for each new socket (in a microtask after the constructor returns: the handshake is never synchronous; a microtask, so a MockClock's autojump cannot pass it); default: accept. */
  onConnect: (socket: FakeWebSocket) => void = (socket) => socket.accept();
  /** Whether a close() by the client gets its close event (the server's answer) on its own. */
  answerCloses = true;

  /** The WebSocket class to inject: `openWebSocket(url, { WebSocket: server.WebSocket }, ...)`. */
  readonly WebSocket = makeClass(this);

  /** The latest socket. */
  get last(): FakeWebSocket {
    const s = this.sockets.at(-1);
    if (s === undefined) throw new Error("no socket was made");
    return s;
  }

  /** Listeners still on any socket made. */
  get liveListeners(): number {
    return this.sockets.reduce((n, s) => n + s.live, 0);
  }
}

function makeClass(server: FakeServer) {
  return class extends FakeWebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      server.sockets.push(this);
      this.answerCloses = () => server.answerCloses;
      queueMicrotask(() => {
        if (this.readyState === FakeWebSocket.CONNECTING) server.onConnect(this);
      });
    }
  };
}

export class FakeWebSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;

  readyState = 0;
  bufferedAmount = 0;
  protocol = "";
  extensions = "";
  binaryType = "blob";
  private readonly count = new ListenerCount();
  /** Listeners on it now (counted as EventTarget keeps them). */
  get live(): number {
    return this.count.live;
  }
  readonly sent: Array<string | Uint8Array> = [];
  readonly closeCalls: Array<{ code: number | undefined; reason: string | undefined; state: number }> = [];
  answerCloses: () => boolean = () => true;

  constructor(
    readonly url: string,
    readonly protocols?: string | string[],
  ) {
    super();
  }

  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: AddEventListenerOptions | boolean): void {
    this.count.add(type, listener, options);
    super.addEventListener(type, listener, options);
  }

  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: EventListenerOptions | boolean): void {
    this.count.remove(type, listener, options);
    super.removeEventListener(type, listener, options);
  }

  send(data: string | ArrayBuffer | ArrayBufferView): void {
    if (this.readyState === FakeWebSocket.CONNECTING) throw new DOMException("Still in CONNECTING state.", "InvalidStateError");
    if (this.readyState !== FakeWebSocket.OPEN) return;
    this.sent.push(typeof data === "string" ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice() : new Uint8Array(data).slice());
  }

  close(code?: number, reason?: string): void {
    this.closeCalls.push({ code, reason, state: this.readyState });
    if (this.readyState >= FakeWebSocket.CLOSING) return;
    const connecting = this.readyState === FakeWebSocket.CONNECTING;
    this.readyState = FakeWebSocket.CLOSING;
    if (!this.answerCloses()) return;
    queueMicrotask(() => {
      if (connecting) this.finishClose(1006, "", false, true);
      else this.finishClose(code ?? 1005, reason ?? "", true);
    });
  }

  // The server's side.

  /** The handshake succeeds. */
  accept(protocol = ""): void {
    this.protocol = protocol;
    this.readyState = FakeWebSocket.OPEN;
    this.dispatchEvent(new Event("open"));
  }

  /** The handshake fails (refused, no server): an error event, then close 1006. */
  refuse(): void {
    this.finishClose(1006, "", false, true);
  }

  /** A message from the server. */
  deliver(data: string | Uint8Array): void {
    const payload = typeof data === "string" ? data : data.slice().buffer;
    this.dispatchEvent(new MessageEvent("message", { data: payload }));
  }

  /** The server closes (or the connection drops: wasClean false, code 1006, with an error event first). */
  serverClose(code: number, reason = "", wasClean = true): void {
    this.finishClose(code, reason, wasClean, !wasClean);
  }

  /** The close event (a client close's answer, or the server's). */
  finishClose(code: number, reason: string, wasClean: boolean, withError = false): void {
    if (this.readyState === FakeWebSocket.CLOSED) return;
    this.readyState = FakeWebSocket.CLOSED;
    if (withError) this.dispatchEvent(new Event("error"));
    this.dispatchEvent(Object.assign(new Event("close"), { code, reason, wasClean }));
  }
}

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, vi } from "vitest";
import { currentRun, runWith, type Operation, type Runner } from "../../src/index.js";
import { MockClock } from "../../src/testing/index.js";
import type { WebLockInfo } from "../../src/web/index.js";
import { leftovers } from "../../src/core/runner.js";
import { ListenerCount } from "./listener-count.js";

/** Runs `main` on an autojumping MockClock and checks that no task or timer is left over. */
export async function runMock<T>(main: () => Operation<T>): Promise<T> {
  let runner: Runner | null = null;
  const result = await runWith({ clock: new MockClock({ autojumpThreshold: 0 }) }, function* () {
    runner = currentRun();
    return yield* main();
  });
  expect(leftovers(runner!)).toEqual({ tasks: 0, deadlines: 0, hostTimer: false, idleTimer: false, idleWaiters: 0 });
  return result;
}

/** An EventTarget that counts its live listeners and records the options they were added with. */
export class CountingTarget extends EventTarget {
  private readonly count = new ListenerCount();
  added: Array<{ type: string; options: unknown }> = [];
  /** Listeners on it now. */
  get live(): number {
    return this.count.live;
  }
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: AddEventListenerOptions | boolean): void {
    this.count.add(type, listener, options);
    this.added.push({ type, options });
    super.addEventListener(type, listener, options);
  }
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: EventListenerOptions | boolean): void {
    this.count.remove(type, listener, options);
    super.removeEventListener(type, listener, options);
  }
  /** Dispatches an event of `type` carrying `n`. */
  fire(type: string, n = 0): void {
    this.dispatchEvent(Object.assign(new Event(type), { n }));
  }
}

export type Numbered = Event & { n: number };

/** UTF-8 bytes of `s`. */
export const bytes = (s: string) => new TextEncoder().encode(s);
/** `b` decoded as UTF-8. */
export const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Runs `op`, expects it to raise a `type`, and returns the error. */
export function* raises(op: Operation<unknown>, type: new (...args: any[]) => Error): Operation<Error> {
  try {
    yield* op;
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as Error;
  }
  throw new Error(`expected ${type.name}`);
}

export type Mode = "exclusive" | "shared";
interface Request {
  name: string;
  mode: Mode;
  callback: (lock: WebLockInfo | null) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * A stand-in for navigator.locks (Node has none) that queues requests as the Web Locks
 * standard does: FIFO per name, shared holders together, an aborted request leaving the
 * queue, ifAvailable answering null.
 */
export class FakeLockManager {
  readonly held = new Map<string, { mode: Mode; count: number }>();
  readonly queue: Request[] = [];
  aborted = 0;

  request(name: string, options: { mode: Mode; signal?: AbortSignal; ifAvailable?: boolean }, callback: Request["callback"]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const req: Request = { name, mode: options.mode, callback, resolve, reject };
      const signal = options.signal;
      if (signal?.aborted) return reject(new DOMException("aborted", "AbortError"));
      if (options.ifAvailable && !(this.grantable(req) && !this.queue.some((q) => q.name === name))) {
        Promise.resolve(callback(null)).then(resolve, reject);
        return;
      }
      signal?.addEventListener("abort", () => {
        const i = this.queue.indexOf(req);
        if (i === -1) return; // already granted: aborting does nothing
        this.queue.splice(i, 1);
        this.aborted++;
        reject(new DOMException("aborted", "AbortError"));
      }, { once: true });
      this.queue.push(req);
      this.pump();
    });
  }

  private grantable(req: Request): boolean {
    const h = this.held.get(req.name);
    return h === undefined || (h.mode === "shared" && req.mode === "shared");
  }

  private pump(): void {
    for (let i = 0; i < this.queue.length; ) {
      const req = this.queue[i]!;
      if (this.queue.slice(0, i).some((q) => q.name === req.name) || !this.grantable(req)) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      const h = this.held.get(req.name);
      if (h) h.count++;
      else this.held.set(req.name, { mode: req.mode, count: 1 });
      const done = (ok: boolean, v: unknown) => {
        const now = this.held.get(req.name)!;
        if (--now.count === 0) this.held.delete(req.name);
        (ok ? req.resolve : req.reject)(v);
        this.pump();
      };
      Promise.resolve()
        .then(() => req.callback({ name: req.name, mode: req.mode }))
        .then((v) => done(true, v), (e) => done(false, e));
    }
  }
}

/** Installs a FakeLockManager as navigator.locks for this test (undo with vi.unstubAllGlobals). */
export function installLocks(): FakeLockManager {
  const locks = new FakeLockManager();
  vi.stubGlobal("navigator", { locks });
  return locks;
}


/** A host of callbacks by id, fired by hand: rAF and rIC stand-ins. */
export function fakeCallbacks<A>() {
  const pending = new Map<number, (arg: A) => void>();
  const requests: unknown[] = [];
  let next = 1;
  return {
    pending,
    requests,
    request: (cb: (arg: A) => void, options?: unknown) => {
      requests.push(options);
      pending.set(next, cb);
      return next++;
    },
    cancel: vi.fn((id: number) => void pending.delete(id)),
    fireAll(arg: A) {
      const cbs = [...pending.values()];
      pending.clear();
      for (const cb of cbs) cb(arg);
    },
  };
}


/**
 * A real HTTP server on 127.0.0.1 for the file's tests (started before them, its connections
 * cut and closed after them); `url` is its base address once started.
 */
export function httpServer(routes: (req: IncomingMessage, res: ServerResponse) => void): { readonly url: string } {
  const server = createServer(routes);
  let url = "";
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return {
    get url() {
      return url;
    },
  };
}

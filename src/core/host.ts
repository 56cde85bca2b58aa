/**
 * How the scheduler asks the host to call it back.
 *
 * "Soon" after idle is a microtask: the first batch starts as fast as an
 * `await` would. "Later", when a batch has used up its time slice, must be a
 * macrotask, so the browser can paint and handle input in between. In
 * browsers that is `scheduler.postTask` where present, else a `MessageChannel`
 * message; in Node it is `setImmediate`, because Node drains up to a thousand
 * port messages per wakeup and a MessageChannel loop starves due timers there.
 * `setTimeout(0)` is the last resort only: browsers clamp it to 4 ms.
 */

type Callback = () => void;

interface HostGlobals {
  setImmediate?: ((cb: Callback) => unknown) | undefined;
  MessageChannel?: new () => {
    port1: { onmessage: ((ev: unknown) => void) | null; close?(): void };
    port2: { postMessage(msg: unknown): void; close?(): void };
  };
  scheduler?: { postTask?: (cb: Callback, options?: { priority?: string }) => Promise<unknown> } | undefined;
  process?: { versions?: { node?: string } } | undefined;
}

/** Which host facility continues a batch after its time slice. */
export type MacrotaskKind = "setImmediate" | "postTask" | "MessageChannel" | "setTimeout";

/** A function that runs a callback on a fresh host task. */
export interface Macrotask {
  readonly kind: MacrotaskKind;
  (cb: Callback): void;
}

function viaMessageChannel(Channel: NonNullable<HostGlobals["MessageChannel"]>): Macrotask {
  // One channel for the page, with a FIFO of callbacks: a message carries no closure.
  const channel = new Channel();
  const pending: Callback[] = [];
  let head = 0;
  channel.port1.onmessage = () => {
    const cb = pending[head];
    pending[head++] = undefined as unknown as Callback;
    if (head === pending.length) {
      pending.length = 0;
      head = 0;
    }
    cb?.();
  };
  return tagged("MessageChannel", (cb) => {
    pending.push(cb);
    channel.port2.postMessage(null);
  });
}

function tagged(kind: MacrotaskKind, fn: (cb: Callback) => void): Macrotask {
  const m = fn as Macrotask;
  Object.defineProperty(m, "kind", { value: kind });
  return m;
}

/**
 * Picks the best macrotask facility of the given host. Exposed so tests can
 * check the fallbacks; `onFallback` hears when only `setTimeout` is left.
 */
export function chooseMacrotask(host: HostGlobals, onFallback?: (message: string) => void): Macrotask {
  if (host === null || typeof host !== "object") {
    throw new TypeError("chooseMacrotask(host) needs an object of host globals (such as globalThis).");
  }
  const isNode = host.process?.versions?.node !== undefined;
  // In Node, setImmediate comes first; elsewhere, only after postTask and MessageChannel.
  if (!isNode || typeof host.setImmediate !== "function") {
    const postTask = host.scheduler?.postTask;
    if (typeof postTask === "function") {
      const scheduler = host.scheduler!;
      return tagged("postTask", (cb) => void postTask.call(scheduler, cb, { priority: "user-visible" }));
    }
    if (typeof host.MessageChannel === "function") {
      try {
        return viaMessageChannel(host.MessageChannel);
      } catch {
        // fall through: some sandboxes define MessageChannel but refuse to construct it
      }
    }
  }
  if (typeof host.setImmediate === "function") {
    const setImmediate = host.setImmediate;
    return tagged("setImmediate", (cb) => void setImmediate(cb));
  }
  onFallback?.(
    "trio-asyncio: neither MessageChannel nor setImmediate is available; long batches " +
      "continue on setTimeout(0), which browsers clamp to 4 ms.",
  );
  return tagged("setTimeout", (cb) => void setTimeout(cb, 0));
}

/**
 * Queues `cb` as a microtask, for the scheduler's "soon": a resolved
 * Promise's `then`, in every host. `queueMicrotask` is the slower way in
 * both hosts we measured: Node wraps each callback in an async_hooks
 * resource (160–190 ns a hop against 50 ns), and Chromium 156's goes
 * through its bindings (800 ns against 33 ns). Both keep FIFO order with
 * other microtasks. `cb` must not throw: through `then` a throw would become
 * an unhandled rejection instead of an uncaught error (the scheduler's batch
 * catches everything itself).
 */
export const queueSoon: (cb: Callback) => void = viaResolvedPromise();

function viaResolvedPromise(): (cb: Callback) => void {
  const resolved = Promise.resolve();
  return (cb) => void resolved.then(cb);
}

let macrotask: Macrotask | undefined;

const globals = globalThis as HostGlobals;
// setImmediate as the host had it when this module loaded (if it still has
// one): a test's fake timers (vi.useFakeTimers) installed before the first
// use must not become the scheduler's for good, or every later batch hangs
// once they are gone.
const loadedSetImmediate = globals.setImmediate;

/** The host's macrotask facility, chosen once on first use. */
export function hostMacrotask(): Macrotask {
  return (macrotask ??= chooseMacrotask({ process: globals.process, scheduler: globals.scheduler, MessageChannel: globals.MessageChannel, setImmediate: globals.setImmediate && loadedSetImmediate }, (m) => console.warn(m)));
}

/** Overrides the macrotask facility (for tests of the fallbacks); returns the previous one. */
export function setHostMacrotask(next: Macrotask | undefined): Macrotask | undefined {
  const prev = macrotask;
  macrotask = next;
  return prev;
}

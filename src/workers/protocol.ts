/**
 * The worker protocol: the messages a page and a worker built with this
 * runtime exchange, and how errors cross between them.
 *
 * Why it is built so: every message is a plain object that survives the
 * structured clone of `postMessage`, tagged with the protocol version under
 * one key (`trioWorker`), so a page can tell our messages from anything else
 * a worker posts and can refuse a worker built with another version at
 * startup instead of misreading it later. Errors do not rely on the host's
 * own cloning of Error objects: it drops custom names (a `TooSlowError`
 * would arrive as an `Error`), the `errors` of an AggregateError, and
 * `cause` on older hosts. They are turned into plain records and rebuilt.
 *
 * Flow (see docs/workers.md for the picture):
 *   worker → page  ready      once, when defineWorker() is listening
 *   page → worker  call       run operation `op` with `args` as call `id`
 *   page → worker  cancel     cancel call `id` (its task's finally runs)
 *   worker → page  result     call `id` returned `value`
 *   worker → page  error      call `id` raised `error`
 *   worker → page  cancelled  call `id` ended with Cancelled after a cancel
 *   worker → page  fatal      the worker's run itself failed (a bug)
 *   page → worker  inspect    start (watch: true) or stop sending inspector updates
 *   worker → page  inspector  the worker's inspector update (its ids, its clock)
 *   page → worker  inspectCancel  cancel the worker's scope/task `id` from a tool
 *   page → worker  hello      the page listens now: a serving worker answers `ready` again
 *                             (its first `ready` is lost if it came before the page listened)
 * Channels across a MessagePort (port-channel.ts) use their own port, with
 * the same tag: `credit`, `close` (receiver → sender), `item`, `end`,
 * `abort` (sender → receiver). A peer ignores kinds it does not know, so
 * the inspector messages did not need a new version.
 */
import { Cancelled, ExceptionGroup, describe, describeError, isError, isInstance, readProperty, withoutCancelled } from "../core/errors.js";
import type { CancelKind } from "../inspect/control.js";
import type { InspectorUpdate } from "../inspect/subscribe.js";
import {
  BrokenResourceError,
  BusyResourceError,
  ClosedResourceError,
  EndOfChannel,
  RunFinishedError,
  TooSlowError,
  TrioInternalError,
  WouldBlock,
} from "../core/errors.js";

/** The protocol version; a page refuses a worker that speaks another one. */
export const PROTOCOL_VERSION = 1;

/** The key that marks a message as ours; its value is the protocol version. */
export const PROTOCOL_TAG = "trioWorker";

interface Tagged {
  readonly [PROTOCOL_TAG]: number;
}

/** worker → page: defineWorker() is listening; these are its operations. */
export interface ReadyMessage extends Tagged {
  readonly kind: "ready";
  readonly operations: readonly string[];
}
/** page → worker: run `op(...args)` as call `id`. */
export interface CallMessage extends Tagged {
  readonly kind: "call";
  readonly id: number;
  readonly op: string;
  readonly args: readonly unknown[];
}
/** page → worker: cancel call `id`. */
export interface CancelMessage extends Tagged {
  readonly kind: "cancel";
  readonly id: number;
  readonly reason: string | undefined;
}
/** worker → page: call `id` returned `value`. */
export interface ResultMessage extends Tagged {
  readonly kind: "result";
  readonly id: number;
  readonly value: unknown;
}
/** worker → page: call `id` raised `error`. */
export interface ErrorMessage extends Tagged {
  readonly kind: "error";
  readonly id: number;
  readonly error: SerializedThrown;
}
/** worker → page: call `id` ended with Cancelled (its finally blocks have run). */
export interface CancelledMessage extends Tagged {
  readonly kind: "cancelled";
  readonly id: number;
}
/** worker → page: the worker's own run failed; no call will be answered. */
export interface FatalMessage extends Tagged {
  readonly kind: "fatal";
  readonly error: SerializedThrown;
}

/** page → worker: send inspector updates (while the page's inspector has subscribers), or stop. */
export interface InspectMessage extends Tagged {
  readonly kind: "inspect";
  readonly watch: boolean;
}
/** page → worker: a tool cancels the worker's scope, task or asyncio Task `id` (the worker's own id). */
export interface InspectCancelMessage extends Tagged {
  readonly kind: "inspectCancel";
  readonly what: CancelKind;
  readonly id: number;
  readonly reason: string;
}
/** worker → page: one update of the worker's inspector; its times are on the worker's `timeOrigin`. */
export interface InspectorMessage extends Tagged {
  readonly kind: "inspector";
  readonly update: InspectorUpdate;
  readonly timeOrigin: number;
}

/** page → worker: the page has started listening (a worker handed over late may have sent `ready` already). */
export interface HelloMessage extends Tagged {
  readonly kind: "hello";
}

/** Messages from the page to the worker. */
export type PageMessage = CallMessage | CancelMessage | InspectMessage | InspectCancelMessage | HelloMessage;
/** Messages from the worker to the page. */
export type WorkerMessage = ReadyMessage | ResultMessage | ErrorMessage | CancelledMessage | FatalMessage | InspectorMessage;

/** Tags a message body with the protocol version. */
export function message<M extends PageMessage | WorkerMessage>(body: Omit<M, typeof PROTOCOL_TAG>): M {
  return { [PROTOCOL_TAG]: PROTOCOL_VERSION, ...body } as M;
}

/**
 * The version of a message of ours, or undefined for anything else a
 * worker or page posts. Total: a hostile value is simply not ours.
 */
export function protocolVersionOf(data: unknown): number | undefined {
  if (data === null || typeof data !== "object") return undefined;
  // A read of the one constant key (not readProperty's keyed read shared by
  // every caller): this runs for every message, and stays monomorphic.
  let version: unknown;
  try {
    version = (data as { [PROTOCOL_TAG]?: unknown })[PROTOCOL_TAG];
  } catch {
    return undefined; // a Proxy whose get throws: not ours
  }
  return typeof version === "number" ? version : undefined;
}

/**
 * @internal A field of a message of ours that could not be read: its
 * getter or a Proxy trap threw `error`. Structured clone never makes one,
 * but a worker or port handed over by the caller can deliver anything.
 */
export class Unreadable {
  constructor(readonly error: unknown) {}
}

/** @internal Field `key` of a message, or `Unreadable` if reading it throws. Total. */
export function readField(msg: object, key: string): unknown {
  try {
    return (msg as Record<string, unknown>)[key];
  } catch (error) {
    return new Unreadable(error);
  }
}

/** @internal A field as read by `readField`, for a message: "is <the value>", or "cannot be read (<why>)". */
export function describeField(value: unknown): string {
  return isInstance(value, Unreadable) ? `cannot be read (${describeError(value.error)})` : `is ${describe(value)}`;
}

/** @internal Whether `id` can be a call id of ours (the page numbers calls 1, 2, ...). */
export function isCallId(id: unknown): id is number {
  return typeof id === "number" && Number.isSafeInteger(id);
}

/** An error turned into a record that survives structured cloning. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly cause?: SerializedThrown | undefined;
  /** The leaves of an ExceptionGroup or AggregateError, in order. */
  readonly errors?: readonly SerializedThrown[] | undefined;
}

/** Anything a task can throw: an Error as a record, or another (cloneable) value as is. */
export type SerializedThrown = { readonly error: SerializedError } | { readonly value: unknown };

// Cause chains and groups are cut off this deep: an error graph is user data
// and may be cyclic or absurdly deep; the message must stay bounded.
const MAX_DEPTH = 32;

// At most this many errors go into one record, all levels together: a depth
// cap alone does not bound a graph whose groups hold themselves twice (2^32
// records), nor a Proxy list that claims a length of millions.
const MAX_ERRORS = 1000;

/** How many more error records a walk over one thrown value may make. */
interface Budget {
  left: number;
}

/**
 * The first `max` items of `list` and the length it claims, read totally
 * (a group's `errors` may be a Proxy whose length is a lie); undefined if
 * it cannot be read.
 */
function readList(list: unknown, max: number): { items: unknown[]; length: number } | undefined {
  try {
    if (!Array.isArray(list)) return undefined;
    const length: unknown = list.length;
    if (typeof length !== "number" || !Number.isSafeInteger(length) || length < 0) return undefined;
    const items: unknown[] = [];
    for (let i = 0; i < Math.min(length, max); i++) items.push(list[i]);
    return { items, length };
  } catch {
    return undefined; // a revoked Proxy, traps that throw
  }
}

/** The record that stands for the leaves of a group left out of a record. */
function leftOut(count: number): SerializedThrown {
  return { error: { name: "Error", message: `${count} more errors of this group were left out: an error sent between a worker and the page holds at most ${MAX_ERRORS} errors.`, stack: undefined } };
}

/**
 * Turns a thrown value into a cloneable record. Errors keep name, message,
 * stack, cause and (for groups) their errors; `Cancelled` leaves are
 * dropped from groups, because they belong to the worker's cancel scopes,
 * not the page's. Bounded: at most MAX_ERRORS errors, MAX_DEPTH deep (a
 * group's leaves beyond that are counted in one last leaf). Total: it never
 * throws, whatever it is given.
 */
export function serializeThrown(thrown: unknown): SerializedThrown {
  return serializeWithin(thrown, 0, { left: MAX_ERRORS - 1 });
}

function serializeWithin(thrown: unknown, depth: number, budget: Budget): SerializedThrown {
  if (!isError(thrown)) {
    if (isCloneable(thrown)) return { value: thrown };
    return { error: { name: "Error", message: `The worker threw ${describe(thrown)}, which cannot be sent to the page: throw an Error (or plain data) instead.`, stack: undefined } };
  }
  let error: Error = thrown;
  if (error instanceof ExceptionGroup) {
    // Read from the class: a Proxy of a group whose get trap throws is sent whole, as any error is.
    const [, rest] = withoutCancelled(error);
    if (rest !== undefined) error = rest;
  }
  const name = readProperty(error, "name");
  const message = readProperty(error, "message");
  const stack = readProperty(error, "stack");
  const record: { -readonly [K in keyof SerializedError]: SerializedError[K] } = {
    name: typeof name === "string" ? name : "Error",
    message: typeof message === "string" ? message : "",
    stack: typeof stack === "string" ? stack : undefined,
  };
  if (depth < MAX_DEPTH) {
    const cause = readProperty(error, "cause");
    if (cause !== undefined && budget.left > 0) {
      budget.left--;
      record.cause = serializeWithin(cause, depth + 1, budget);
    }
    // Only a group's errors: a validation error's `errors` list (yup, AJV, ...) would make it a group on the page.
    // A list that cannot be read (a revoked Proxy, traps that throw) goes without: a throw here left a worker's call unanswered.
    const list = isInstance(error, AggregateError) ? readList(readProperty(error, "errors"), budget.left) : undefined;
    if (list !== undefined) {
      budget.left -= list.items.length;
      const errors = list.items.map((e) => serializeWithin(e, depth + 1, budget));
      if (list.length > errors.length) errors.push(leftOut(list.length - errors.length));
      record.errors = errors;
    }
  }
  return { error: record };
}

function isCloneable(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  const type = typeof value;
  if (type === "string" || type === "number" || type === "boolean" || type === "bigint") return true;
  if (type !== "object") return false; // functions and symbols never clone
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

type ErrorClass = new (message: string) => Error;

// Errors rebuilt as their own class, so `instanceof` works on the page.
const KNOWN: Record<string, ErrorClass> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  TooSlowError,
  BrokenResourceError,
  ClosedResourceError,
  EndOfChannel,
  WouldBlock,
  BusyResourceError,
  RunFinishedError,
  TrioInternalError,
};

/**
 * Rebuilds what `serializeThrown` made. A group becomes an ExceptionGroup
 * (an AggregateError stays one); a known class (built-in errors and this
 * library's) is rebuilt as that class; any other name is kept on a plain
 * Error. The stack is the worker's stack.
 */
export function deserializeThrown(record: SerializedThrown): unknown {
  // Our records hold at most MAX_ERRORS errors and one "left out" leaf per group: twice that bounds them.
  // A peer of another build (or a rogue one) may send a cyclic record: structured clone keeps cycles.
  return deserializeWithin(record, 0, { left: 2 * MAX_ERRORS });
}

function deserializeWithin(record: SerializedThrown, depth: number, budget: Budget): unknown {
  try {
    return rebuildThrown(record, depth, budget);
  } catch (error) {
    // A record this build did not make (another build's worker, a foreign peer): never a throw in the
    // host's message listener, which would leave the call waiting forever.
    return new TypeError(`An error record from the other side of a worker or port could not be read (${describeError(error)}): build the worker and the page with the same trio-asyncio.`, { cause: error });
  }
}

function rebuildThrown(record: SerializedThrown, depth: number, budget: Budget): unknown {
  if (record === null || typeof record !== "object") throw new TypeError(`the record is ${describe(record)}, not an object`);
  if ("value" in record) return record.value;
  const r = record.error;
  if (r === null || typeof r !== "object") throw new TypeError(`its error is ${describe(r)}, not an object`);
  // Not coerced: an error named 5 whose message reads "[object Object]" would say nothing of what went wrong.
  if (typeof r.name !== "string" || typeof r.message !== "string") throw new TypeError(`its name is ${describe(r.name)} and its message ${describe(r.message)}; both must be strings`);
  let error: Error;
  // Past the bounds a record of ours keeps, a record's cause and errors are left out (cut, as the worker cuts).
  const deeper = depth < MAX_DEPTH;
  const list = deeper && r.errors !== undefined ? readList(r.errors, budget.left) : undefined;
  if (deeper && r.errors !== undefined && list === undefined) throw new TypeError(`its errors are ${describe(r.errors)}, not an array`);
  let errors: unknown[] | undefined;
  if (list !== undefined) {
    budget.left -= list.items.length;
    errors = list.items.map((e) => deserializeWithin(e as SerializedThrown, depth + 1, budget));
    if (list.length > errors.length) errors.push(deserializeWithin(leftOut(list.length - errors.length), depth + 1, budget));
  }
  // An AggregateError may be empty; an ExceptionGroup cannot.
  if (errors !== undefined && (errors.length > 0 || r.name === "AggregateError")) {
    error = r.name === "AggregateError" ? new AggregateError(errors, r.message) : new ExceptionGroup(r.message, errors);
  } else {
    const cls = Object.prototype.hasOwnProperty.call(KNOWN, r.name) ? KNOWN[r.name]! : Error;
    error = new cls(r.message);
    if (error.name !== r.name) Object.defineProperty(error, "name", { value: r.name, configurable: true, writable: true });
  }
  Object.defineProperty(error, "stack", { value: typeof r.stack === "string" ? r.stack : `${r.name}: ${r.message}\n    (in a worker)`, configurable: true, writable: true });
  if (deeper && r.cause !== undefined && budget.left > 0) {
    budget.left--;
    Object.defineProperty(error, "cause", { value: deserializeWithin(r.cause, depth + 1, budget), configurable: true, writable: true });
  }
  return error;
}

/**
 * True if `error` is a `Cancelled`, or a group made only of them. Total: a
 * Proxy of a group whose traps throw is not (withoutCancelled, read from the
 * class, leaves it whole; nothing is left only where a Cancelled was taken out).
 */
export function isOnlyCancelled(error: unknown): boolean {
  return error instanceof Cancelled || (error instanceof ExceptionGroup && withoutCancelled(error)[1] === undefined);
}

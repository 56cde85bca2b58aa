/**
 * The errors of the core.
 *
 * Two of them are special. `Cancelled` is thrown into a task at a checkpoint
 * when an enclosing cancel scope is cancelled; it carries no stack trace,
 * because cancelling ten thousand tasks must not cost ten thousand stack
 * captures, and the stack would only point into the scheduler anyway. A
 * cancelled scope makes one `Cancelled` and throws that same object into
 * every task it cancels (`sharedCancelled`). It is a real Error, made once:
 * V8 with devtools attached (Playwright included) captures a stack at every
 * throw of a value that does not already carry one, and those captures were
 * most of the cost of cancelling many tasks in a page.
 * `ExceptionGroup` is how a nursery reports what its children raised; JavaScript
 * has `AggregateError` but no `split`/`subgroup`, so we add them.
 */

/**
 * @internal The `name` of an error of one of this library's classes. A
 * class's own name would not do: an app's minifier renames classes, and
 * errors would read "e: boom". So each of our classes states its name in a
 * static `errorName` of its own; a subclass of yours has none and is named
 * after itself, as before.
 */
export function errorClassName(error: Error): string {
  const cls = error.constructor as { readonly name: string; readonly errorName?: string };
  return Object.hasOwn(cls, "errorName") ? String(cls.errorName) : cls.name;
}

/** Base class of every error this library raises on purpose. */
export class TrioError extends Error {
  /** @internal */
  static readonly errorName: string = "TrioError";

  override get name(): string {
    return errorClassName(this);
  }
}

/**
 * Raised at a checkpoint inside a cancelled scope. Catch it only to clean up,
 * then rethrow: the cancel scope that caused it absorbs it on exit.
 */
export class Cancelled extends Error {
  /** Why the scope was cancelled, as given to `cancel(reason)`, or the deadline. */
  declare readonly reason: string | undefined;

  /** @internal Use the runtime's own checkpoints; do not construct. */
  constructor(reason?: string) {
    // The name says "Cancelled"; the message is only the reason, so that
    // String(error) reads "Cancelled: deadline exceeded".
    super(reason ?? "");
    Object.defineProperty(this, "reason", { value: reason }); // not enumerable, as defineProperty's default
  }

  override get name(): string {
    return "Cancelled";
  }
}

/**
 * @internal A cheap `Cancelled`: no constructor call, so no stack capture.
 * Without a reason its `message` is Error.prototype's, "".
 */
export function makeCancelled(reason: string | undefined): Cancelled {
  const exc = Object.create(Cancelled.prototype) as { reason: string | undefined; message: string };
  exc.reason = reason;
  if (reason !== undefined) exc.message = reason;
  return exc as unknown as Cancelled;
}

/**
 * @internal The one `Cancelled` of a cancelled scope, thrown into every task
 * it cancels. A real Error (constructed, not `Object.create`d): V8 keeps the
 * stack captured at construction on it and reuses it at each throw, where a
 * plain object gets a fresh capture per throw whenever devtools listen. The
 * stack is made empty, so constructing stays cheap.
 */
export function sharedCancelled(reason: string | undefined): Cancelled {
  const key = "stackTraceLimit";
  const had = Object.hasOwn(Error, key);
  const limit: unknown = Reflect.get(Error, key);
  // Reflect.set answers false rather than throwing where Error is frozen
  // (a hardened realm): the error then keeps its stack.
  Reflect.set(Error, key, 0);
  try {
    return new Cancelled(reason);
  } finally {
    if (had) Reflect.set(Error, key, limit);
    else Reflect.deleteProperty(Error, key);
  }
}

/** Raised by `failAfter`/`failAt` when their deadline expires. */
export class TooSlowError extends TrioError {
  /** @internal */
  static override readonly errorName: string = "TooSlowError";
}

/** The other end of a channel was closed: nobody will ever receive what you send. */
export class BrokenResourceError extends TrioError {
  /** @internal */
  static override readonly errorName: string = "BrokenResourceError";
}

/** You used a channel (or other resource) after closing it yourself. */
export class ClosedResourceError extends TrioError {
  /** @internal */
  static override readonly errorName: string = "ClosedResourceError";
}

/** A receive channel has no more values: every send end was closed. */
export class EndOfChannel extends TrioError {
  /** @internal */
  static override readonly errorName: string = "EndOfChannel";
}

/** A `*Nowait` operation could not complete without blocking. */
export class WouldBlock extends TrioError {
  /** @internal */
  static override readonly errorName: string = "WouldBlock";
}

/** Two tasks tried to use a resource that supports only one user at a time. */
export class BusyResourceError extends TrioError {
  /** @internal */
  static override readonly errorName: string = "BusyResourceError";
}

/** A run finished while something still tried to use it. */
export class RunFinishedError extends TrioError {
  /** @internal */
  static override readonly errorName: string = "RunFinishedError";
}

/** A bug in this library, not in your code. Please report it. */
export class TrioInternalError extends TrioError {
  /** @internal */
  static override readonly errorName: string = "TrioInternalError";
}

const ordinaryHasInstance = Function.prototype[Symbol.hasInstance];

/**
 * `instanceof` for this library's error classes, made total. The runtime
 * asks `error instanceof Cancelled` (or ExceptionGroup) of whatever a task
 * threw, between steps, and plain `instanceof` throws for a revoked Proxy or
 * one whose getPrototypeOf trap throws: that would escape the scheduler.
 * Such a value is simply not one of ours. Installed on the base classes;
 * subclasses inherit it.
 */
function totalHasInstance(this: unknown, value: unknown): boolean {
  // (A primitive needs no test of its own: the ordinary check answers false.)
  try {
    return ordinaryHasInstance.call(this, value);
  } catch {
    return false;
  }
}

/** An error class for `ExceptionGroup.split`/`subgroup` (any class: JavaScript can throw anything). */
export type ErrorClass = abstract new (...args: never[]) => unknown;

/**
 * Matches errors for `ExceptionGroup.split`/`subgroup`: a class, an array of
 * classes (any of them matches, as Python's tuple of types; an empty one
 * matches nothing), or a predicate.
 */
export type ErrorMatcher = ErrorClass | readonly ErrorClass[] | ((error: unknown) => boolean);

/** `index` ≥ 0: the matcher is that item of an array of classes, and must be a class. */
function toPredicate(matcher: ErrorMatcher, index = -1): (error: unknown) => boolean {
  // isArrayValue is total: a revoked Proxy is no array, and is described below.
  if (index < 0 && isArrayValue(matcher)) {
    const tests: ((error: unknown) => boolean)[] = [];
    // A getter's own error goes up as it is. A Proxy may claim any length: past 1000 items it is refused, not walked for minutes.
    for (let i = 0; i < matcher.length; i++) {
      if (i >= 1e3) throw new RangeError(`split(matcher): the array holds more than 1000 items; pass at most 1000 error classes.`);
      tests.push(toPredicate(matcher[i] as ErrorMatcher, i));
    }
    return (error) => tests.some((test) => test(error));
  }
  if (typeof matcher !== "function") {
    throw new TypeError(`split(matcher) takes an error class (or an array of them) or a predicate function, got ${describe(matcher)}.`);
  }
  // A class (Error, a subclass, or any `class` the ErrorMatcher type allows)
  // matches by instanceof; any other function is a predicate. A class that
  // does not extend Error cannot be called, so it must be recognised too.
  // (Read totally: an item of an array may be a revoked Proxy of a function.)
  const proto = readProperty(matcher, "prototype");
  const source = Function.prototype.toString.call(matcher);
  if (matcher === Error || proto instanceof Error || /^class\b/.test(source)) {
    const cls = matcher as ErrorClass;
    return (error) => isInstance(error, cls);
  }
  if (index >= 0) throw new TypeError(`split(matcher): item ${index} of the array is ${describe(matcher)}, not an error class; an array holds classes only, such as [TypeError, RangeError].`);
  // A built-in constructor (the global of its name, native, with a
  // prototype) would be called as a predicate, and Object or String would
  // match everything. Python refuses a type that is no exception type too.
  // (In that order: a function of the user's source has its name left unread.)
  if (proto && /native code/.test(source) && (globalThis as Record<string, unknown>)[matcher.name] === matcher) {
    throw new TypeError(`split(${matcher.name}): a built-in constructor, no error class; pass an error class or a predicate.`);
  }
  // Else each call would raise the engine's "Cannot perform 'apply' on a proxy that has been revoked".
  if (isUnusableFunction(matcher)) throw new TypeError(`split(matcher) got a function that cannot be called (a revoked Proxy?); pass an error class, an array of them, or a predicate function.`);
  return matcher as (error: unknown) => boolean;
}

/** Marks, in leaves()'s walk, the end of a group's errors. */
const LEAVE = {};

/**
 * hasCancelled()'s answers, kept beside the groups rather than on them: a
 * group the user froze (or a Proxy that refuses writes) must be asked too,
 * and have its Cancelled taken out at a scope's exit as any group does.
 */
const cancelledInside = new WeakMap<object, boolean>();

/** withoutCancelled's matcher: split knows it, and passes by the groups hasCancelled says hold none. */
const isCancelled = (error: unknown): boolean => error instanceof Cancelled;

/**
 * Several errors raised together, typically by the children of one nursery.
 * Like Python's `ExceptionGroup`, it nests, and `split`/`subgroup` keep the
 * structure while picking out the errors you can handle.
 */
export class ExceptionGroup extends AggregateError {
  /** The errors in this group (the same array as `errors`). */
  readonly exceptions: readonly unknown[];

  constructor(message: string, exceptions: readonly unknown[]) {
    // Python's takes a str only; AggregateError would raise the engine's words for a revoked Proxy or an object with no prototype.
    if (typeof message !== "string") throw new TypeError(`ExceptionGroup needs a string message as its first argument, got ${describe(message)}.`);
    if (!isArrayValue(exceptions) || exceptions.length === 0) {
      throw new TypeError("ExceptionGroup needs a non-empty array of errors as its second argument.");
    }
    super(exceptions, message);
    // Frozen, as Python's tuple is: a group that could be made to hold itself
    // would send every walk over it (leaves, split, a scope's exit) round forever.
    this.exceptions = Object.freeze(this.errors as unknown[]);
  }

  override get name(): string {
    return "ExceptionGroup";
  }

  /** "ExceptionGroup: message (2 sub-exceptions)": Python's str() of a group counts its errors too. `message` stays bare. */
  override toString(): string {
    return counted(super.toString(), this.exceptions);
  }

  /**
   * A group of the same kind and message holding other errors. `split` and
   * `subgroup` call it for each part they make (and copy `cause` onto it);
   * a subclass that overrides it must return an ExceptionGroup, or they
   * throw a TypeError, as Python's do.
   */
  derive(exceptions: readonly unknown[]): ExceptionGroup {
    return new ExceptionGroup(this.message, exceptions);
  }

  /**
   * Splits into `[matching, rest]`, each a group with the same nesting, or
   * `undefined` where nothing is left. `matcher` is an error class, an
   * array of classes (an error matches if it is an instance of any, as
   * Python's tuple of types; `[]` matches nothing), or a predicate.
   *
   * ```ts
   * const [network, rest] = group.split([TypeError, TooSlowError]);
   * ```
   */
  split(matcher: ErrorMatcher): [ExceptionGroup | undefined, ExceptionGroup | undefined] {
    return this.splitBy(toPredicate(matcher));
  }

  /**
   * Iterative, as leaves() is: a group nested thousands deep (a retry loop
   * wrapping errors) must not overflow the stack. `frames` holds the groups
   * being split, each with its parts so far: a group met inside itself
   * (only a Proxy can be) is tested as a leaf, not split again, so the walk
   * ends. For withoutCancelled, a group without a Cancelled (hasCancelled
   * is cached) is a leaf too: a group passed up N nurseries costs O(N) in all.
   */
  private splitBy(predicate: (error: unknown) => boolean): [ExceptionGroup | undefined, ExceptionGroup | undefined] {
    if (predicate(this)) return [this, undefined];
    const frames: [group: ExceptionGroup, next: number, match: unknown[], rest: unknown[]][] = [[this, 0, [], []]];
    const path = new Set<unknown>([this]);
    for (;;) {
      const frame = frames.at(-1)!;
      const [group, i, match, rest] = frame;
      if (i < group.exceptions.length) {
        const exc = group.exceptions[frame[1]++];
        if (exc instanceof ExceptionGroup && !path.has(exc) && (predicate !== isCancelled || hasCancelled(exc))) {
          if (predicate(exc)) match.push(exc);
          else {
            frames.push([exc, 0, [], []]);
            path.add(exc);
          }
        } else (predicate(exc) ? match : rest).push(exc);
        continue;
      }
      frames.pop();
      path.delete(group);
      // An unchanged side is this very group: no copy, no new stack capture.
      const parts = rest.length === 0 ? [group, undefined] : match.length === 0 ? [undefined, group] : [group.part(match), group.part(rest)];
      if (frames.length === 0) return parts as [ExceptionGroup | undefined, ExceptionGroup | undefined];
      const up = frames.at(-1)!;
      if (parts[0]) up[2].push(parts[0]);
      if (parts[1]) up[3].push(parts[1]);
    }
  }

  /**
   * derive() for split and withoutCancelled, keeping this group's `cause`
   * on the part where it takes one (a frozen part does not), as Python's
   * split keeps `__cause__` (a group back from a worker carries one). A
   * derive() that returns anything but a group is refused, as Python
   * refuses it: a nested part that was not a group lost its errors (an
   * undefined part was dropped, a plain error stood in for them).
   */
  private part(exceptions: readonly unknown[]): ExceptionGroup {
    const group = this.derive(exceptions);
    if (!(group instanceof ExceptionGroup)) throw new TypeError(`derive() must return an ExceptionGroup, got ${describe(group)}.`);
    const cause = Object.getOwnPropertyDescriptor(this, "cause");
    // Reflect's answers false where Object's throws: a frozen part (its class freezes what it makes) was no part at all.
    if (cause !== undefined) Reflect.defineProperty(group, "cause", cause);
    return group;
  }

  /**
   * @internal True if a `Cancelled` is among the leaves. Cached: a cancel
   * scope asks this of every group passing through it, and a group nested
   * N nurseries deep would otherwise be walked N times.
   */
  hasCancelled(): boolean {
    // Iterative, as leaves(): each group walked is cached false when its
    // errors are done, and the groups on the path true once a Cancelled is
    // found. Cached false while its walk is under way: a group met inside
    // itself (only a Proxy can be) is not walked again.
    const stack: unknown[] = [this];
    const path: object[] = [];
    try {
      while (stack.length) {
        const exc = stack.pop() as object;
        if (exc === LEAVE) cancelledInside.set(path.pop()!, false);
        else if (exc instanceof Cancelled || cancelledInside.get(exc)) {
          for (const group of path) cancelledInside.set(group, true);
          return true;
        } else if (exc instanceof ExceptionGroup && !cancelledInside.has(exc)) {
          cancelledInside.set(exc, false);
          path.push(exc);
          stack.push(LEAVE);
          for (const e of exc.exceptions) stack.push(e);
        }
      }
    } catch {
      // A Proxy whose traps throw, at a scope's exit: it goes on as it is, as any error does.
    }
    return false;
  }

  /** The matching part of `split`. */
  subgroup(matcher: ErrorMatcher): ExceptionGroup | undefined {
    return this.split(matcher)[0];
  }

  /** Every leaf error, depth first. */
  leaves(): unknown[] {
    // Iterative: a group nested ten thousand nurseries deep must not
    // overflow the stack. Each group's errors go on in reverse, so they
    // come off in order.
    // A group inside itself (only a Proxy can be) is not walked again: the
    // groups being walked are `path`, and LEAVE, under a group's errors,
    // takes it off when they are done.
    const out: unknown[] = [];
    const stack: unknown[] = [this];
    const path = new Set<unknown>();
    while (stack.length > 0) {
      const exc = stack.pop();
      if (exc === LEAVE) path.delete(stack.pop());
      else if (!(exc instanceof ExceptionGroup)) out.push(exc);
      else if (!path.has(exc)) {
        path.add(exc);
        stack.push(exc, LEAVE);
        for (let i = exc.exceptions.length; i-- > 0; ) stack.push(exc.exceptions[i]);
      }
    }
    return out;
  }

  /**
   * @internal `split(Cancelled)` for cancel scopes: returns whether any
   * `Cancelled` was removed and what is left. It only descends into groups
   * that hold a `Cancelled`, and marks what is left as holding none, so a
   * group passed up through N cancelled nurseries costs O(N) in all. It is
   * split's walk (one walk to keep cycle-safe): a group of Cancelled only
   * costs no new group, a mixed one derives the Cancelled part too, and a
   * nested group that cannot be split (a derive() that throws) sends the
   * whole group on, as one at the top does.
   */
  withoutCancelled(): [matched: boolean, rest: ExceptionGroup | undefined] {
    try {
      if (!this.hasCancelled()) return [false, this];
      const [match, rest] = this.splitBy(isCancelled);
      if (rest !== undefined) cancelledInside.set(rest, false);
      return [match !== undefined, rest];
    } catch {
      // A Proxy whose traps throw, inside or as this group, or a derive() that throws: the group goes on whole.
      return [false, this];
    }
  }
}

/**
 * @internal Makes `error.stack`, if `error` is a group, end with a listing
 * of the errors inside, after the engine's frames, as Python prints a
 * group: `stack` is what a console, Node's uncaught handler and error
 * reporters show (Chrome's console replaces whatever comes before the first
 * frame with "Name: message"). Returns `error`.
 *
 * Called where a group leaves the library for someone to see (a run's
 * rejection, an onError reporter), not when a group is made: listing reads
 * `stack`, which formats the frames (about 100 µs in Node with source maps
 * on), and formatting inside a nursery's exit, deep in a recursion, once
 * crashed V8 (a fatal "RegExpCompiler Allocation failed" under Node's
 * source-map support). Listing twice adds nothing.
 */
export function listInStack(error: unknown): unknown {
  if (error instanceof ExceptionGroup) {
    try {
      const stack = String(error.stack);
      const listing = listErrors(describeError(error), error.exceptions, "  | ");
      if (!stack.endsWith(listing)) error.stack = `${stack}\n${listing}`;
    } catch {
      // Hostile errors inside (a revoked Proxy as a nested group's list), or a stack that cannot be set: it stands.
    }
  }
  return error;
}

/**
 * `head` (a group's "Name: message" line), its count of errors, and a line
 * for each error, a nested group's errors indented below it: what a
 * group's `stack` ends with, as Python prints a group's traceback.
 * Bounded whatever the group holds (a million errors, a group inside
 * itself): past 2000 characters or nine levels deep it says
 * how many it leaves out. Total: each error is read as describeError reads it.
 * Every line starts with "|" after its indent, so no stack parser takes it
 * for a frame.
 */
function listErrors(head: string, errors: unknown, pad: string): string {
  // Array.isArray throws only for a revoked Proxy: the caller's catch keeps the engine's stack then.
  const list = Array.isArray(errors) ? errors : [];
  let text = counted(head, list);
  for (let i = 0; i < list.length; i++) {
    if (text.length > 2000 || pad.length > 20) return `${text}\n${pad}... and ${list.length - i} more`;
    const error: unknown = list[i];
    const line = `${text}\n${pad}${describeError(error)}`;
    // A nested group's listing starts from all the text so far: the bound is on the whole.
    text = error instanceof ExceptionGroup ? listErrors(line, readProperty(error, "exceptions"), "  " + pad) : line;
  }
  return text;
}

/** `head` and how many errors `list` holds, as Python counts a group's. */
function counted(head: string, list: readonly unknown[]): string {
  return `${head} (${list.length} sub-exception${list.length === 1 ? "" : "s"})`;
}

/**
 * @internal `group.hasCancelled()`, the method read from the class: a Proxy
 * of a group whose get trap throws answers false (it goes on as any error
 * does) instead of throwing where the question is asked.
 */
export function hasCancelled(group: ExceptionGroup): boolean {
  return ExceptionGroup.prototype.hasCancelled.call(group);
}

/**
 * @internal `group.withoutCancelled()` for a scope's exit, the method read
 * from the class, as hasCancelled above: a Proxy of a group whose get trap
 * throws goes on whole, and its siblings are still walked.
 */
export function withoutCancelled(group: ExceptionGroup): [matched: boolean, rest: ExceptionGroup | undefined] {
  return ExceptionGroup.prototype.withoutCancelled.call(group);
}

/**
 * @internal `group.leaves()`, the method read from the class, or undefined
 * where they cannot be read (a Proxy whose traps throw, a revoked list):
 * for the layers above that look inside a group a user raised, where a
 * throw would take the place of the user's error.
 */
export function leavesOf(group: ExceptionGroup): unknown[] | undefined {
  try {
    return ExceptionGroup.prototype.leaves.call(group);
  } catch {
    return undefined;
  }
}

for (const cls of [TrioError, Cancelled, ExceptionGroup]) Object.defineProperty(cls, Symbol.hasInstance, { value: totalHasInstance });

/**
 * Formats any value for an error message, in a few words: "a TypeError",
 * "function fetchUser", "number 42". Total: it never throws, whatever it is
 * given (a revoked Proxy, an object without a prototype, getters that
 * throw), because it runs where an exception would wedge the scheduler.
 */
export function describe(value: unknown): string {
  try {
    // null, undefined, number, boolean, bigint, symbol: String() is total for all of them.
    if (value == null) return String(value);
    if (typeof value === "function") return `function ${functionName(value) ?? "(anonymous)"}`;
    if (typeof value === "string") return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value);
    if (typeof value !== "object") return `${typeof value} ${String(value)}`;
  } catch {
    return "a value that cannot be described";
  }
  let proto: object | null;
  try {
    proto = Object.getPrototypeOf(value) as object | null;
  } catch {
    // Only a Proxy refuses this: a revoked one, or one whose trap throws.
    return "an object that cannot be inspected (a revoked Proxy?)";
  }
  if (proto === null) return "an object with no prototype";
  const ctor = readProperty(value, "constructor");
  const name = typeof ctor === "function" ? functionName(ctor) : undefined;
  // "an Array", "an Error", but "a Uint8Array", "a URL": U is mostly said "you".
  return name !== undefined && name !== "Object" ? `${/^[AEIO]/i.test(name) ? "an" : "a"} ${name}` : "an object";
}

/**
 * @internal Throws a TypeError naming `what` if `options` cannot be read at
 * all (a revoked Proxy, a Proxy whose traps throw), instead of the engine's
 * "Cannot perform 'get' on a proxy that has been revoked" at the first
 * option read. A getter that throws still throws its own error, later.
 */
export function checkReadable(what: string, options: object): void {
  try {
    Reflect.ownKeys(options);
  } catch (cause) {
    throw new TypeError(`${what}: the options object cannot be read (${messageOf(cause)}); pass a plain object.`, { cause });
  }
}

/**
 * @internal `value[key]`, or undefined if reading it throws (a getter, a
 * Proxy trap, a revoked Proxy).
 */
export function readProperty(value: object, key: PropertyKey): unknown {
  try {
    return (value as Record<PropertyKey, unknown>)[key];
  } catch {
    return undefined;
  }
}

/**
 * @internal A time in seconds, a duration or a deadline: any number but NaN
 * (±Infinity mean never and already passed). One check for the core's
 * timed operations, so their messages read alike.
 */
export function checkSeconds(what: string, value: unknown): number {
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(`${what} must be a number of seconds, got ${Number.isNaN(value) ? "NaN" : describe(value)}.`);
  }
  return value;
}

/** @internal A duration: `checkSeconds`, and not negative. */
export function checkDuration(what: string, value: unknown): number {
  const seconds = checkSeconds(what, value);
  if (seconds < 0) throw new RangeError(`${what} must be non-negative, got ${seconds}.`);
  return seconds;
}

/** @internal A boolean option: true or false, or undefined (left out, read as false). One check, so the messages read alike. */
export function checkOptionalBoolean(what: string, value: unknown): boolean {
  if (value !== undefined && typeof value !== "boolean") throw new TypeError(`${what} must be true or false, got ${describe(value)}.`);
  return value === true;
}

/** @internal The `name` of a function (or any object), if it is a non-empty string; never throws. */
export function functionName(fn: unknown): string | undefined {
  // No type test: readProperty answers undefined for null and undefined, and no primitive has a name.
  const name = readProperty(fn as object, "name");
  return typeof name === "string" && name !== "" ? name : undefined;
}

/**
 * @internal `value instanceof cls`, made total: false, not a throw, for a
 * revoked Proxy or one whose getPrototypeOf trap throws (no instance of anything).
 */
export function isInstance<T>(value: unknown, cls: abstract new (...args: never[]) => T): value is T {
  try {
    return value instanceof cls;
  } catch {
    return false;
  }
}

/**
 * @internal Marks a real Promise that a task yielded by mistake (where
 * `yield* waitPromise(p)` was meant) as handled. The task gets a TypeError
 * naming the fix; nobody can wait for the Promise any more, so its own
 * rejection must not end a Node process or log "Uncaught (in promise)" over
 * that message. Total: anything but a Promise is left alone (a thenable's
 * `then` is never called), and a throw (a subclass whose species
 * constructor throws) is ignored.
 */
export function ignoreRefusedPromise(value: unknown): void {
  if (!isInstance(value, Promise)) return;
  try {
    void Promise.prototype.then.call(value, undefined, () => {});
  } catch {
    // Nothing more to do: the TypeError still reaches the task.
  }
}

/**
 * @internal Marks a one-use token (a ContextVar's or a RunVar's) as used:
 * `token[key] = true`, and in `used` too, which the caller also asks. A
 * token a store froze (immer and Redux freeze what they hold), or a Proxy
 * whose set trap refuses or throws, cannot take the write: the set
 * remembers it, so its reset is neither undone by an error raised after
 * the change nor repeatable. Total.
 */
export function markUsed(token: object, key: string, used: WeakSet<object>): void {
  used.add(token);
  try {
    Reflect.set(token, key, true);
  } catch {
    // The set remembers it.
  }
}

/** @internal `Array.isArray`, made total: false, not a throw, for a revoked Proxy. */
export function isArrayValue(value: unknown): value is readonly unknown[] {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * @internal True for a function (or any object) that cannot even be
 * looked at: a revoked Proxy, or one whose traps throw. Calling or reading
 * it could only raise the engine's words later, far from the call that took it.
 */
export function isUnusableFunction(fn: unknown): boolean {
  try {
    Object.getPrototypeOf(fn);
    return false;
  } catch {
    return true;
  }
}

/**
 * @internal True for an object with `next` and `throw` methods, read
 * totally: a generator object (the call `op()`) where a task function
 * (`op`) was wanted, the commonest slip with task functions.
 */
export function isGeneratorLike(value: unknown): boolean {
  return value !== null && typeof value === "object" && typeof readProperty(value, "next") === "function" && typeof readProperty(value, "throw") === "function";
}

/** @internal True if `value` is an Error (by its prototype chain); false, not a throw, for a hostile Proxy. */
export function isError(value: unknown): value is Error {
  return isInstance(value, Error);
}

/**
 * Formats a thrown value as "Name: message" (an Error) or as `describe`
 * does (anything else). Total, like `describe`: an Error whose `name` or
 * `message` getter throws is shown by what can be read of it.
 */
export function describeError(error: unknown): string {
  if (!isError(error)) return describe(error);
  const name = readProperty(error, "name");
  const message = readProperty(error, "message");
  const shownName = typeof name === "string" && name !== "" ? name : (functionName(readProperty(error, "constructor")) ?? "Error");
  return typeof message === "string" && message !== "" ? `${shownName}: ${message}` : shownName;
}

/**
 * @internal The message of an Error, or String(value) of anything else, for
 * reasons built from values users hand us (an abort signal's reason).
 * Total: where String() throws, `describe` stands in.
 */
export function messageOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (isError(value)) {
    const message = readProperty(value, "message");
    if (typeof message === "string") return message;
  }
  return stringOf(value);
}

/**
 * @internal String(value), made total: where String() throws (a
 * Symbol.toPrimitive or toString that throws, no prototype), `describe` stands in.
 */
export function stringOf(value: unknown): string {
  try {
    return String(value);
  } catch {
    return describe(value);
  }
}

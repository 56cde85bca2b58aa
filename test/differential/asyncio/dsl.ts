/**
 * The program DSL of the asyncio differential test, as plain JSON data, and
 * a fast-check arbitrary of programs. The same JSON runs in CPython
 * (scripts/differential/asyncio/interp.py) and on our layer (./interp.ts);
 * the two logs must be equal.
 *
 * Times are in 64ths of a second (exact in binary floating point on both
 * sides). Tasks are kept by name in one table per run; a name is referred to
 * only after the statement that creates it in program order (a reference
 * whose task was not created at run time, because an error skipped the
 * creation, logs "missing"), so no task can await itself, even indirectly.
 *
 * Names: tasks t*, plain Futures f* (both awaitable, cancellable, waitable),
 * loop callbacks' handles h*, named timeouts o*. Queues 0-3 are a Queue(),
 * a Queue(1), a LifoQueue() and a PriorityQueue(2); events 0-1; semaphores
 * 0-1 a Semaphore(2) and a BoundedSemaphore(1); one Lock, one Condition, one
 * Barrier(2).
 *
 * DSL v2 (the constructs after `try`) changed the sampling: the programs of
 * past divergences found with v1 are kept literally in ./regressions.json.
 * So that the new constructs do something more often than deadlock, a few
 * raw statements expand to several: a TaskGroup child may end by sleeping
 * and raising (groups with several errors, nested groups); a Future may come
 * with the callback that sets it; `fill` puts a few items then gets some
 * (LIFO and priority order); `condpair` spawns Condition waiters then
 * notifies them; `barrierpair` meets a spawned task at the Barrier; a
 * timeout's body may reschedule it.
 *
 * DSL v3 (the constructs after `reschedule`) changed the sampling again
 * (past divergences stay in ./regressions.json). New statements: wait()
 * given a coroutine (a TypeError, caught), Barrier.reset() and its state,
 * Condition.waitFor(a count of `bump`s), timeoutAt and expired()/when().
 * New shorthands aim at cancellation meeting a wakeup: tasks waited on by
 * wait() while another task cancels one of them; a Barrier waiter met by
 * reset(), abort() or a cancel; Condition waiters notified by a block that
 * keeps the lock and cancels one of them; nested timeouts expiring at the
 * same instant (the outer one first) or not, asking expired() inside and
 * after them; a task awaiting shield(inner)
 * cancelled while the inner task runs on and maybe raises; tasks queued on
 * the Lock, a semaphore, a queue's get or an event, one of them cancelled
 * before the release or once woken; a TaskGroup cancelled from outside
 * (maybe twice) whose children catch the CancelledError and await again;
 * a TaskGroup whose body raises while its children raise on cancellation.
 */
import fc from "fast-check";

/** A sequence of statements; a coroutine running it returns `r`. */
export interface Block {
  r: string;
  s: Stmt[];
}

/** What a `try` catches: nothing (try/finally), `except Exception`, `except CancelledError` (swallowed or re-raised). */
export type Catch = null | "exc" | "cancel" | "cancel_re";

export type Stmt =
  | ["sleep", number]
  | ["log", string]
  | ["raise", number]
  | ["spawn", string, Block]
  | ["cancel", string, string | null]
  | ["await", string]
  | ["gather", GatherItem[], boolean]
  | ["waitfor", Block, number]
  | ["shield", string, Block]
  | ["timeout", number, Block, string?]
  | ["tg", [string, Block][], Block]
  | ["evset", number]
  | ["evwait", number]
  | ["put", number, number]
  | ["get", number]
  | ["uncancel"]
  | ["cancelling"]
  | ["try", Block, Catch, Block | null]
  // --- added in DSL v2 ---
  | ["wait", string[], ReturnWhen, number | null]
  | ["ascompleted", string[], number | null]
  | ["waitfortask", string, number]
  | ["lock", Block]
  | ["sem", number, Block]
  | ["semrelease", number]
  | ["cond", "wait" | "notify" | "notifyall", Block]
  | ["barrier"]
  | ["barrierabort"]
  | ["evclear", number]
  | ["join", number]
  | ["taskdone", number]
  | ["future", string]
  | ["later", string, number, Action]
  | ["at", string, number, Action]
  | ["hcancel", string]
  | ["reschedule", string, number | null]
  // --- added in DSL v3 ---
  | ["waitcoro", string[], Block]
  | ["barrierreset"]
  | ["barrierstate"]
  | ["condwaitfor", number, Block]
  | ["bump"]
  | ["timeoutat", number, Block, string]
  | ["expired", string];

/** `wait`'s returnWhen: FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED. */
export type ReturnWhen = "FC" | "FE" | "AC";

/**
 * What a loop callback (`later`, `at`) does: log only, set a Future's result
 * or exception, cancel it, set an event, or putNowait on a queue.
 */
export type Action = ["log"] | ["setresult", string] | ["setexc", string, number] | ["fcancel", string] | ["evset", number] | ["put", number, number];

/** A gather argument: an existing task, or a new task running a block. */
export type GatherItem = ["task", string] | ["coro", string, Block];

export interface Program {
  main: Block;
}

/** One log line: [time in 64ths, who, what...]. */
export type LogLine = unknown[];

// ---- raw shapes: references are indexes, resolved by `normalize` ----------

type RawStmt =
  | { k: "sleep"; d: number }
  | { k: "log" }
  | { k: "raise"; id: number }
  | { k: "spawn"; b: RawBlock }
  | { k: "cancel"; ref: number; msg: string | null }
  | { k: "await"; ref: number }
  | { k: "gather"; items: ({ ref: number } | { b: RawBlock })[]; rx: boolean }
  | { k: "waitfor"; b: RawBlock; d: number }
  | { k: "shield"; b: RawBlock }
  | { k: "timeout"; d: number; b: RawBlock; re: number | null | undefined }
  | { k: "tg"; kids: { b: RawBlock; fail: [number, number] | null }[]; b: RawBlock }
  | { k: "evset"; i: number }
  | { k: "evwait"; i: number }
  | { k: "put"; i: number; v: number }
  | { k: "get"; i: number }
  | { k: "uncancel" }
  | { k: "cancelling" }
  | { k: "try"; b: RawBlock; c: Catch; f: RawBlock | null }
  | { k: "wait"; refs: number[]; rw: ReturnWhen; d: number | null }
  | { k: "ascompleted"; refs: number[]; d: number | null }
  | { k: "waitfortask"; ref: number; d: number }
  | { k: "lock"; b: RawBlock }
  | { k: "sem"; i: number; b: RawBlock }
  | { k: "semrelease"; i: number }
  | { k: "cond"; op: "wait" | "notify" | "notifyall"; b: RawBlock }
  | { k: "barrier" }
  | { k: "barrierabort" }
  | { k: "evclear"; i: number }
  | { k: "join"; i: number }
  | { k: "taskdone"; i: number }
  | { k: "future"; set: { d: number; how: "setresult" | "setexc" | "fcancel"; id: number } | null }
  | { k: "fill"; i: number; vs: number[]; gets: number }
  | { k: "condpair"; waiters: RawBlock[]; d: number; op: "notify" | "notifyall"; b: RawBlock }
  | { k: "barrierpair"; b: RawBlock; d: number }
  | { k: "later" | "at"; d: number; a: RawAction }
  | { k: "hcancel"; ref: number }
  | { k: "reschedule"; ref: number; d: number | null }
  // --- DSL v3 ---
  | { k: "waitcoro"; refs: number[]; b: RawBlock }
  | { k: "waitcx"; kids: RawBlock[]; who: number; d: number; msg: string | null; rw: ReturnWhen; t: number | null }
  | { k: "barrierreset" }
  | { k: "barrierstate" }
  | { k: "barriercx"; b: RawBlock; d: number; how: "reset" | "abort" | "cancel"; again: boolean }
  | { k: "condwaitfor"; n: number; b: RawBlock }
  | { k: "bump" }
  | { k: "condcx"; waiters: { n: number | null; b: RawBlock }[]; d: number; op: "notify" | "notifyall"; cx: number | null; d2: number }
  | { k: "timeoutat"; d: number; b: RawBlock }
  | { k: "expired"; ref: number }
  | { k: "tonest"; d: number; di: number | null; at: boolean; b: RawBlock; after: RawBlock }
  | { k: "shieldcx"; b: RawBlock; fail: [number, number] | null; d: number; msg: string | null; awaitInner: boolean }
  | { k: "contend"; kind: Contended; n: number; cx: number; after: boolean; msg: string | null; d: number }
  | { k: "tgouter"; kids: { b: RawBlock; c: "cancel" | "cancel_re"; f: RawBlock }[]; body: RawBlock; d: number; msg: string | null; twice: boolean }
  | { k: "tgraise2"; kids: { c: "cancel" | "cancel_re" | null; d: number; id: number }[]; d: number; id: number };
/** What a `contend` shorthand makes tasks queue for: the Lock, a semaphore, a queue's get, an event. */
type Contended = ["lock"] | ["sem", number] | ["get", number] | ["evwait", number];
type RawAction = { a: "log" | "setresult" | "fcancel"; ref: number } | { a: "setexc"; ref: number; id: number } | { a: "evset"; i: number } | { a: "put"; i: number; v: number };
type RawBlock = RawStmt[];

const delay = fc.constantFrom(0, 0, 1, 2, 3, 4, 8, 16, 32, 64);
const ref = fc.nat({ max: 20 });
const queueOrEvent = fc.constantFrom(0, 1);
const queue = fc.constantFrom(0, 1, 2, 3);
const refs = fc.array(ref, { maxLength: 3 });
const optDelay = fc.option(delay, { nil: null, freq: 3 });
const action: fc.Arbitrary<RawAction> = fc.oneof(
  fc.record({ a: fc.constantFrom("log" as const, "setresult" as const, "setresult" as const, "fcancel" as const), ref }),
  fc.record({ a: fc.constant("setexc" as const), ref, id: fc.integer({ min: 1, max: 9 }) }),
  fc.record({ a: fc.constant("evset" as const), i: queueOrEvent }),
  fc.record({ a: fc.constant("put" as const), i: queue, v: fc.integer({ min: 1, max: 9 }) }),
);

/** Raw programs: blocks of at most `maxLength` statements, nested at most `maxDepth` deep. */
function rawBlocks(maxDepth: number, maxLength: number): fc.Arbitrary<RawBlock> {
  return fc.letrec<{ block: RawBlock; stmt: RawStmt }>((tie) => ({
    block: fc.array(tie("stmt"), { maxLength }),
    stmt: fc.oneof(
      { maxDepth, depthIdentifier: "stmt" },
      // leaves first: the only choices once maxDepth is reached
      fc.record({ k: fc.constant("sleep" as const), d: delay }),
      fc.record({ k: fc.constant("log" as const) }),
      fc.record({ k: fc.constant("raise" as const), id: fc.integer({ min: 1, max: 9 }) }),
      fc.record({ k: fc.constant("cancel" as const), ref, msg: fc.constantFrom(null, null, "m1", "m2") }),
      fc.record({ k: fc.constant("await" as const), ref }),
      fc.record({ k: fc.constant("evset" as const), i: queueOrEvent }),
      fc.record({ k: fc.constant("evwait" as const), i: queueOrEvent }),
      fc.record({ k: fc.constant("put" as const), i: queue, v: fc.integer({ min: 1, max: 9 }) }),
      fc.record({ k: fc.constant("get" as const), i: queue }),
      fc.record({ k: fc.constant("uncancel" as const) }),
      fc.record({ k: fc.constant("cancelling" as const) }),
      fc.record({ k: fc.constant("wait" as const), refs, rw: fc.constantFrom<ReturnWhen>("FC", "FE", "AC"), d: optDelay }),
      fc.record({ k: fc.constant("ascompleted" as const), refs, d: optDelay }),
      fc.record({ k: fc.constant("waitfortask" as const), ref, d: delay }),
      fc.record({ k: fc.constant("semrelease" as const), i: queueOrEvent }),
      fc.record({ k: fc.constant("barrier" as const) }),
      fc.record({ k: fc.constant("barrierabort" as const) }),
      fc.record({ k: fc.constant("evclear" as const), i: queueOrEvent }),
      fc.record({ k: fc.constant("join" as const), i: queue }),
      fc.record({ k: fc.constant("taskdone" as const), i: queue }),
      fc.record({
        k: fc.constant("future" as const),
        set: fc.option(fc.record({ d: delay, how: fc.constantFrom("setresult" as const, "setresult" as const, "setexc" as const, "fcancel" as const), id: fc.integer({ min: 1, max: 9 }) }), {
          nil: null,
          freq: 4,
        }),
      }),
      fc.record({ k: fc.constant("fill" as const), i: queue, vs: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 3 }), gets: fc.nat({ max: 3 }) }),
      fc.record({ k: fc.constantFrom("later" as const, "at" as const), d: delay, a: action }),
      fc.record({ k: fc.constant("hcancel" as const), ref }),
      fc.record({ k: fc.constant("reschedule" as const), ref, d: optDelay }),
      // DSL v3 leaves
      fc.record({ k: fc.constant("barrierreset" as const) }),
      fc.record({ k: fc.constant("barrierstate" as const) }),
      fc.record({ k: fc.constant("bump" as const) }),
      fc.record({ k: fc.constant("expired" as const), ref }),
      fc.record({
        k: fc.constant("contend" as const),
        kind: fc.oneof(
          fc.constant<Contended>(["lock"]),
          fc.constantFrom<Contended>(["sem", 0], ["sem", 1]),
          fc.constantFrom<Contended>(["get", 0], ["get", 1], ["get", 2], ["get", 3]),
          fc.constantFrom<Contended>(["evwait", 0], ["evwait", 1]),
        ),
        n: fc.integer({ min: 2, max: 3 }),
        cx: fc.nat({ max: 2 }),
        after: fc.boolean(),
        msg: fc.constantFrom(null, null, "m1"),
        d: delay,
      }),
      fc.record({
        k: fc.constant("tgraise2" as const),
        kids: fc.array(fc.record({ c: fc.constantFrom(null, "cancel" as const, "cancel_re" as const), d: delay, id: fc.integer({ min: 1, max: 9 }) }), { minLength: 1, maxLength: 3 }),
        d: delay,
        id: fc.integer({ min: 1, max: 9 }),
      }),
      fc.record({ k: fc.constant("spawn" as const), b: tie("block") as fc.Arbitrary<RawBlock> }),
      // DSL v3 statements with blocks
      fc.record({ k: fc.constant("waitcoro" as const), refs, b: tie("block") as fc.Arbitrary<RawBlock> }),
      fc.record({
        k: fc.constant("waitcx" as const),
        kids: fc.array(tie("block") as fc.Arbitrary<RawBlock>, { minLength: 1, maxLength: 3 }),
        who: fc.nat({ max: 2 }),
        d: delay,
        msg: fc.constantFrom(null, null, "m1"),
        rw: fc.constantFrom<ReturnWhen>("FC", "FE", "AC"),
        t: optDelay,
      }),
      fc.record({ k: fc.constant("barriercx" as const), b: tie("block") as fc.Arbitrary<RawBlock>, d: delay, how: fc.constantFrom("reset" as const, "abort" as const, "cancel" as const), again: fc.boolean() }),
      fc.record({ k: fc.constant("condwaitfor" as const), n: fc.integer({ min: 0, max: 3 }), b: tie("block") as fc.Arbitrary<RawBlock> }),
      fc.record({
        k: fc.constant("condcx" as const),
        waiters: fc.array(fc.record({ n: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }), b: tie("block") as fc.Arbitrary<RawBlock> }), { minLength: 1, maxLength: 3 }),
        d: delay,
        op: fc.constantFrom("notify" as const, "notifyall" as const),
        cx: fc.option(fc.nat({ max: 2 }), { nil: null }),
        d2: delay,
      }),
      fc.record({ k: fc.constant("timeoutat" as const), d: delay, b: tie("block") as fc.Arbitrary<RawBlock> }),
      fc.record({ k: fc.constant("tonest" as const), d: delay, di: fc.option(delay, { nil: null, freq: 2 }), at: fc.boolean(), b: tie("block") as fc.Arbitrary<RawBlock>, after: tie("block") as fc.Arbitrary<RawBlock> }),
      fc.record({
        k: fc.constant("shieldcx" as const),
        b: tie("block") as fc.Arbitrary<RawBlock>,
        fail: fc.option(fc.tuple(fc.constantFrom(0, 1, 2), fc.integer({ min: 1, max: 9 })), { nil: null }),
        d: delay,
        msg: fc.constantFrom(null, null, "m2"),
        awaitInner: fc.boolean(),
      }),
      fc.record({
        k: fc.constant("tgouter" as const),
        kids: fc.array(fc.record({ b: tie("block") as fc.Arbitrary<RawBlock>, c: fc.constantFrom("cancel" as const, "cancel_re" as const), f: tie("block") as fc.Arbitrary<RawBlock> }), { minLength: 1, maxLength: 3 }),
        body: tie("block") as fc.Arbitrary<RawBlock>,
        d: delay,
        msg: fc.constantFrom(null, null, "m1"),
        twice: fc.boolean(),
      }),
      fc.record({ k: fc.constant("lock" as const), b: tie("block") as fc.Arbitrary<RawBlock> }),
      fc.record({
        k: fc.constant("condpair" as const),
        waiters: fc.array(tie("block") as fc.Arbitrary<RawBlock>, { minLength: 1, maxLength: 3 }),
        d: delay,
        op: fc.constantFrom("notify" as const, "notifyall" as const),
        b: tie("block") as fc.Arbitrary<RawBlock>,
      }),
      fc.record({ k: fc.constant("barrierpair" as const), b: tie("block") as fc.Arbitrary<RawBlock>, d: delay }),
      fc.record({ k: fc.constant("sem" as const), i: queueOrEvent, b: tie("block") as fc.Arbitrary<RawBlock> }),
      fc.record({
        k: fc.constant("cond" as const),
        op: fc.constantFrom("wait" as const, "wait" as const, "notify" as const, "notifyall" as const),
        b: tie("block") as fc.Arbitrary<RawBlock>,
      }),
      fc.record({
        k: fc.constant("gather" as const),
        items: fc.array(fc.oneof(fc.record({ ref }), fc.record({ b: tie("block") as fc.Arbitrary<RawBlock> })), { maxLength: 3 }),
        rx: fc.boolean(),
      }),
      fc.record({ k: fc.constant("waitfor" as const), b: tie("block") as fc.Arbitrary<RawBlock>, d: delay }),
      fc.record({ k: fc.constant("shield" as const), b: tie("block") as fc.Arbitrary<RawBlock> }),
      fc.record({
        k: fc.constant("timeout" as const),
        d: delay,
        b: tie("block") as fc.Arbitrary<RawBlock>,
        // undefined: no reschedule; else the body's second statement moves the deadline (null: removes it)
        re: fc.option(fc.option(delay, { nil: null }), { nil: undefined, freq: 2 }),
      }),
      fc.record({
        k: fc.constant("tg" as const),
        // A child may end by sleeping and raising, so that groups with several errors (and nested groups) are common.
        kids: fc.array(
          fc.record({
            b: tie("block") as fc.Arbitrary<RawBlock>,
            fail: fc.option(fc.tuple(fc.constantFrom(0, 0, 1, 2), fc.integer({ min: 1, max: 9 })), { nil: null }),
          }),
          { maxLength: 3 },
        ),
        b: tie("block") as fc.Arbitrary<RawBlock>,
      }),
      fc.record({
        k: fc.constant("try" as const),
        b: tie("block") as fc.Arbitrary<RawBlock>,
        c: fc.constantFrom<Catch>(null, "exc", "cancel", "cancel_re"),
        f: fc.option(tie("block") as fc.Arbitrary<RawBlock>, { nil: null }),
      }),
    ) as fc.Arbitrary<RawStmt>,
  })).block;
}

/** Gives every task and block a unique name and resolves references to known tasks. */
export function normalize(raw: RawBlock): Program {
  let tasks = 0;
  let blocks = 0;
  let marks = 0;
  let futures = 0;
  let handles = 0;
  let timeouts = 0;
  const newTask = (): string => `t${tasks++}`;
  // `known` is the list of names a statement may refer to; each call gets
  // its own copy, and an inline block adds to the caller's.
  const blockOf = (b: RawBlock, known: string[]): Block => {
    const r = `r${blocks++}`;
    const s: Stmt[] = [];
    for (const st of b) {
      const out = stmtOf(st, known);
      if (typeof out[0] === "string") s.push(out as Stmt);
      else s.push(...(out as Stmt[]));
    }
    return { r, s };
  };
  // Tasks and Futures (t*, f*) are awaitables; handles (h*) and timeouts (o*) are picked among their own kind.
  const pickOf = (kinds: string, i: number, known: string[]): string | null => {
    const of = known.filter((n) => kinds.includes(n[0]!));
    return of.length === 0 ? null : of[i % of.length]!;
  };
  const pick = (i: number, known: string[]): string | null => pickOf("tf", i, known);
  const actionOf = (a: RawAction, known: string[]): Action => {
    switch (a.a) {
      case "evset":
        return ["evset", a.i];
      case "put":
        return ["put", a.i, a.v];
      case "log":
        return ["log"];
      default: {
        const f = pickOf("f", a.ref, known);
        if (f === null) return ["log"];
        return a.a === "setexc" ? ["setexc", f, a.id] : [a.a, f];
      }
    }
  };
  // A few raw statements are shorthands for several (a Future and the callback that sets it, ...): they return a list.
  const stmtOf = (st: RawStmt, known: string[]): Stmt | Stmt[] => {
    switch (st.k) {
      case "sleep":
        return ["sleep", st.d];
      case "log":
        return ["log", `m${marks++}`];
      case "raise":
        return ["raise", st.id];
      case "spawn": {
        const name = newTask();
        const b = blockOf(st.b, [...known]);
        known.push(name);
        return ["spawn", name, b];
      }
      case "cancel": {
        const name = pick(st.ref, known);
        return name === null ? ["log", `m${marks++}`] : ["cancel", name, st.msg];
      }
      case "await": {
        const name = pick(st.ref, known);
        return name === null ? ["log", `m${marks++}`] : ["await", name];
      }
      case "gather": {
        const items: GatherItem[] = [];
        const made: string[] = [];
        const used = new Set<string>();
        for (const it of st.items) {
          if ("ref" in it) {
            const name = pick(it.ref, known);
            if (name !== null && !used.has(name)) {
              used.add(name);
              items.push(["task", name]);
            }
          } else {
            const name = newTask();
            items.push(["coro", name, blockOf(it.b, [...known])]);
            made.push(name);
          }
        }
        known.push(...made);
        return ["gather", items, st.rx];
      }
      case "waitfor":
        return ["waitfor", blockOf(st.b, known), st.d];
      case "shield": {
        const name = newTask();
        const b = blockOf(st.b, [...known]);
        known.push(name);
        return ["shield", name, b];
      }
      case "timeout": {
        const name = `o${timeouts++}`;
        known.push(name);
        const body = blockOf(st.b, known);
        if (st.re !== undefined) body.s.splice(Math.min(1, body.s.length), 0, ["reschedule", name, st.re]);
        return ["timeout", st.d, body, name];
      }
      case "tg": {
        const kids: [string, Block][] = [];
        const inner = [...known];
        for (const k of st.kids) {
          const name = newTask();
          const b = blockOf(k.b, [...inner]);
          if (k.fail !== null) b.s.push(["sleep", k.fail[0]], ["raise", k.fail[1]]);
          kids.push([name, b]);
          inner.push(name);
        }
        known.push(...kids.map(([n]) => n));
        return ["tg", kids, blockOf(st.b, known)];
      }
      case "evset":
        return ["evset", st.i];
      case "evwait":
        return ["evwait", st.i];
      case "put":
        return ["put", st.i, st.v];
      case "get":
        return ["get", st.i];
      case "uncancel":
        return ["uncancel"];
      case "cancelling":
        return ["cancelling"];
      case "try":
        return ["try", blockOf(st.b, known), st.c, st.f === null ? null : blockOf(st.f, known)];
      case "wait":
      case "ascompleted": {
        const names = [...new Set(st.refs.map((i) => pick(i, known)).filter((n): n is string => n !== null))];
        if (names.length === 0) return ["log", `m${marks++}`]; // wait([]) is a ValueError: not worth a program's end
        return st.k === "wait" ? ["wait", names, st.rw, st.d] : ["ascompleted", names, st.d];
      }
      case "waitfortask": {
        const name = pick(st.ref, known);
        return name === null ? ["log", `m${marks++}`] : ["waitfortask", name, st.d];
      }
      case "lock":
        return ["lock", blockOf(st.b, known)];
      case "sem":
        return ["sem", st.i, blockOf(st.b, known)];
      case "semrelease":
        return ["semrelease", st.i];
      case "cond":
        return ["cond", st.op, blockOf(st.b, known)];
      case "barrier":
        return ["barrier"];
      case "barrierabort":
        return ["barrierabort"];
      case "evclear":
        return ["evclear", st.i];
      case "join":
        return ["join", st.i];
      case "taskdone":
        return ["taskdone", st.i];
      case "future": {
        const name = `f${futures++}`;
        known.push(name);
        if (st.set === null) return ["future", name];
        const { d, how, id } = st.set;
        const h = `h${handles++}`;
        known.push(h);
        return [["future", name], ["later", h, d, how === "setexc" ? ["setexc", name, id] : [how, name]]];
      }
      case "fill":
        return [...st.vs.map((v): Stmt => ["put", st.i, v]), ...Array.from({ length: st.gets }, (): Stmt => ["get", st.i])];
      case "condpair": {
        // Tasks that wait on the Condition, then a notify from here: waits that end.
        const out: Stmt[] = [];
        const made: string[] = [];
        for (const w of st.waiters) {
          const name = newTask();
          out.push(["spawn", name, { r: `r${blocks++}`, s: [["cond", "wait", blockOf(w, [...known, ...made])]] }]);
          made.push(name);
        }
        known.push(...made);
        out.push(["sleep", st.d], ["cond", st.op, blockOf(st.b, known)]);
        return out;
      }
      case "barrierpair": {
        // A task and this one meet at the Barrier(2).
        const name = newTask();
        const out: Stmt[] = [["spawn", name, { r: `r${blocks++}`, s: [["barrier"], ...blockOf(st.b, [...known]).s] }]];
        known.push(name);
        out.push(["sleep", st.d], ["barrier"]);
        return out;
      }
      case "later":
      case "at": {
        const name = `h${handles++}`;
        const a = actionOf(st.a, known);
        known.push(name);
        return [st.k, name, st.d, a];
      }
      case "hcancel": {
        const name = pickOf("h", st.ref, known);
        return name === null ? ["log", `m${marks++}`] : ["hcancel", name];
      }
      case "reschedule": {
        const name = pickOf("o", st.ref, known);
        return name === null ? ["log", `m${marks++}`] : ["reschedule", name, st.d];
      }
      // ---- DSL v3 ----
      case "waitcoro": {
        const names = [...new Set(st.refs.map((i) => pick(i, known)).filter((n): n is string => n !== null))];
        // caught, so that the program goes on after the TypeError
        return ["try", { r: `r${blocks++}`, s: [["waitcoro", names, blockOf(st.b, [...known])]] }, "exc", null];
      }
      case "waitcx": {
        // Tasks, one more that cancels one of them after a while, and a wait() on the first ones.
        const out: Stmt[] = [];
        const kids: string[] = [];
        for (const b of st.kids) {
          const name = newTask();
          out.push(["spawn", name, blockOf(b, [...known])]);
          kids.push(name);
        }
        const canceller = newTask();
        out.push(["spawn", canceller, { r: `r${blocks++}`, s: [["sleep", st.d], ["cancel", kids[st.who % kids.length]!, st.msg]] }]);
        known.push(...kids, canceller);
        out.push(["wait", kids, st.rw, st.t]);
        return out;
      }
      case "barrierreset":
        return ["barrierreset"];
      case "barrierstate":
        return ["barrierstate"];
      case "barriercx": {
        // A task waits at the Barrier(2); then it is reset, aborted, or the waiter is cancelled; then maybe a pair meets.
        const name = newTask();
        const out: Stmt[] = [["spawn", name, { r: `r${blocks++}`, s: [["barrier"], ...blockOf(st.b, [...known]).s] }]];
        known.push(name);
        out.push(["sleep", st.d], st.how === "reset" ? ["barrierreset"] : st.how === "abort" ? ["barrierabort"] : ["cancel", name, null], ["barrierstate"]);
        if (st.again) {
          const other = newTask();
          out.push(["sleep", 0], ["barrierstate"], ["barrierreset"], ["spawn", other, { r: `r${blocks++}`, s: [["barrier"]] }], ["sleep", 0], ["barrier"]);
          known.push(other);
        }
        return out;
      }
      case "condwaitfor":
        return ["condwaitfor", st.n, blockOf(st.b, known)];
      case "bump":
        return ["bump"];
      case "condcx": {
        // Condition waiters (wait, or waitFor a count of bumps); a notify whose block holds the lock, maybe cancelling a woken waiter; then notifyAll.
        const out: Stmt[] = [];
        const made: string[] = [];
        for (const w of st.waiters) {
          const name = newTask();
          const b = blockOf(w.b, [...known, ...made]);
          out.push(["spawn", name, { r: `r${blocks++}`, s: [w.n === null ? ["cond", "wait", b] : ["condwaitfor", w.n, b]] }]);
          made.push(name);
        }
        known.push(...made);
        const held: Stmt[] = [["bump"]];
        if (st.cx !== null) held.push(["cancel", made[st.cx % made.length]!, null]);
        held.push(["sleep", st.d2]);
        out.push(["sleep", st.d], ["cond", st.op, { r: `r${blocks++}`, s: held }], ["sleep", 0]);
        out.push(["cond", "notifyall", { r: `r${blocks++}`, s: [["bump"], ["bump"], ["bump"]] }]);
        return out;
      }
      case "timeoutat": {
        const name = `o${timeouts++}`;
        known.push(name);
        return ["timeoutat", st.d, blockOf(st.b, known), name];
      }
      case "expired": {
        const name = pickOf("o", st.ref, known);
        return name === null ? ["log", `m${marks++}`] : ["expired", name];
      }
      case "tonest": {
        // Nested timeouts (the inner one's deadline the same as the outer's unless `di`), then both report expired().
        const outer = `o${timeouts++}`;
        const inner = `o${timeouts++}`;
        known.push(outer, inner);
        // The inner block asks both expired() while the CancelledError goes through it (so while expiring), then lets it go on.
        const check: Block = { r: `r${blocks++}`, s: [["expired", outer], ["expired", inner]] };
        const innerBody: Block = { r: `r${blocks++}`, s: [["try", blockOf(st.b, known), "cancel_re", check]] };
        const innerStmt: Stmt = st.at ? ["timeoutat", st.di ?? st.d, innerBody, inner] : ["timeout", st.di ?? st.d, innerBody, inner];
        const outerBody: Block = { r: `r${blocks++}`, s: [innerStmt, ...blockOf(st.after, known).s] };
        const outerStmt: Stmt = st.at ? ["timeoutat", st.d, outerBody, outer] : ["timeout", st.d, outerBody, outer];
        return ["try", { r: `r${blocks++}`, s: [outerStmt] }, "exc", { r: `r${blocks++}`, s: [["expired", outer], ["expired", inner]] }];
      }
      case "shieldcx": {
        // A task awaits shield(inner); it is cancelled while the inner task runs on (and maybe raises); maybe the inner one is awaited.
        const outer = newTask();
        const inner = newTask();
        const b = blockOf(st.b, [...known]);
        if (st.fail !== null) b.s.push(["sleep", st.fail[0]], ["raise", st.fail[1]]);
        known.push(outer, inner);
        const out: Stmt[] = [["spawn", outer, { r: `r${blocks++}`, s: [["shield", inner, b]] }], ["sleep", st.d], ["cancel", outer, st.msg]];
        if (st.awaitInner) out.push(["try", { r: `r${blocks++}`, s: [["await", inner]] }, "exc", null]);
        return out;
      }
      case "contend": {
        // Tasks queue for one primitive; one is cancelled while it waits (before the release), or once woken (right after it).
        const made: string[] = [];
        const spawns: Stmt[] = [];
        const kind = st.kind;
        for (let i = 0; i < st.n; i++) {
          const name = newTask();
          const hold: Block = { r: `r${blocks++}`, s: [["sleep", st.d]] };
          const body: Stmt = kind[0] === "lock" ? ["lock", hold] : kind[0] === "sem" ? ["sem", kind[1], hold] : kind[0] === "get" ? ["get", kind[1]] : ["evwait", kind[1]];
          spawns.push(["spawn", name, { r: `r${blocks++}`, s: [body] }]);
          made.push(name);
        }
        known.push(...made);
        const cancel: Stmt = ["cancel", made[st.cx % made.length]!, st.msg];
        const before: Stmt[] = st.after ? [] : [cancel];
        const after: Stmt[] = st.after ? [cancel] : [];
        if (kind[0] === "lock" || kind[0] === "sem") {
          let held: Stmt = kind[0] === "lock" ? ["lock", { r: `r${blocks++}`, s: [...spawns, ["sleep", 0], ...before] }] : ["sem", kind[1], { r: `r${blocks++}`, s: [...spawns, ["sleep", 0], ...before] }];
          // Semaphore(2): hold both units
          if (kind[0] === "sem" && kind[1] === 0) held = ["sem", 0, { r: `r${blocks++}`, s: [held] }];
          return [held, ...after, ["sleep", st.d]];
        }
        if (kind[0] === "get") {
          const puts: Stmt[] = [];
          for (let i = 1; i < st.n; i++) puts.push(["sleep", 0], ["put", kind[1], i + 1]);
          return [...spawns, ["sleep", 0], ...before, ["put", kind[1], 1], ...after, ...puts, ["sleep", st.d]];
        }
        return [...spawns, ["sleep", 0], ...before, ["evset", kind[1]], ...after, ["sleep", st.d], ["evclear", kind[1]]];
      }
      case "tgouter": {
        // A task runs a TaskGroup whose children catch the CancelledError and await again; it is cancelled from outside (maybe twice).
        const parent = newTask();
        const kids: [string, Block][] = [];
        const inner = [...known];
        for (const k of st.kids) {
          const name = newTask();
          const b = blockOf(k.b, [...inner]);
          b.s.push(["sleep", 64]);
          const kid: Block = { r: `r${blocks++}`, s: [["try", b, k.c, blockOf(k.f, [...inner])], ["sleep", 1]] };
          kids.push([name, kid]);
          inner.push(name);
        }
        const body = blockOf(st.body, [...inner]);
        body.s.push(["sleep", 64]);
        known.push(parent, ...kids.map(([n]) => n));
        const out: Stmt[] = [["spawn", parent, { r: `r${blocks++}`, s: [["tg", kids, body]] }], ["sleep", st.d], ["cancel", parent, st.msg]];
        if (st.twice) out.push(["sleep", 0], ["cancel", parent, null]);
        out.push(["try", { r: `r${blocks++}`, s: [["await", parent]] }, "cancel", null]);
        return out;
      }
      case "tgraise2": {
        // A TaskGroup whose body raises; its children, cancelled, raise too (or re-raise the CancelledError).
        const kids: [string, Block][] = [];
        for (const k of st.kids) {
          const name = newTask();
          const tail: Stmt[] = [["sleep", k.d], ["raise", k.id]];
          const s: Stmt[] =
            k.c === null
              ? [["try", { r: `r${blocks++}`, s: [["sleep", 64]] }, null, { r: `r${blocks++}`, s: tail }]]
              : [["try", { r: `r${blocks++}`, s: [["sleep", 64]] }, k.c, null], ...tail];
          kids.push([name, { r: `r${blocks++}`, s }]);
        }
        known.push(...kids.map(([n]) => n));
        return ["tg", kids, { r: `r${blocks++}`, s: [["sleep", st.d], ["raise", st.id]] }];
      }
    }
  };
  return { main: blockOf(raw, []) };
}

/** Programs, as fast-check values (the recorded fixtures use the defaults). */
export function programArbitrary(maxDepth = 3, maxLength = 4): fc.Arbitrary<Program> {
  return rawBlocks(maxDepth, maxLength).map(normalize);
}

/** `n` programs from a fixed seed: the same list on every machine. */
export function samplePrograms(n: number, seed: number, maxDepth = 3, maxLength = 4): Program[] {
  return fc.sample(programArbitrary(maxDepth, maxLength), { numRuns: n, seed });
}

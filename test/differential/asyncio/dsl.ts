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
  | ["timeout", number, Block]
  | ["tg", [string, Block][], Block]
  | ["evset", number]
  | ["evwait", number]
  | ["put", number, number]
  | ["get", number]
  | ["uncancel"]
  | ["cancelling"]
  | ["try", Block, Catch, Block | null];

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
  | { k: "timeout"; d: number; b: RawBlock }
  | { k: "tg"; kids: RawBlock[]; b: RawBlock }
  | { k: "evset"; i: number }
  | { k: "evwait"; i: number }
  | { k: "put"; i: number; v: number }
  | { k: "get"; i: number }
  | { k: "uncancel" }
  | { k: "cancelling" }
  | { k: "try"; b: RawBlock; c: Catch; f: RawBlock | null };
type RawBlock = RawStmt[];

const delay = fc.constantFrom(0, 0, 1, 2, 3, 4, 8, 16, 32, 64);
const ref = fc.nat({ max: 20 });
const queueOrEvent = fc.constantFrom(0, 1);

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
      fc.record({ k: fc.constant("put" as const), i: queueOrEvent, v: fc.integer({ min: 1, max: 9 }) }),
      fc.record({ k: fc.constant("get" as const), i: queueOrEvent }),
      fc.record({ k: fc.constant("uncancel" as const) }),
      fc.record({ k: fc.constant("cancelling" as const) }),
      fc.record({ k: fc.constant("spawn" as const), b: tie("block") as fc.Arbitrary<RawBlock> }),
      fc.record({
        k: fc.constant("gather" as const),
        items: fc.array(fc.oneof(fc.record({ ref }), fc.record({ b: tie("block") as fc.Arbitrary<RawBlock> })), { maxLength: 3 }),
        rx: fc.boolean(),
      }),
      fc.record({ k: fc.constant("waitfor" as const), b: tie("block") as fc.Arbitrary<RawBlock>, d: delay }),
      fc.record({ k: fc.constant("shield" as const), b: tie("block") as fc.Arbitrary<RawBlock> }),
      fc.record({ k: fc.constant("timeout" as const), d: delay, b: tie("block") as fc.Arbitrary<RawBlock> }),
      fc.record({
        k: fc.constant("tg" as const),
        kids: fc.array(tie("block") as fc.Arbitrary<RawBlock>, { maxLength: 3 }),
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
  const newTask = (): string => `t${tasks++}`;
  // `known` is the list of names a statement may refer to; each call gets
  // its own copy, and an inline block adds to the caller's.
  const blockOf = (b: RawBlock, known: string[]): Block => {
    const r = `r${blocks++}`;
    const s: Stmt[] = [];
    for (const st of b) s.push(stmtOf(st, known));
    return { r, s };
  };
  const pick = (i: number, known: string[]): string | null => (known.length === 0 ? null : known[i % known.length]!);
  const stmtOf = (st: RawStmt, known: string[]): Stmt => {
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
      case "timeout":
        return ["timeout", st.d, blockOf(st.b, known)];
      case "tg": {
        const kids: [string, Block][] = [];
        const inner = [...known];
        for (const k of st.kids) {
          const name = newTask();
          kids.push([name, blockOf(k, [...inner])]);
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

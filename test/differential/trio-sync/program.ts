/**
 * The programs of the second differential test against Trio (primitives):
 * plain data, run by runtime.ts on our runtime and by
 * scripts/differential/trio-sync/interp.py on Trio.
 *
 * A program declares its resources (one memory channel, two events, two
 * locks, a semaphore, a capacity limiter, a condition with its own lock)
 * and the main task's statements. Besides the structure of the first
 * differential test (cancel scopes, nurseries, try/finally, catch) it has
 * `nursery.start()` with `taskStatus.started()`, failAfter/moveOnAfter,
 * `async with` on a lock or condition, and operations on the resources.
 *
 * Avoiding ambiguity (Trio randomizes the order of the tasks woken in one
 * batch): every action (an operation, raising, cancelling, start,
 * started) comes right after a positive sleep, so it happens at a virtual
 * instant of its own; durations are random multiples of 1/1024 s. A task
 * woken by another's action only logs, then sleeps before its next action.
 * Both interpreters record every timer they arm (each sleep's end, each
 * deadline); a program in which two timers coincide is ambiguous and
 * skipped. What is compared is order-insensitive within an instant: the
 * log is sorted by (time, task) keeping each task's own order, and error
 * groups are compared as sorted trees.
 */
import fc from "fast-check";

/** An operation on a resource. Channel ops name a handle slot (0..2) of the channel's send or receive side. */
export type Op =
  | { o: "send"; slot: number; nowait: boolean }
  | { o: "receive"; slot: number; nowait: boolean }
  | { o: "closeSend"; slot: number }
  | { o: "closeReceive"; slot: number }
  | { o: "cloneSend"; slot: number; into: number }
  | { o: "cloneReceive"; slot: number; into: number }
  | { o: "set"; ev: number }
  | { o: "wait"; ev: number }
  | { o: "acquire"; lock: number; nowait: boolean }
  | { o: "release"; lock: number }
  | { o: "semAcquire"; nowait: boolean }
  | { o: "semRelease" }
  | { o: "limAcquire"; nowait: boolean; borrower: number | null }
  | { o: "limRelease"; borrower: number | null }
  | { o: "limTotal"; n: number }
  | { o: "condWait" }
  | { o: "condNotify"; n: number | null };

export type Stmt =
  | { k: "sleep"; d: number }
  | { k: "raise"; id: number }
  /** Cancels an enclosing scope by id. */
  | { k: "cancel"; target: number }
  | { k: "scope"; id: number; deadline: number | null; shield: boolean; body: Stmt[] }
  /** failAfter (fail: true) or moveOnAfter. */
  | { k: "timeout"; id: number; fail: boolean; d: number; body: Stmt[] }
  | { k: "nursery"; id: number; body: Stmt[]; children: Stmt[][] }
  /** `nursery.start()` of `body` into an enclosing nursery; logs what start returned or raised. */
  | { k: "start"; id: number; nursery: number; body: Stmt[] }
  /** `taskStatus.started(id)` of the enclosing start body. */
  | { k: "started"; id: number }
  | { k: "try"; id: number; body: Stmt[]; fin: Stmt[] }
  /** Swallows every error but a Cancelled (or a group of Cancelled only), logging it. */
  | { k: "catch"; id: number; body: Stmt[] }
  /** `async with lock` (lock 0/1) or `async with condition` (lock 2). */
  | { k: "with"; id: number; lock: number; body: Stmt[] }
  /** An operation; logs its result or error. With `swallow`, an error other than Cancelled is swallowed, else it propagates. */
  | { k: "op"; id: number; op: Op; swallow: boolean };

export interface Program {
  /** The channel's buffer size. */
  buffer: number;
  /** The semaphore's initial value and maxValue (null: none). */
  sem: [number, number | null];
  /** The limiter's totalTokens. */
  tokens: number;
  main: Stmt[];
}

type Raw =
  | { k: "sleep"; d: number }
  | { k: "raise"; d: number }
  | { k: "cancel"; d: number; pick: number }
  | { k: "scope"; deadline: number | null; shield: boolean; body: Raw[] }
  | { k: "timeout"; fail: boolean; d: number; body: Raw[] }
  | { k: "nursery"; body: Raw[]; children: Raw[][] }
  | { k: "start"; d: number; pick: number; body: Raw[]; at: number[] }
  | { k: "try"; body: Raw[]; fin: Raw[]; shield: [number, number | null] | null }
  | { k: "catch"; body: Raw[] }
  | { k: "with"; d: number; lock: number; first: Raw | null; body: Raw[] }
  | { k: "op"; d: number; op: Op; swallow: boolean };

export interface ProgramOptions {
  maxDepth?: number;
  maxLength?: number;
}

// Slot 0 holds the first handle of each side; 1 and 2 are filled by clones.
const slot = fc.oneof({ arbitrary: fc.constant(0), weight: 4 }, { arbitrary: fc.constant(1), weight: 1 }, { arbitrary: fc.constant(2), weight: 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ o: fc.constant("send" as const), slot, nowait: fc.boolean() }), weight: 4 },
  { arbitrary: fc.record({ o: fc.constant("receive" as const), slot, nowait: fc.boolean() }), weight: 4 },
  { arbitrary: fc.record({ o: fc.constant("closeSend" as const), slot }), weight: 2 },
  { arbitrary: fc.record({ o: fc.constant("closeReceive" as const), slot }), weight: 2 },
  { arbitrary: fc.record({ o: fc.constant("cloneSend" as const), slot, into: slot }), weight: 1 },
  { arbitrary: fc.record({ o: fc.constant("cloneReceive" as const), slot, into: slot }), weight: 1 },
  { arbitrary: fc.record({ o: fc.constant("set" as const), ev: fc.nat(1) }), weight: 2 },
  { arbitrary: fc.record({ o: fc.constant("wait" as const), ev: fc.nat(1) }), weight: 3 },
  { arbitrary: fc.record({ o: fc.constant("acquire" as const), lock: fc.nat(1), nowait: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ o: fc.constant("release" as const), lock: fc.nat(1) }), weight: 2 },
  { arbitrary: fc.record({ o: fc.constant("semAcquire" as const), nowait: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ o: fc.constant("semRelease" as const) }), weight: 2 },
  { arbitrary: fc.record({ o: fc.constant("limAcquire" as const), nowait: fc.boolean(), borrower: fc.option(fc.nat(1), { freq: 2 }) }), weight: 2 },
  { arbitrary: fc.record({ o: fc.constant("limRelease" as const), borrower: fc.option(fc.nat(1), { freq: 2 }) }), weight: 2 },
  { arbitrary: fc.record({ o: fc.constant("limTotal" as const), n: fc.nat(3) }), weight: 1 },
  { arbitrary: fc.record({ o: fc.constant("condWait" as const) }), weight: 1 },
  { arbitrary: fc.record({ o: fc.constant("condNotify" as const), n: fc.option(fc.integer({ min: 1, max: 2 }), { freq: 2 }) }), weight: 1 },
);

/** Random programs (see the module comment). */
export function programArb(options: ProgramOptions = {}): fc.Arbitrary<Program> {
  const maxDepth = options.maxDepth ?? 3;
  const maxLength = options.maxLength ?? 5;
  // 1/1024 s to 4 s, exact in binary.
  const duration = fc.integer({ min: 1, max: 4096 }).map((n) => n / 1024);
  const { list } = fc.letrec<{ stmt: Raw; list: Raw[] }>((tie) => {
    const list = tie("list") as fc.Arbitrary<Raw[]>;
    const leaf = fc.oneof(
      { arbitrary: duration.map((d): Raw => ({ k: "sleep", d })), weight: 2 },
      { arbitrary: duration.map((d): Raw => ({ k: "raise", d })), weight: 1 },
      { arbitrary: fc.record({ k: fc.constant("cancel" as const), d: duration, pick: fc.nat(7) }), weight: 1 },
      { arbitrary: fc.record({ k: fc.constant("op" as const), d: duration, op: opArb, swallow: fc.boolean().chain((b) => (b ? fc.constant(true) : fc.boolean())) }), weight: 12 },
    );
    const condFirst = fc.oneof(
      fc.record({ k: fc.constant("op" as const), d: duration, op: fc.constant<Op>({ o: "condWait" }), swallow: fc.boolean() }),
      fc.record({ k: fc.constant("op" as const), d: duration, op: fc.record({ o: fc.constant("condNotify" as const), n: fc.option(fc.integer({ min: 1, max: 2 }), { freq: 2 }) }), swallow: fc.boolean() }),
    );
    const node = fc.oneof(
      { arbitrary: fc.record({ k: fc.constant("scope" as const), deadline: fc.option(duration, { freq: 2 }), shield: fc.boolean(), body: list }), weight: 2 },
      { arbitrary: fc.record({ k: fc.constant("timeout" as const), fail: fc.boolean(), d: duration, body: list }), weight: 2 },
      { arbitrary: fc.record({ k: fc.constant("nursery" as const), body: list, children: fc.array(list, { minLength: 1, maxLength: 3 }) }), weight: 4 },
      {
        arbitrary: fc.record({ k: fc.constant("start" as const), d: duration, pick: fc.nat(7), body: list, at: fc.array(fc.nat(6), { maxLength: 2 }) }),
        weight: 3,
      },
      // shield: the finally block runs in a shielded scope of that deadline, so it can still fail after a
      // cancellation, and (if the second number is given) it raises at its end after that sleep.
      { arbitrary: fc.record({ k: fc.constant("try" as const), body: list, fin: list, shield: fc.option(fc.tuple(duration, fc.option(duration, { freq: 3 })), { freq: 1 }) }), weight: 3 },
      { arbitrary: fc.record({ k: fc.constant("catch" as const), body: list }), weight: 2 },
      { arbitrary: fc.record({ k: fc.constant("with" as const), d: duration, lock: fc.nat(2), first: fc.option(condFirst, { freq: 3 }), body: list }), weight: 2 },
    );
    return {
      stmt: fc.oneof({ maxDepth, depthIdentifier: "sync" }, leaf, node),
      list: fc.array(tie("stmt") as fc.Arbitrary<Raw>, { maxLength, size: "medium", depthIdentifier: "sync" }),
    };
  });
  return fc
    .record({
      buffer: fc.nat(2),
      sem: fc.nat(2).chain((v) => fc.tuple(fc.constant(v), fc.option(fc.integer({ min: v, max: v + 1 }), { freq: 2 }))),
      tokens: fc.integer({ min: 1, max: 2 }),
      main: fc.array(list, { minLength: 2, maxLength: 3 }),
      // Per task of the main nursery: whether it runs inside a try whose finally block is shielded and raises,
      // so that outcomes with several real errors are common (the first failure does not cancel them away).
      guards: fc.array(fc.option(fc.tuple(duration, duration, fc.option(duration, { freq: 4 })), { freq: 2 }), { minLength: 3, maxLength: 3 }),
    })
    // The main task always runs a nursery, so there are tasks to interact.
    .map(({ buffer, sem, tokens, main, guards }) => {
      const lists = main.map((l, i): Raw[] => {
        const g = guards[i];
        return g === null || g === undefined ? l : [{ k: "try", body: l, fin: [], shield: [g[0], g[1]] }, ...(g[2] === null ? [] : [{ k: "sleep" as const, d: g[2] }])];
      });
      return { buffer, sem: sem as [number, number | null], tokens, main: numbered({ k: "nursery", body: lists[0]!, children: lists.slice(1) }) };
    });
}

/**
 * Assigns unique ids, expands every action into "sleep, then act",
 * resolves cancels to enclosing scopes and starts to enclosing nurseries,
 * and places the `started()` calls of each start body (`at`: positions in
 * its top-level list; none: the child never calls it; two: it calls it twice).
 */
function numbered(root: Raw): Stmt[] {
  let next = 1;
  const walk = (list: Raw[], scopes: number[], nurseries: number[]): Stmt[] => {
    const out: Stmt[] = [];
    for (const r of list) {
      switch (r.k) {
        case "sleep":
          out.push({ k: "sleep", d: r.d });
          break;
        case "raise":
          out.push({ k: "sleep", d: r.d }, { k: "raise", id: next++ });
          break;
        case "cancel": {
          const t = scopes[r.pick % Math.max(1, scopes.length)];
          if (t !== undefined) out.push({ k: "sleep", d: r.d }, { k: "cancel", target: t });
          break;
        }
        case "scope": {
          const id = next++;
          // A shielded scope always has a deadline: the run's global deadline cannot reach into it, and a program may deadlock.
          const deadline = r.shield ? (r.deadline ?? 4) : r.deadline;
          out.push({ k: "scope", id, deadline, shield: r.shield, body: walk(r.body, [...scopes, id], nurseries) });
          break;
        }
        case "timeout": {
          const id = next++;
          out.push({ k: "timeout", id, fail: r.fail, d: r.d, body: walk(r.body, scopes, nurseries) });
          break;
        }
        case "nursery": {
          const id = next++;
          const inner = [...nurseries, id];
          out.push({ k: "nursery", id, children: r.children.map((c) => walk(c, scopes, inner)), body: walk(r.body, scopes, inner) });
          break;
        }
        case "start": {
          const target = nurseries[r.pick % Math.max(1, nurseries.length)];
          if (target === undefined) break;
          const id = next++;
          const body = walk(r.body, scopes, nurseries);
          // Insert started() calls from the last position back, each after a sleep.
          const at = [...r.at].map((p) => Math.min(p, body.length)).sort((a, b) => b - a);
          for (const p of at) body.splice(p, 0, { k: "sleep", d: (1 + ((id * 37 + p * 101) % 1000)) / 1024 }, { k: "started", id: next++ });
          out.push({ k: "sleep", d: r.d }, { k: "start", id, nursery: target, body });
          break;
        }
        case "try": {
          const id = next++;
          const body = walk(r.body, scopes, nurseries);
          if (r.shield === null) {
            out.push({ k: "try", id, body, fin: walk(r.fin, scopes, nurseries) });
          } else {
            const scope = next++;
            const fin = walk(r.fin, [...scopes, scope], nurseries);
            if (r.shield[1] !== null) fin.push({ k: "sleep", d: r.shield[1] }, { k: "raise", id: next++ });
            out.push({ k: "try", id, body, fin: [{ k: "scope", id: scope, deadline: r.shield[0], shield: true, body: fin }] });
          }
          break;
        }
        case "catch": {
          const id = next++;
          out.push({ k: "catch", id, body: walk(r.body, scopes, nurseries) });
          break;
        }
        case "with": {
          const id = next++;
          const body = walk(r.lock === 2 && r.first !== null ? [r.first, ...r.body] : r.body, scopes, nurseries);
          out.push({ k: "sleep", d: r.d }, { k: "with", id, lock: r.lock, body });
          break;
        }
        case "op":
          out.push({ k: "sleep", d: r.d }, { k: "op", id: next++, op: r.op, swallow: r.swallow });
          break;
      }
    }
    return out;
  };
  return walk([root], [], []);
}

/** A compact one-line rendering, for failure messages. */
export function show(p: Program): string {
  const one = (s: Stmt): string => {
    switch (s.k) {
      case "sleep":
        return `sleep(${s.d})`;
      case "raise":
        return `raise#${s.id}`;
      case "cancel":
        return `cancel(#${s.target})`;
      case "scope":
        return `scope#${s.id}${s.shield ? "[shield]" : ""}${s.deadline === null ? "" : `[+${s.deadline}]`}{${many(s.body)}}`;
      case "timeout":
        return `${s.fail ? "failAfter" : "moveOnAfter"}#${s.id}(${s.d}){${many(s.body)}}`;
      case "nursery":
        return `nursery#${s.id}{children: [${s.children.map((c) => `{${many(c)}}`).join(", ")}], body: ${many(s.body)}}`;
      case "start":
        return `start#${s.id}(nursery#${s.nursery}){${many(s.body)}}`;
      case "started":
        return `started#${s.id}`;
      case "try":
        return `try#${s.id}{${many(s.body)}} finally {${many(s.fin)}}`;
      case "catch":
        return `catch#${s.id}{${many(s.body)}}`;
      case "with":
        return `with#${s.id}(${s.lock === 2 ? "cond" : `lock${s.lock}`}){${many(s.body)}}`;
      case "op":
        return `${s.op.o}#${s.id}${JSON.stringify({ ...s.op, o: undefined })}${s.swallow ? "?" : ""}`;
    }
  };
  const many = (list: Stmt[]): string => list.map(one).join("; ");
  return `[buffer ${p.buffer}, sem ${p.sem[0]}/${p.sem[1] ?? "-"}, tokens ${p.tokens}] ${many(p.main)}`;
}

/**
 * The programs of the model-based tests, as plain data, and the fast-check
 * arbitrary that makes them.
 *
 * A program is a list of statements: sleeps, marks, errors, manual
 * cancellation of an enclosing scope, cancel scopes (deadline, shield),
 * moving an enclosing scope's deadline, nurseries with children,
 * try/finally and try/catch. The same data is run
 * twice: by the reference model (model.ts) and by the real runtime
 * (runtime.ts), and the outcomes must be equal.
 *
 * Why the generator is shaped so: the outcome of a concurrent program is a
 * function of the program only if no two things race at one instant. So
 * every sleep is positive (no bare checkpoint, whose result depends on
 * whether a cancellation arrived before or after it yielded), and every
 * action (raising an error, cancelling a scope) comes right after a sleep,
 * so it happens at a virtual instant of its own. Durations are random
 * multiples of 1/1024 s (exact in binary floating point); the model flags a
 * program in which two timed events still coincide as ambiguous, and the
 * property skips it.
 */
import fc from "fast-check";

/** One statement. Ids are unique per program (assigned by `numbered`). */
export type Stmt =
  | { k: "sleep"; d: number }
  | { k: "mark"; id: number }
  | { k: "raise"; id: number }
  /** Cancels an enclosing `scope` (or, with `nursery`, an enclosing nursery's own scope) by id. */
  | { k: "cancel"; target: number; nursery: boolean }
  /** Moves the deadline of an enclosing `scope` to `d` seconds from now. */
  | { k: "move"; target: number; d: number }
  | { k: "scope"; id: number; deadline: number | null; shield: boolean; body: Stmt[] }
  | { k: "nursery"; id: number; body: Stmt[]; children: Stmt[][] }
  | { k: "try"; id: number; body: Stmt[]; fin: Stmt[] }
  /** try { body } catch: swallows every error except a bare Cancelled, recording its leaves. */
  | { k: "catch"; id: number; body: Stmt[] };

/** A program: the main task's statements. */
export type Program = Stmt[];

/** The raw shape the arbitrary makes, before ids and targets are assigned. */
export type Raw =
  | { k: "sleep"; d: number }
  | { k: "mark" }
  | { k: "raise"; d: number }
  | { k: "cancel"; d: number; pick: number }
  | { k: "move"; d: number; to: number; pick: number }
  | { k: "scope"; deadline: number | null; shield: boolean; body: Raw[] }
  | { k: "nursery"; body: Raw[]; children: Raw[][] }
  | { k: "try"; body: Raw[]; fin: Raw[] }
  | { k: "catch"; body: Raw[] };

/** Options of the arbitrary. */
export interface ProgramOptions {
  /** Deepest nesting of scopes, nurseries and try blocks. */
  maxDepth?: number;
  /** Longest statement list. */
  maxLength?: number;
}

/** Random programs (see the module comment). */
export function programArb(options: ProgramOptions = {}): fc.Arbitrary<Program> {
  const maxDepth = options.maxDepth ?? 4;
  const maxLength = options.maxLength ?? 5;
  // Durations: 1/1024 s to about 8 s, exact in binary.
  const duration = fc.integer({ min: 1, max: 8192 }).map((n) => n / 1024);
  const { list } = fc.letrec<{ stmt: Raw; list: Raw[] }>((tie) => {
    const list = tie("list") as fc.Arbitrary<Raw[]>;
    const leaf = fc.oneof(
      { arbitrary: duration.map((d): Raw => ({ k: "sleep", d })), weight: 5 },
      { arbitrary: fc.constant<Raw>({ k: "mark" }), weight: 2 },
      { arbitrary: duration.map((d): Raw => ({ k: "raise", d })), weight: 2 },
      { arbitrary: fc.record({ k: fc.constant("cancel" as const), d: duration, pick: fc.nat(7) }), weight: 2 },
      { arbitrary: fc.record({ k: fc.constant("move" as const), d: duration, to: duration, pick: fc.nat(7) }), weight: 1 },
    );
    const node = fc.oneof(
      {
        arbitrary: fc.record({ k: fc.constant("scope" as const), deadline: fc.option(duration, { freq: 2 }), shield: fc.boolean(), body: list }),
        weight: 3,
      },
      { arbitrary: fc.record({ k: fc.constant("nursery" as const), body: list, children: fc.array(list, { maxLength: 3 }) }), weight: 3 },
      { arbitrary: fc.record({ k: fc.constant("try" as const), body: list, fin: list }), weight: 2 },
      { arbitrary: fc.record({ k: fc.constant("catch" as const), body: list }), weight: 1 },
    );
    return {
      stmt: fc.oneof({ maxDepth, depthIdentifier: "program" }, leaf, node),
      list: fc.array(tie("stmt") as fc.Arbitrary<Raw>, { maxLength, size: "medium", depthIdentifier: "program" }),
    };
  });
  return list.filter((l) => l.length > 0).map(numbered);
}

/**
 * Assigns unique ids, expands `raise`/`cancel` into "sleep, then act", and
 * resolves each cancel to one of its enclosing scopes (or a mark if none).
 */
export function numbered(raw: Raw[]): Program {
  let next = 1;
  interface Target {
    id: number;
    nursery: boolean;
  }
  const walk = (list: Raw[], enclosing: Target[]): Stmt[] => {
    const out: Stmt[] = [];
    for (const r of list) {
      switch (r.k) {
        case "sleep":
          out.push({ k: "sleep", d: r.d });
          break;
        case "mark":
          out.push({ k: "mark", id: next++ });
          break;
        case "raise":
          out.push({ k: "sleep", d: r.d }, { k: "raise", id: next++ });
          break;
        case "cancel": {
          const t = enclosing[r.pick % Math.max(1, enclosing.length)];
          if (t === undefined) out.push({ k: "mark", id: next++ });
          else out.push({ k: "sleep", d: r.d }, { k: "cancel", target: t.id, nursery: t.nursery });
          break;
        }
        case "move": {
          const scopes = enclosing.filter((t) => !t.nursery);
          const t = scopes[r.pick % Math.max(1, scopes.length)];
          if (t === undefined) out.push({ k: "mark", id: next++ });
          else out.push({ k: "sleep", d: r.d }, { k: "move", target: t.id, d: r.to });
          break;
        }
        case "scope": {
          const id = next++;
          out.push({ k: "scope", id, deadline: r.deadline, shield: r.shield, body: walk(r.body, [...enclosing, { id, nursery: false }]) });
          break;
        }
        case "nursery": {
          const id = next++;
          const inside = [...enclosing, { id, nursery: true }];
          const children = r.children.map((c) => walk(c, inside));
          out.push({ k: "nursery", id, children, body: walk(r.body, inside) });
          break;
        }
        case "try": {
          const id = next++;
          out.push({ k: "try", id, body: walk(r.body, enclosing), fin: walk(r.fin, enclosing) });
          break;
        }
        case "catch": {
          const id = next++;
          out.push({ k: "catch", id, body: walk(r.body, enclosing) });
          break;
        }
      }
    }
    return out;
  };
  return walk(raw, []);
}

/** A compact one-line rendering, for failure messages. */
export function show(program: Program): string {
  const one = (s: Stmt): string => {
    switch (s.k) {
      case "sleep":
        return `sleep(${s.d})`;
      case "mark":
        return `mark#${s.id}`;
      case "raise":
        return `raise#${s.id}`;
      case "cancel":
        return `cancel(${s.nursery ? "nursery" : "scope"}#${s.target})`;
      case "move":
        return `move(scope#${s.target}, +${s.d})`;
      case "scope":
        return `scope#${s.id}${s.shield ? "[shield]" : ""}${s.deadline === null ? "" : `[deadline +${s.deadline}]`}{${many(s.body)}}`;
      case "nursery":
        return `nursery#${s.id}{children: [${s.children.map((c) => `{${many(c)}}`).join(", ")}], body: ${many(s.body)}}`;
      case "try":
        return `try#${s.id}{${many(s.body)}} finally {${many(s.fin)}}`;
      case "catch":
        return `catch#${s.id}{${many(s.body)}}`;
    }
  };
  const many = (list: Stmt[]): string => list.map(one).join("; ");
  return many(program);
}

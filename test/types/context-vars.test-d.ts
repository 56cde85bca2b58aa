/**
 * Compile-time checks of ContextVar.set/reset, Context and RunVar (run by
 * tsc, never executed): a token only resets the type of variable that made
 * it, and the values read are typed.
 */
import { ContextVar, RunVar, copyContext, type Token } from "../../src/core/index.js";

export function tokens(): void {
  const name = new ContextVar<string>("name");
  const count = new ContextVar<number>("count", 0);
  const token: Token<string> = name.set("x");
  name.reset(token);
  // @ts-expect-error -- a token of a number variable is not one of a string variable.
  name.reset(count.set(1));
  // @ts-expect-error -- set() takes the variable's type.
  count.set("1");
  const old: string | symbol = token.oldValue;
  void old;
}

export function contexts(): number {
  const count = new ContextVar<number>("count", 0);
  const ctx = copyContext();
  const maybe: number | undefined = ctx.get(count);
  const sure: number = ctx.get(count, 0);
  void maybe;
  return ctx.run((a: number, b: number) => a + b + sure, 1, 2);
}

export function runVars(): string {
  const v = new RunVar<string>("v");
  const w = new RunVar("w", 1);
  // @ts-expect-error -- a token of RunVar<number> does not reset a RunVar<string>.
  v.reset(w.set(2));
  return v.get("fallback");
}

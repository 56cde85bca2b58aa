/**
 * Fails the test run on any unhandled Promise rejection or uncaught
 * exception in Node, whichever test file it comes from.
 *
 * Why it is built so: the runtime promises that no path leaves an error to
 * the host (every Promise it touches gets a handler; every error surfaces in
 * a nursery). Vitest reports such errors at the end of the run, detached
 * from the test that caused them; recording them here and failing in
 * `afterEach` pins the failure on the test that was running (or, for one
 * that arrives late, on the next test of the file, or the file's afterAll).
 * Tests that provoke one on purpose take it with `takeHostErrors()`.
 */
import { afterAll, afterEach } from "vitest";

interface HostError {
  kind: "unhandledRejection" | "uncaughtException";
  error: unknown;
}

const seen: HostError[] = [];
const key = Symbol.for("trio-asyncio.test.host-errors");
const registry = globalThis as unknown as Record<symbol, HostError[] | undefined>;

// A setup file runs once per test file, in the same worker: install once.
if (registry[key] === undefined && typeof process === "object" && typeof process.on === "function") {
  registry[key] = seen;
  process.on("unhandledRejection", (error) => {
    seen.push({ kind: "unhandledRejection", error });
  });
  process.on("uncaughtException", (error) => {
    seen.push({ kind: "uncaughtException", error });
  });
}

/** Removes and returns the host errors recorded so far (for tests that provoke one on purpose). */
export function takeHostErrors(): HostError[] {
  const list = registry[key] ?? [];
  return list.splice(0, list.length);
}

function check(): void {
  const errors = takeHostErrors();
  if (errors.length === 0) return;
  const text = errors.map((e) => `${e.kind}: ${e.error instanceof Error ? (e.error.stack ?? e.error.message) : String(e.error)}`).join("\n");
  throw new Error(`${errors.length} host error(s) escaped to Node during this test:\n${text}`);
}

afterEach(async () => {
  // Rejections are reported after the microtask queue drains: let one macrotask pass.
  await new Promise((resolve) => setImmediate(resolve));
  check();
});

afterAll(async () => {
  await new Promise((resolve) => setImmediate(resolve));
  check();
});

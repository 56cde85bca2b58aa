/**
 * A module worker made without `{ type: "module" }` runs as a classic script,
 * and its first `import` is a SyntaxError that names no fix. The load error
 * names it: make it a module worker.
 */
import { describe, expect, it } from "vitest";
import { run } from "../../src/index.js";
import { openWorker, WorkerLoadError, type BrowserWorkerLike } from "../../src/workers/index.js";

/** A browser Worker whose script fails to parse, as Chromium reports it: an ErrorEvent with only its text. */
class ClassicScriptWorker implements BrowserWorkerLike {
  private readonly listeners = new Set<(event: Event) => void>();
  terminated = false;
  constructor(private readonly text: string) {
    setTimeout(() => {
      const event = Object.assign(new Event("error"), { error: null, message: this.text });
      for (const listener of this.listeners) listener(event);
    }, 1);
  }
  postMessage(): void {}
  terminate(): void {
    this.terminated = true;
  }
  addEventListener(type: string, listener: (event: Event) => void): void {
    if (type === "error") this.listeners.add(listener);
  }
  removeEventListener(type: string, listener: (event: Event) => void): void {
    if (type === "error") this.listeners.delete(listener);
  }
}

async function loadError(text: string): Promise<Error> {
  const worker = new ClassicScriptWorker(text);
  let error: unknown;
  await run(function* () {
    yield* openWorker(worker, function* () {});
  }).catch((e: unknown) => (error = e));
  expect(worker.terminated).toBe(true);
  expect(error).toBeInstanceOf(WorkerLoadError);
  return error as Error;
}

describe("a module worker started as a classic script", () => {
  it("Chromium's wording: the error names { type: \"module\" }", async () => {
    const error = await loadError("Uncaught SyntaxError: Cannot use import statement outside a module");
    expect(error.message).toMatch(/failed to load: SyntaxError: Cannot use import statement outside a module\. It was started as a classic script: make it a module worker, new Worker\(url, \{ type: "module" \}\)\.$/);
  });

  it("Firefox's wording too", async () => {
    const error = await loadError("SyntaxError: import declarations may only appear at top level of a module");
    expect(error.message).toMatch(/new Worker\(url, \{ type: "module" \}\)/);
  });

  it("another load error keeps the general advice", async () => {
    const error = await loadError("Uncaught ReferenceError: document is not defined");
    expect(error.message).toMatch(/failed to load: ReferenceError: document is not defined\. Check the module URL/);
    expect(error.message).not.toMatch(/type: "module"/);
  });
});

/**
 * Parallel loader: 50 requests, at most 4 at a time (a CapacityLimiter),
 * all inside one nursery under one deadline. Cancelling (the button, the
 * deadline, or leaving the page) cancels the nursery: every request in
 * flight is aborted on the wire and the tasks still waiting for a token
 * never send theirs.
 */
import { useReducer, useRef, useState } from "preact/hooks";
import type { JSX } from "preact";
import { CapacityLimiter, moveOnAfter, openNursery, type Operation } from "../../src/index.js";
import { useTaskPolicy } from "../../src/preact/index.js";
import { getJson } from "../shared/http.js";
import { startDemo } from "../shared/page.js";

type Cell = "waiting" | "loading" | "done" | "cancelled";

/** What the load tasks report to the page. */
class Progress {
  cells: Cell[] = [];
  bytes = 0;
  startedAt = 0;
  endedAt = 0;
  constructor(private readonly changed: () => void) {}
  reset(count: number): void {
    this.cells = Array.from({ length: count }, () => "waiting");
    this.bytes = 0;
    this.startedAt = performance.now();
    this.endedAt = 0;
    this.changed();
  }
  set(i: number, cell: Cell, bytes = 0): void {
    this.cells[i] = cell;
    this.bytes += bytes;
    this.changed();
  }
  end(): void {
    this.endedAt = performance.now();
    this.changed();
  }
  count(cell: Cell): number {
    return this.cells.filter((c) => c === cell).length;
  }
}

interface Resource {
  id: number;
  bytes: number;
}

function* loadOne(i: number, limiter: CapacityLimiter, progress: Progress): Operation<void> {
  try {
    yield* limiter.acquire();
    try {
      progress.set(i, "loading");
      const r = yield* getJson<Resource>(`/api/resource?id=${i}`);
      progress.set(i, "done", r.bytes);
    } finally {
      limiter.release();
    }
  } finally {
    if (progress.cells[i] !== "done") progress.set(i, "cancelled");
  }
}

function* loadAll(count: number, limit: number, deadline: number, progress: Progress): Operation<"complete" | "deadline"> {
  progress.reset(count);
  const limiter = new CapacityLimiter(limit);
  let complete = false;
  try {
    yield* moveOnAfter(deadline, function* () {
      yield* openNursery(function* (n) {
        for (let i = 0; i < count; i++) n.startSoon(loadOne, i, limiter, progress);
      });
      complete = true;
    });
  } finally {
    progress.end();
  }
  return complete ? "complete" : "deadline";
}

const COUNT = 50;
const LIMIT = 4;

function LoaderDemo(): JSX.Element {
  const params = new URLSearchParams(location.search);
  const [deadline, setDeadline] = useState(Number(params.get("deadline") ?? 10));
  const [, force] = useReducer((n: number) => n + 1, 0);
  const progress = useRef<Progress | null>(null);
  progress.current ??= new Progress(() => force(undefined));
  const p = progress.current;
  const load = useTaskPolicy(loadAll, { policy: "drop", name: "loadAll" });
  const last = load.last;
  const done = p.count("done");
  const seconds = ((p.endedAt || performance.now()) - p.startedAt) / 1000;
  let outcome = "";
  if (last !== null && last.isFinished) {
    const aborted = p.count("cancelled");
    if (last.state === "succeeded" && last.value === "complete") outcome = `Loaded ${done} of ${COUNT} in ${seconds.toFixed(1)} s.`;
    else if (last.state === "succeeded") outcome = `Deadline of ${deadline} s passed: loaded ${done} of ${COUNT}; ${aborted} cancelled.`;
    else if (last.state === "cancelled") outcome = `Cancelled: loaded ${done} of ${COUNT}; ${aborted} cancelled.`;
    else outcome = `Failed: ${String(last.error)}`;
  }
  return (
    <>
      <div class="card">
        <div class="row">
          <button class="primary" disabled={load.isRunning} onClick={() => load.perform(COUNT, LIMIT, deadline, p)}>
            Load {COUNT} resources
          </button>
          <button disabled={!load.isRunning} onClick={() => load.cancelAll("the Cancel button")}>
            Cancel
          </button>
          <label>
            deadline
            <input
              type="number"
              aria-label="Deadline in seconds"
              min="0.1"
              step="0.5"
              value={deadline}
              style={{ width: "5em" }}
              onInput={(e) => setDeadline(Number(e.currentTarget.value) || 10)}
            />
            s
          </label>
        </div>
        <div class="bar" role="progressbar" aria-valuemin={0} aria-valuemax={COUNT} aria-valuenow={done}>
          <div style={{ width: `${(100 * done) / COUNT}%` }} />
        </div>
        <p class="row">
          <span data-testid="loaded">
            loaded {done} / {COUNT}
          </span>
          <span class="muted" data-testid="in-flight">
            in flight: {p.count("loading")} (limit {LIMIT})
          </span>
          <span class="muted">{(p.bytes / 1024).toFixed(1)} KiB</span>
        </p>
        <p data-testid="outcome" class={`status ${last?.state === "succeeded" && last.value === "complete" ? "ok" : "bad"}`}>
          {load.isRunning ? "" : outcome}
        </p>
        <div class="grid" aria-label="Resources">
          {(p.cells.length ? p.cells : Array.from({ length: COUNT }, () => "waiting" as Cell)).map((c, i) => (
            <div key={i} class={`cell ${c}`} title={`resource ${i}: ${c}`}>
              {i}
            </div>
          ))}
        </div>
      </div>
    </>
  );
}

startDemo({
  id: "loader",
  App: LoaderDemo,
  intro: (
    <p>
      Each resource is a task in one nursery; each takes a token from a <code>CapacityLimiter(4)</code> before its{" "}
      <code>abortable</code> fetch, so at most four requests are on the wire. The nursery runs inside{" "}
      <code>moveOnAfter(deadline)</code>. Cancel, the deadline or leaving the page all do the same thing: cancel a scope. The
      four requests in flight are aborted, the waiting tasks give up their place in line, and nothing is left running.
    </p>
  ),
});

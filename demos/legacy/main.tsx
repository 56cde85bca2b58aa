/**
 * The legacy asyncio module, driven from Trio-flavoured UI code: the task
 * opens an asyncio loop for exactly as long as it needs one (`openLoop`),
 * calls the module's coroutine through `aioAsTrio`, and can be cancelled
 * from the Trio side (a button, or a Trio deadline). The cancellation
 * reaches the asyncio code as a CancelledError at its `yield*`; its
 * `finally` blocks run, the cancelled Futures abort their requests, and the
 * loop closes with nothing left on it.
 */
import { useState } from "preact/hooks";
import type { JSX } from "preact";
import { aioAsTrio, moveOnAfter, openLoop, type Operation } from "../../src/index.js";
import { useTaskPolicy } from "../../src/preact/index.js";
import { startDemo } from "../shared/page.js";
import { processJobs, type BatchSummary, type JobOutcome } from "./legacy-client.js";

interface Reporter {
  onResult(outcome: JobOutcome): void;
  log(line: string): void;
}

const runBatch = aioAsTrio(processJobs);

function* runLegacy(jobs: readonly number[], concurrency: number, deadline: number, ui: Reporter): Operation<BatchSummary | "deadline"> {
  ui.log(`Trio: opening an asyncio loop for ${jobs.length} jobs, ${concurrency} workers`);
  try {
    const summary = yield* openLoop(() => moveOnAfter(deadline, () => runBatch(jobs, concurrency, ui.onResult, ui.log)));
    ui.log("Trio: the loop is closed");
    return summary ?? "deadline";
  } finally {
    ui.log("Trio: runLegacy is done");
  }
}

const JOBS = 12;
const WORKERS = 3;

function LegacyDemo(): JSX.Element {
  const params = new URLSearchParams(location.search);
  const deadline = Number(params.get("deadline") ?? 30);
  const [outcomes, setOutcomes] = useState<JobOutcome[]>([]);
  const [lines, setLines] = useState<string[]>([]);
  const run = useTaskPolicy(runLegacy, { policy: "drop", name: "runLegacy" });
  const start = () => {
    setOutcomes([]);
    setLines([]);
    const ui: Reporter = {
      onResult: (o) => setOutcomes((os) => [...os, o]),
      log: (line) => setLines((ls) => [...ls, line]),
    };
    run.perform(
      Array.from({ length: JOBS }, (_, i) => i + 1),
      WORKERS,
      deadline,
      ui,
    );
  };
  const last = run.last;
  let outcome = "";
  if (run.isRunning) outcome = `running: ${outcomes.length} of ${JOBS} jobs done`;
  else if (last?.state === "succeeded" && last.value === "deadline") outcome = `Trio deadline of ${deadline} s passed: ${outcomes.length} of ${JOBS} jobs done`;
  else if (last?.state === "succeeded" && typeof last.value === "object") outcome = `done: ${last.value.done} jobs, ${last.value.failed} failed`;
  else if (last?.state === "cancelled") outcome = `cancelled from Trio: ${outcomes.length} of ${JOBS} jobs done`;
  else if (last?.state === "failed") outcome = `failed: ${String(last.error)}`;
  return (
    <div class="card">
      <div class="row">
        <button class="primary" disabled={run.isRunning} onClick={start}>
          Run {JOBS} jobs
        </button>
        <button disabled={!run.isRunning} onClick={() => run.cancelAll("the Cancel button")}>
          Cancel from Trio
        </button>
        <span class="muted">
          {WORKERS} asyncio workers, asyncio.Queue, waitFor(2 s) per job
        </span>
      </div>
      <p data-testid="legacy-outcome" class={`status ${run.isRunning ? "running" : last?.state === "succeeded" ? "ok" : "bad"}`}>
        {outcome}
      </p>
      <div class="grid" aria-label="Jobs">
        {Array.from({ length: JOBS }, (_, i) => {
          const o = outcomes.find((x) => x.job === i + 1);
          return (
            <div key={i} class={`cell ${o === undefined ? "" : o.ok ? "done" : "cancelled"}`} title={o === undefined ? "pending" : o.ok ? `checksum ${o.checksum} by ${o.worker}` : o.error}>
              {i + 1}
            </div>
          );
        })}
      </div>
      <div class="log" data-testid="legacy-log">
        {lines.map((l, i) => (
          <div key={i} style={{ color: l.startsWith("Trio") ? "#9fc3ff" : undefined }}>
            {l}
          </div>
        ))}
      </div>
    </div>
  );
}

startDemo({
  id: "legacy",
  App: LegacyDemo,
  intro: (
    <p>
      <code>legacy-client.ts</code> is asyncio code of the old school: an XMLHttpRequest callback API wrapped into{" "}
      <code>loop.createFuture()</code> by hand, worker Tasks fed by an <code>asyncio.Queue</code>, <code>waitFor</code> per job.
      The Trio side runs it with <code>openLoop(() =&gt; aioAsTrio(processJobs)(…))</code> and cancels it like any Trio
      operation. The asyncio code gets a <code>CancelledError</code>, its <code>finally</code> blocks run, cancelled Futures
      abort their requests, and the loop closes with nothing left on it.
    </p>
  ),
});

/**
 * Retry with backoff under deadlines: `retry` gives each attempt its own
 * deadline (`attemptTimeout`), and the whole retry under an overall `failAfter`. A hung
 * attempt is aborted on the wire when its deadline passes; when the overall
 * deadline passes, whatever is happening (a request, a backoff sleep) is
 * cancelled. The endpoint fails at random, deterministically per seed.
 */
import { useState } from "preact/hooks";
import type { JSX } from "preact";
import { TooSlowError, failAfter, retry, type Operation } from "../../src/index.js";
import { useTaskPolicy } from "../../src/preact/index.js";
import { HttpError, getJson } from "../shared/http.js";
import { startDemo } from "../shared/page.js";

/** The knobs, all in seconds. */
interface RetryOptions {
  seed: number;
  deadline: number;
  attemptTimeout: number;
  baseDelay: number;
  maxDelay: number;
}

interface LogLine {
  attempt: number;
  text: string;
  kind: "info" | "ok" | "bad";
}

interface FlakyAnswer {
  value: string;
}

function* fetchWithRetry(options: RetryOptions, log: (line: LogLine) => void): Operation<{ value: string; attempts: number }> {
  let attempt = 0;
  try {
    return yield* failAfter(options.deadline, () =>
      retry(
        function* (n) {
          attempt = n;
          const url = `/api/flaky?seed=${options.seed}&attempt=${n}`;
          log({ attempt: n, text: `attempt ${n}: GET ${url}`, kind: "info" });
          const answer = yield* getJson<FlakyAnswer>(url);
          log({ attempt: n, text: `attempt ${n}: ok, ${answer.value}`, kind: "ok" });
          return { value: answer.value, attempts: n };
        },
        {
          attempts: Infinity,
          delay: options.baseDelay,
          maxDelay: options.maxDelay,
          // A hung attempt is cancelled (its request aborted) and fails with TooSlowError.
          attemptTimeout: options.attemptTimeout,
          // Retry what a flaky server does; anything else is a bug to show.
          retryIf: (error) => error instanceof TooSlowError || error instanceof HttpError,
          onRetry: (error, n, delay) => {
            const why = error instanceof HttpError ? `HTTP ${error.status}` : `no answer within ${options.attemptTimeout} s, aborted`;
            log({ attempt: n, text: `attempt ${n}: ${why}`, kind: "bad" });
            log({ attempt: n, text: `waiting ${delay.toFixed(2)} s before retrying`, kind: "info" });
          },
        },
      ),
    );
  } catch (error) {
    if (error instanceof TooSlowError) {
      log({ attempt, text: `overall deadline of ${options.deadline} s passed during attempt ${attempt}`, kind: "bad" });
      throw new Error(`gave up: the deadline of ${options.deadline} s passed after ${attempt} attempts`, { cause: error });
    }
    throw error;
  }
}

function numberParam(params: URLSearchParams, name: string, fallback: number): number {
  const v = Number(params.get(name));
  return params.has(name) && Number.isFinite(v) ? v : fallback;
}

function RetryDemo(): JSX.Element {
  const params = new URLSearchParams(location.search);
  const [seed, setSeed] = useState(numberParam(params, "seed", Math.floor(Math.random() * 1000)));
  const [deadline, setDeadline] = useState(numberParam(params, "deadline", 6));
  const attemptTimeout = numberParam(params, "attemptTimeout", 1);
  const baseDelay = numberParam(params, "baseDelay", 0.2);
  const [lines, setLines] = useState<LogLine[]>([]);
  const retry = useTaskPolicy(fetchWithRetry, { policy: "restartable", name: "fetchWithRetry" });
  const start = () => {
    setLines([]);
    retry.perform({ seed, deadline, attemptTimeout, baseDelay, maxDelay: 2 }, (line) => setLines((ls) => [...ls, line]));
  };
  const last = retry.last;
  let outcome = "";
  let kind = "running";
  if (last !== null && last.isFinished) {
    if (last.state === "succeeded") {
      outcome = `succeeded on attempt ${last.value!.attempts}: ${last.value!.value}`;
      kind = "ok";
    } else if (last.state === "failed") {
      outcome = (last.error as Error).message;
      kind = "bad";
    } else {
      outcome = `cancelled (${last.cancelReason ?? "cancelled"})`;
      kind = "bad";
    }
  } else if (retry.isRunning) outcome = "retrying…";
  return (
    <div class="card">
      <div class="row">
        <label>
          seed
          <input type="number" aria-label="Seed" value={seed} style={{ width: "6em" }} onInput={(e) => setSeed(Number(e.currentTarget.value) || 0)} />
        </label>
        <label>
          deadline
          <input
            type="number"
            aria-label="Overall deadline in seconds"
            value={deadline}
            min="0.5"
            step="0.5"
            style={{ width: "5em" }}
            onInput={(e) => setDeadline(Number(e.currentTarget.value) || 6)}
          />
          s
        </label>
        <button class="primary" onClick={start}>
          {retry.isRunning ? "Restart" : "Start"}
        </button>
        <button disabled={!retry.isRunning} onClick={() => retry.cancelAll("the Cancel button")}>
          Cancel
        </button>
      </div>
      <p class="muted">
        each attempt: {attemptTimeout} s at most · backoff {baseDelay} s, doubling, at most 2 s
      </p>
      <p data-testid="retry-outcome" class={`status ${kind}`}>
        {outcome}
      </p>
      <div class="log" data-testid="retry-log" aria-label="Attempts">
        {lines.map((l, i) => (
          <div key={i} style={{ color: l.kind === "ok" ? "#7fd99a" : l.kind === "bad" ? "#ff9a8f" : undefined }}>
            {l.text}
          </div>
        ))}
      </div>
    </div>
  );
}

startDemo({
  id: "retry",
  App: RetryDemo,
  intro: (
    <p>
      <code>/api/flaky</code> answers 503, hangs, or answers, at random but the same way for the same seed. The client retries
      with exponential backoff. Each attempt runs under <code>failAfter(1)</code>, so a hung request is aborted on the wire.
      The whole loop runs under an overall <code>failAfter(deadline)</code>, which also cuts a backoff sleep short. Start
      again while it runs and the old loop is cancelled first (a restartable task).
    </p>
  ),
});

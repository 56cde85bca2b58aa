/**
 * Search as you type: one restartable task. Each keystroke performs it
 * again, which cancels the running search; its `abortable` fetch is aborted,
 * so the server sees the stale request go away, and no stale answer can
 * ever be shown.
 */
import { useState } from "preact/hooks";
import type { JSX, TargetedEvent } from "preact";
import type { Operation } from "../../src/index.js";
import { useTaskPolicy } from "../../src/preact/index.js";
import { getJson } from "../shared/http.js";
import { startDemo } from "../shared/page.js";

interface SearchAnswer {
  q: string;
  results: string[];
}

function* search(q: string, latency: string | null): Operation<SearchAnswer> {
  const query = q.trim();
  if (query === "") return { q: query, results: [] };
  const extra = latency === null ? "" : `&latency=${encodeURIComponent(latency)}`;
  return yield* getJson<SearchAnswer>(`/api/search?q=${encodeURIComponent(query)}${extra}`);
}

function SearchDemo(): JSX.Element {
  const latency = new URLSearchParams(location.search).get("latency");
  const [text, setText] = useState("");
  const s = useTaskPolicy(search, { policy: "restartable", name: "search" });
  const answer = s.lastValue;
  const onInput = (e: TargetedEvent<HTMLInputElement>) => {
    const value = e.currentTarget.value;
    setText(value);
    s.perform(value, latency);
  };
  return (
    <>
      <div class="card">
        <input type="search" aria-label="Search" placeholder="Type: sched, cancel, que…" value={text} onInput={onInput} autofocus />
        <p class="row">
          <span data-testid="search-status" class={`status ${s.isRunning ? "running" : "ok"}`}>
            {s.isRunning ? "searching…" : "idle"}
          </span>
          {answer !== undefined && answer.q !== "" ? (
            <span data-testid="showing">
              results for <b>“{answer.q}”</b>
              {s.isRunning ? " (updating)" : ""}
            </span>
          ) : null}
        </p>
        {answer !== undefined && answer.q !== "" ? (
          answer.results.length > 0 ? (
            <ul class="results" data-testid="results">
              {answer.results.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          ) : (
            <p class="muted" data-testid="results">no match</p>
          )
        ) : null}
      </div>
      <div class="card">
        <table class="stats" data-testid="search-stats">
          <tbody>
            <tr><td>performs (keystrokes)</td><td class="n" data-testid="performs">{s.performCount}</td></tr>
            <tr><td>superseded and aborted</td><td class="n" data-testid="cancelled">{s.cancelledCount}</td></tr>
            <tr><td>answers shown</td><td class="n" data-testid="succeeded">{s.succeededCount}</td></tr>
            <tr><td>errors</td><td class="n">{s.failedCount}</td></tr>
          </tbody>
        </table>
      </div>
    </>
  );
}

startDemo({
  id: "search",
  App: SearchDemo,
  intro: (
    <p>
      <code>useTaskPolicy(search, {"{ policy: \"restartable\" }"})</code>: every keystroke performs the search again. The running
      instance's cancel scope is cancelled, its <code>abortable(signal =&gt; fetch(url, {"{ signal }"}))</code> aborts the
      request on the wire, and only the latest answer can ever reach the screen. Put <code>yield* sleep(0.2)</code> first in the
      task and you have a debounce for free: a keystroke within 200 ms cancels the sleep before any request is sent.
    </p>
  ),
});

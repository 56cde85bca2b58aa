/** @jsxImportSource react */
/**
 * The React app of the React demo page (the page around it is the demos'
 * shared Preact layout): `trio-asyncio/react` under `<StrictMode>`, with the
 * query committed in a transition.
 *
 * - The box updates at once; the query that the search depends on is set in
 *   `startTransition`, so React may skip queries typed faster than it
 *   renders. Each committed query restarts the `useTask`: the superseded
 *   search is cancelled and its `abortable` fetch aborted on the wire.
 * - StrictMode mounts the app, unmounts it and mounts it again: the search
 *   of the initial query (`?q=`) is still sent once, and nothing is closed.
 * - Hiding the results unmounts the component that owns the search: a
 *   search in flight is aborted with it.
 */
import { StrictMode, useState, useTransition, type ChangeEvent, type ReactElement } from "react";
import { createRoot } from "react-dom/client";
import type { Operation } from "../../src/index.js";
import { TrioRoot, useTask, type TrioRuntime } from "../../src/react/index.js";
import { getJson } from "../shared/http.js";

interface SearchAnswer {
  q: string;
  results: string[];
}

/** How often the search function ran (StrictMode must not make it run twice). */
const runs = { started: 0 };

function* search(q: string, latency: string | null): Operation<SearchAnswer> {
  runs.started++;
  const query = q.trim();
  if (query === "") return { q: query, results: [] };
  const extra = latency === null ? "" : `&latency=${encodeURIComponent(latency)}`;
  return yield* getJson<SearchAnswer>(`/api/search?q=${encodeURIComponent(query)}${extra}`);
}

function Results(props: { query: string; latency: string | null }): ReactElement {
  const result = useTask(() => search(props.query, props.latency), [props.query, props.latency], { name: "react search" });
  const answer = result.value;
  return (
    <div>
      <p className="row">
        <span data-testid="search-status" className={`status ${result.isRunning ? "running" : "ok"}`}>
          {result.isRunning ? "searching…" : result.status}
        </span>
        <span className="muted">
          search runs: <b data-testid="runs">{runs.started}</b>
        </span>
      </p>
      {answer !== undefined && answer.q !== "" ? (
        <>
          <p data-testid="showing">
            results for <b>“{answer.q}”</b>
            {result.isRunning ? " (updating)" : ""}
          </p>
          {answer.results.length > 0 ? (
            <ul className="results" data-testid="results">
              {answer.results.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          ) : (
            <p className="muted" data-testid="results">
              no match
            </p>
          )}
        </>
      ) : null}
    </div>
  );
}

function SearchApp(props: { initial: string; latency: string | null }): ReactElement {
  const [text, setText] = useState(props.initial);
  const [query, setQuery] = useState(props.initial);
  const [shown, setShown] = useState(true);
  const [isPending, startTransition] = useTransition();
  const onChange = (e: ChangeEvent<HTMLInputElement>) => {
    const value = e.currentTarget.value;
    setText(value);
    startTransition(() => setQuery(value));
  };
  return (
    <div className="card">
      <div className="row">
        <input type="search" aria-label="Search" placeholder="Type: sched, cancel, que…" value={text} onChange={onChange} autoFocus />
        <button onClick={() => setShown((s) => !s)}>{shown ? "Hide the results" : "Show the results"}</button>
        <span className="muted" data-testid="pending">
          {isPending ? "transition pending" : ""}
        </span>
      </div>
      {shown ? (
        <Results query={query} latency={props.latency} />
      ) : (
        <p className="muted" data-testid="hidden">
          The results are unmounted: their search went with them.
        </p>
      )}
    </div>
  );
}

/** Mounts the React app into `target` under StrictMode; returns its unmount. */
export function mountReactApp(target: HTMLElement, runtime: TrioRuntime): () => void {
  const params = new URLSearchParams(location.search);
  const root = createRoot(target);
  root.render(
    <StrictMode>
      <TrioRoot runtime={runtime}>
        <SearchApp initial={params.get("q") ?? ""} latency={params.get("latency")} />
      </TrioRoot>
    </StrictMode>,
  );
  return () => root.unmount();
}

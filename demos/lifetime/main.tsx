/**
 * Component lifetime: widgets that own tasks (a `useTask` ticker, a
 * `useNursery` for jobs started by a button, an enqueued save) come and go;
 * the counts, read from `inspector.inspect()` a few times a second, show
 * that every unmount takes its tasks and timers with it, and that
 * unmounting the `<TrioRoot>` ends its run.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { JSX } from "preact";
import { sleep, type Operation } from "../../src/index.js";
import { TrioRoot, useNursery, useTask, useTaskPolicy, type TrioRuntime } from "../../src/preact/index.js";
import { newRuntime, startDemo } from "../shared/page.js";
import { counts, type TrioCounts } from "../shared/test-hook.js";

/** Counts `finally` blocks that ran, for the page to show. */
const cleanup = { count: 0, listeners: new Set<() => void>() };
function cleaned(): void {
  cleanup.count++;
  for (const l of cleanup.listeners) l();
}

function* ticker(onTick: () => void): Operation<void> {
  try {
    for (;;) {
      yield* sleep(0.25);
      onTick();
    }
  } finally {
    cleaned();
  }
}

function* job(seconds: number): Operation<void> {
  try {
    yield* sleep(seconds);
  } finally {
    cleaned();
  }
}

function* save(n: number): Operation<number> {
  yield* sleep(0.5);
  return n;
}

function Widget(props: { id: number }): JSX.Element {
  const [ticks, setTicks] = useState(0);
  useTask(() => ticker(() => setTicks((t) => t + 1)), [], { name: `ticker ${props.id}` });
  const jobs = useNursery(`widget ${props.id} jobs`);
  const saver = useTaskPolicy(save, { policy: "enqueue", name: `save ${props.id}` });
  return (
    <div class="widget" data-testid="widget">
      <b>widget {props.id}</b>
      <div class="muted">ticks: {ticks}</div>
      <div class="row" style={{ marginTop: "4px" }}>
        <button onClick={() => jobs.startSoon(job, 30)} aria-label={`Start a job in widget ${props.id}`}>
          job
        </button>
        <button onClick={() => saver.perform(saver.performCount + 1)}>save{saver.queuedCount > 0 ? ` (+${saver.queuedCount})` : ""}</button>
      </div>
      <div class="muted">
        jobs: {jobs.taskCount} · saved: {saver.lastValue ?? 0}
      </div>
    </div>
  );
}

function Counts(): JSX.Element {
  const [c, setC] = useState<TrioCounts>(counts);
  const [finallies, setFinallies] = useState(cleanup.count);
  useEffect(() => {
    const timer = setInterval(() => setC(counts()), 100);
    const onClean = () => setFinallies(cleanup.count);
    cleanup.listeners.add(onClean);
    return () => {
      clearInterval(timer);
      cleanup.listeners.delete(onClean);
    };
  }, []);
  const row = (label: string, key: keyof TrioCounts) => (
    <tr>
      <td>{label}</td>
      <td class="n" data-testid={`count-${key}`}>
        {c[key]}
      </td>
    </tr>
  );
  return (
    <div class="card">
      <table class="stats" aria-label="What is running now (inspector.inspect())">
        <tbody>
          {row("runs", "runs")}
          {row("tasks (all)", "tasks")}
          {row("tasks owned by components", "componentTasks")}
          {row("sleeping tasks", "sleeping")}
          {row("runtime timers (deadline heap)", "runtimeTimers")}
          {row("cancel scopes with a deadline", "deadlineScopes")}
          {row("listeners on signals and requests", "listeners")}
          <tr>
            <td>finally blocks run</td>
            <td class="n" data-testid="finallies">
              {finallies}
            </td>
          </tr>
        </tbody>
      </table>
    </div>
  );
}

function LifetimeDemo(): JSX.Element {
  const [runtime, setRuntime] = useState<TrioRuntime | null>(() => newRuntime("lifetime demo"));
  const [ids, setIds] = useState<number[]>([]);
  const next = useRef(1);
  const add = (n: number) =>
    setIds((xs) => [
      ...xs,
      ...Array.from({ length: n }, () => next.current++),
    ]);
  return (
    <>
      <div class="row">
        <button class="primary" disabled={runtime === null} onClick={() => add(1)}>
          Add a widget
        </button>
        <button disabled={runtime === null} onClick={() => add(10)}>
          Add 10
        </button>
        <button disabled={ids.length === 0} onClick={() => setIds((xs) => xs.slice(0, -1))}>
          Remove the last
        </button>
        <button disabled={ids.length === 0} onClick={() => setIds([])}>
          Remove all
        </button>
        <button onClick={() => setRuntime((r) => (r === null ? newRuntime("lifetime demo") : null))}>
          {runtime === null ? "Mount the TrioRoot" : "Unmount the TrioRoot"}
        </button>
      </div>
      <Counts />
      {runtime !== null ? (
        <TrioRoot runtime={runtime}>
          <RootCloser runtime={runtime} />
          <div class="widgets">
            {ids.map((id) => (
              <Widget key={id} id={id} />
            ))}
          </div>
        </TrioRoot>
      ) : (
        <p class="muted" data-testid="root-unmounted">
          The TrioRoot is unmounted: its run has ended.
        </p>
      )}
    </>
  );
}

/** Closes the page-made runtime when its root unmounts (a root given a runtime leaves closing to its maker). */
function RootCloser(props: { runtime: TrioRuntime }): null {
  useEffect(() => () => void props.runtime.close(), [props.runtime]);
  return null;
}

startDemo({
  id: "lifetime",
  App: LifetimeDemo,
  ownRoot: true,
  intro: (
    <p>
      Each widget owns a <code>useTask</code> ticker, a <code>useNursery</code> for the jobs its button starts (30 s each)
      and an enqueued <code>useTaskPolicy</code> save. Remove widgets and watch the counts, read from{" "}
      <code>inspector.inspect()</code>: every task, sleep and deadline goes with its component, and each <code>finally</code>{" "}
      runs. An idle <code>useNursery</code> costs no task at all. Unmount the <code>&lt;TrioRoot&gt;</code> and its run
      ends.
    </p>
  ),
});

/**
 * The detail pane: everything about the selected row. For a task: what it
 * waits on, its chain of cancel scopes (deadline countdowns, shields, cancel
 * reasons, each with a cancel button), its creation stack, and the asyncio
 * loop it hosts if any.
 *
 * Cancel buttons are live only on live things, and a cancel that reaches
 * more than the selected task (the run's main task, a task hosting others,
 * a scope around other tasks) asks first, inline, saying how many it hits. Countdowns tick on their own (a few times a second)
 * between inspector updates: they are computed from the deadline and the
 * run's clock, extrapolated from its last reading.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { JSX } from "preact";
import { StateDot } from "./icons.js";
import type { inspector } from "../src/index.js";
import { MAX_EXITED, type PanelStore } from "./store.js";
import { outcomeText } from "./tree-view.js";
import type { InspectorSource } from "./source.js";
import { formatCountdown, formatDuration } from "./format.js";
import { StackView } from "./stack-view.js";
import type { StackMapper } from "./stack-mapper.js";

/** Props of `DetailPane`. */
export interface DetailPaneProps {
  store: PanelStore;
  selectedKey: string | null;
  source: InspectorSource;
  captureStacks: boolean;
  now(): number;
  onSelect(key: string): void;
  /** Show scopes entered by the bindings' wrapper tasks (else folded into one line). */
  showInternals?: boolean | undefined;
  /** Called by the folded line's "show" button. */
  onShowInternals?(): void;
  /** Re-render interval for countdowns, ms (0: no timer). */
  tickMs?: number | undefined;
  /** Maps creation stacks through source maps (default: the page's shared mapper). */
  stackMapper?: StackMapper | undefined;
}

function useTick(ms: number, active: boolean): void {
  const [, set] = useState(0);
  useEffect(() => {
    if (!active || ms <= 0) return;
    const id = setInterval(() => set((n) => n + 1), ms);
    return () => clearInterval(id);
  }, [ms, active]);
}

function Link(props: { to: string; children: string; onSelect(key: string): void }): JSX.Element {
  return (
    <button type="button" class="tad-link" onClick={() => props.onSelect(props.to)}>
      {props.children}
    </button>
  );
}

/**
 * A cancel button that asks first when `confirmation()` returns a message
 * (computed at the click, as it may walk the store), and acts at once when
 * it returns null.
 */
function CancelButton(props: { label: string; text: string; confirmation(): string | null; onCancel(): void }): JSX.Element {
  const [asking, setAsking] = useState<string | null>(null);
  const keep = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking !== null) keep.current?.focus();
  }, [asking]);
  if (asking === null) {
    return (
      <button
        type="button"
        class="tad-danger"
        aria-label={props.label}
        onClick={() => {
          const message = props.confirmation();
          if (message === null) props.onCancel();
          else setAsking(message);
        }}
      >
        {props.text}
      </button>
    );
  }
  return (
    <span class="tad-confirm" role="alertdialog" aria-label={`Confirm: ${props.label}`}>
      <span data-testid="confirm-message">{asking}</span>{" "}
      <button
        type="button"
        class="tad-danger"
        onClick={() => {
          setAsking(null);
          props.onCancel();
        }}
      >
        Cancel anyway
      </button>{" "}
      <button type="button" ref={keep} onClick={() => setAsking(null)}>
        Keep running
      </button>
    </span>
  );
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** A scope entered by one of the bindings' wrapper tasks (TaskRecord.internal). */
function scopeIsInternal(store: PanelStore, scope: inspector.ScopeRecord): boolean {
  return scope.ownerTaskId !== null && store.lastRecord(scope.ownerTaskId)?.internal !== undefined;
}

function scopeKind(scope: inspector.ScopeRecord): string {
  if (scope.parentId === null) return "run's root scope";
  if (scope.nursery) return `nursery #${scope.id}`;
  return scope.name !== null && scope.name !== undefined ? `${scope.name} (scope #${scope.id})` : `cancel scope #${scope.id}`;
}

function ScopeItem(props: {
  store: PanelStore;
  scope: inspector.ScopeRecord;
  runTime: number | undefined;
  source: InspectorSource;
  owner: string | null;
  /** False for a scope shown from an exited task's last record: no cancel button then. */
  live: boolean;
  onSelect(key: string): void;
}): JSX.Element {
  const { scope } = props;
  const left = scope.deadline !== null && props.runTime !== undefined ? scope.deadline - props.runTime : null;
  const canCancel = props.live && props.store.scopes.has(scope.id) && scope.parentId !== null && !scope.cancelCalled;
  return (
    <li class="tad-scope" data-scope-id={scope.id}>
      <div class="tad-scope-head">
        <strong>{scopeKind(scope)}</strong>
        {scope.shield ? <span class="tad-badge" title="shielded from outer cancellation">shield</span> : null}
        {scope.cancelCalled ? <span class="tad-badge tad-warn">cancel called</span> : null}
        {scope.cancelled && !scope.cancelCalled ? <span class="tad-badge tad-warn">cancelled from outside</span> : null}
        {props.owner !== null ? <span class="tad-kind">entered by {props.owner}</span> : null}
        <span class="tad-grow" />
        {canCancel ? (
          <CancelButton
            key={scope.id}
            label={`Cancel ${scopeKind(scope)}`}
            text="Cancel"
            confirmation={() => {
              const n = props.store.tasksInScope(scope.id);
              return n > 1 ? `${plural(n, "task")} run inside ${scopeKind(scope)}: cancelling it cancels them all.` : null;
            }}
            onCancel={() => props.source.cancel("scope", scope.id, "cancelled from the devtools panel")}
          />
        ) : null}
      </div>
      <dl>
        <dt>deadline</dt>
        <dd data-testid="deadline">
          {scope.deadline === null ? "none" : `${scope.deadline.toFixed(3)} (${left === null ? "?" : formatCountdown(left)})`}
        </dd>
        {scope.cancelReason !== null ? (
          <>
            <dt>reason</dt>
            <dd>{scope.cancelReason}</dd>
          </>
        ) : null}
      </dl>
    </li>
  );
}

function FutureList(props: { store: PanelStore; loopId: number; nowMs: number; onSelect(key: string): void }): JSX.Element {
  const { store } = props;
  const loop = store.loops.get(props.loopId);
  const time = loop === undefined ? undefined : store.runTime(loop.runId, props.nowMs);
  const futures = [...store.futures.values()]
    .filter((f) => f.loopId === props.loopId)
    .map((f) => ({ f, age: time === undefined ? f.age : time - f.createdAt }))
    .sort((a, b) => b.age - a.age || a.f.id - b.f.id);
  if (futures.length === 0) return <p class="tad-kind">No pending futures.</p>;
  return (
    <ol aria-label="Pending futures, oldest first">
      {futures.map(({ f, age }) => (
        <li key={f.id} data-future-id={f.id}>
          {f.kind === "Task" ? <Link to={`aiotask:${f.id}`} onSelect={props.onSelect}>{f.name}</Link> : <strong>{f.name}</strong>}{" "}
          <span class="tad-kind">
            {f.kind} · {f.state} · age {formatDuration(age)}
            {f.waitingOnFutureId !== null ? ` · waits on #${f.waitingOnFutureId}` : ""}
          </span>
          {f.doneCallbacks.length > 0 ? <div class="tad-kind">done callbacks: {f.doneCallbacks.join(", ")}</div> : null}
        </li>
      ))}
    </ol>
  );
}

function LoopInfo(props: { store: PanelStore; loop: inspector.LoopRecord; nowMs: number; onSelect(key: string): void }): JSX.Element {
  const { loop } = props;
  return (
    <>
      <dl>
        <dt>state</dt>
        <dd>{loop.closed ? "closed" : "open"}{loop.debug ? " · debug" : ""}</dd>
        <dt>ready callbacks</dt>
        <dd>{loop.readyCallbacks}</dd>
        <dt>timers</dt>
        <dd>{loop.timers}</dd>
        <dt>tasks</dt>
        <dd>{loop.taskCount}</dd>
        <dt>callbacks run</dt>
        <dd>{loop.callbacksRun} in {loop.iterations} iterations</dd>
      </dl>
      <h3>Pending futures</h3>
      <FutureList store={props.store} loopId={loop.id} nowMs={props.nowMs} onSelect={props.onSelect} />
    </>
  );
}

/** Creation stacks the pane has shown, kept for tasks that then exit (the inspector knows live tasks only). */
class SeenStacks {
  private readonly byTask = new Map<number, string>();
  remember(id: number, stack: string): void {
    if (this.byTask.get(id) === stack) return;
    this.byTask.delete(id);
    this.byTask.set(id, stack);
    if (this.byTask.size > MAX_EXITED) this.byTask.delete(this.byTask.keys().next().value!);
  }
  get(id: number): string | undefined {
    return this.byTask.get(id);
  }
}

function TaskDetail(props: DetailPaneProps & { id: number; nowMs: number; stacks: SeenStacks }): JSX.Element {
  const { store, id, nowMs } = props;
  const live = store.tasks.get(id);
  const err = store.errored.get(id);
  const ex = live === undefined ? store.exited.get(id) : undefined;
  const rec = live ?? err?.record ?? ex?.record;
  if (rec === undefined) return <p class="tad-kind">This task has exited (and is no longer in the history of the last {MAX_EXITED}).</p>;
  const state = store.stateOf(rec);
  const runTime = store.runTime(rec.runId, nowMs);
  const blocked = store.blockedFor(id, nowMs);
  const parent = rec.parentTaskId === null ? undefined : store.tasks.get(rec.parentTaskId);
  const waitFuture = rec.waitingOn?.futureId === undefined ? undefined : store.futures.get(rec.waitingOn.futureId);
  const hosted = [...store.loops.values()].filter((l) => l.hostTaskId === id);
  const hiddenScopes = props.showInternals === true ? 0 : rec.scopeIds.filter((sid) => { const s = store.scopes.get(sid); return s !== undefined && scopeIsInternal(store, s); }).length;
  const fresh = props.captureStacks && live !== undefined ? props.source.creationStack(id) : undefined;
  if (fresh !== undefined) props.stacks.remember(id, fresh);
  // An exited task keeps the stack the pane saw while it lived.
  const stack = fresh ?? (props.captureStacks ? props.stacks.get(id) : undefined);
  return (
    <>
      <h2>
        <StateDot state={state} />
        <span>{rec.name}</span>
        <span class="tad-kind">task #{rec.id}</span>
        <span class="tad-badge" data-testid="task-state">{state}</span>
        <span class="tad-grow" />
        {live !== undefined ? (
          <CancelButton
            key={id}
            label={`Cancel task ${rec.name}`}
            text="Cancel task"
            confirmation={() => {
              const hosted = store.hostedCount(id);
              const isMain = store.runs.get(rec.runId)?.mainTaskId === id;
              if (isMain) return `${rec.name} is the main task of ${store.runs.get(rec.runId)?.name ?? "its run"}: cancelling it cancels the whole run (${plural(hosted, "other task")}).`;
              return hosted > 0 ? `${rec.name} hosts ${plural(hosted, "task")}: cancelling it cancels ${hosted === 1 ? "that one" : "them"} too.` : null;
            }}
            onCancel={() => props.source.cancel("task", id, "cancelled from the devtools panel")}
          />
        ) : null}
      </h2>
      <dl>
        <dt>status</dt>
        <dd>{live === undefined ? "exited" : rec.status}</dd>
        <dt>run</dt>
        <dd>{store.runs.get(rec.runId)?.name ?? `#${rec.runId}`}</dd>
        {parent !== undefined ? (
          <>
            <dt>parent</dt>
            <dd>
              <Link to={`task:${parent.id}`} onSelect={props.onSelect}>{`${parent.name} #${parent.id}`}</Link>
              {rec.nurseryId !== null ? " in " : ""}
              {rec.nurseryId !== null ? <Link to={`nursery:${rec.nurseryId}`} onSelect={props.onSelect}>{`nursery #${rec.nurseryId}`}</Link> : null}
            </dd>
          </>
        ) : null}
        {rec.system ? (
          <>
            <dt>kind</dt>
            <dd>system task</dd>
          </>
        ) : null}
        {ex !== undefined ? (
          <>
            <dt>outcome</dt>
            <dd data-testid="task-outcome">{outcomeText(ex)}</dd>
          </>
        ) : null}
        {err !== undefined ? (
          <>
            <dt>error</dt>
            <dd class="tad-error" data-testid="task-error">{err.detail}</dd>
          </>
        ) : null}
        <dt>waiting on</dt>
        <dd data-testid="waiting-on">
          {rec.waitingOn === null ? "nothing (not blocked)" : rec.waitingOn.label}
          {rec.waitingOn?.deadline !== undefined && runTime !== undefined ? ` (${formatCountdown(rec.waitingOn.deadline - runTime)})` : ""}
        </dd>
        {blocked !== null ? (
          <>
            <dt>blocked for</dt>
            <dd data-testid="blocked-for">{formatDuration(blocked / 1000)}</dd>
          </>
        ) : null}
      </dl>
      {waitFuture !== undefined ? (
        <>
          <h3>Awaited future</h3>
          <p>
            {waitFuture.name} · {waitFuture.kind} · {waitFuture.state}
            {waitFuture.doneCallbacks.length > 0 ? ` · done callbacks: ${waitFuture.doneCallbacks.join(", ")}` : ""}
          </p>
        </>
      ) : null}
      <h3>Cancel scopes (innermost first)</h3>
      <ol style={{ paddingLeft: 0 }} aria-label="Cancel scopes">
        {rec.scopeIds.map((sid) => {
          const scope = store.scopes.get(sid);
          if (scope === undefined) return null;
          if (!props.showInternals && scopeIsInternal(store, scope)) return null;
          const owner = scope.ownerTaskId === null ? null : (store.tasks.get(scope.ownerTaskId)?.name ?? `#${scope.ownerTaskId}`);
          return <ScopeItem key={sid} store={store} scope={scope} runTime={runTime} source={props.source} owner={owner} live={live !== undefined} onSelect={props.onSelect} />;
        })}
      </ol>
      {hiddenScopes > 0 ? (
        <p class="tad-kind" data-testid="hidden-scopes">
          {plural(hiddenScopes, "library scope")} hidden (the bindings' wrappers){" "}
          {props.onShowInternals !== undefined ? (
            <button type="button" class="tad-link" onClick={props.onShowInternals}>
              Show library internals
            </button>
          ) : null}
        </p>
      ) : null}
      <h3>Creation stack</h3>
      {!props.captureStacks ? (
        <p class="tad-kind">Turn on "capture stacks" to record where tasks spawned from now on are created.</p>
      ) : stack === undefined ? (
        <p class="tad-kind">Not captured: this task was spawned before capture was turned on.</p>
      ) : (
        <StackView stack={stack} mapper={props.stackMapper} />
      )}
      {hosted.map((l) => (
        <section key={l.id} aria-label={`EventLoop #${l.id}`}>
          <h3>asyncio EventLoop #{l.id}</h3>
          <LoopInfo store={store} loop={l} nowMs={nowMs} onSelect={props.onSelect} />
        </section>
      ))}
    </>
  );
}

function NurseryDetail(props: DetailPaneProps & { id: number; nowMs: number }): JSX.Element {
  const { store, id } = props;
  const n = store.nurseries.get(id);
  if (n === undefined) return <p class="tad-kind">This nursery has closed.</p>;
  const scope = store.scopes.get(id);
  const owner = n.parentTaskId === null ? undefined : store.tasks.get(n.parentTaskId);
  return (
    <>
      <h2>nursery #{id}</h2>
      <dl>
        <dt>opened by</dt>
        <dd>{owner !== undefined ? <Link to={`task:${owner.id}`} onSelect={props.onSelect}>{`${owner.name} #${owner.id}`}</Link> : "?"}</dd>
        <dt>children</dt>
        <dd>{n.childTaskIds.length}</dd>
      </dl>
      <h3>Its cancel scope</h3>
      <ol style={{ paddingLeft: 0 }}>
        {scope !== undefined ? (
          <ScopeItem store={store} scope={scope} runTime={store.runTime(n.runId, props.nowMs)} source={props.source} owner={null} live={true} onSelect={props.onSelect} />
        ) : null}
      </ol>
    </>
  );
}

function RunDetail(props: DetailPaneProps & { id: number; nowMs: number }): JSX.Element {
  const { store, id } = props;
  const r = store.runs.get(id);
  if (r === undefined) return <p class="tad-kind">This run has finished.</p>;
  const time = store.runTime(id, props.nowMs);
  return (
    <>
      <h2>{r.name}</h2>
      <dl>
        {r.worker !== undefined ? (
          <>
            <dt>worker</dt>
            <dd>
              {r.worker}
              {r.hostTaskId !== undefined && r.hostTaskId !== null ? (
                <>
                  {", opened by "}
                  <Link to={`task:${r.hostTaskId}`} onSelect={props.onSelect}>{`#${r.hostTaskId}`}</Link>
                </>
              ) : null}
              {" (its own thread and clock; cancelling here cancels there)"}
            </dd>
          </>
        ) : null}
        <dt>clock</dt>
        <dd>{time === undefined ? "?" : time.toFixed(3)} s</dd>
        <dt>main task</dt>
        <dd>{r.mainTaskId !== null ? <Link to={`task:${r.mainTaskId}`} onSelect={props.onSelect}>{`#${r.mainTaskId}`}</Link> : "none"}</dd>
        <dt>tasks spawned</dt>
        <dd>{r.statistics.tasksSpawned}</dd>
        <dt>tasks exited</dt>
        <dd>{r.statistics.tasksExited}</dd>
        <dt>steps</dt>
        <dd>{r.statistics.steps}</dd>
        <dt>batches</dt>
        <dd>{r.statistics.batches} ({r.statistics.sliceOverruns} over their slice)</dd>
      </dl>
    </>
  );
}

function AioTaskDetail(props: DetailPaneProps & { id: number; nowMs: number }): JSX.Element {
  const { store, id } = props;
  const f = store.futures.get(id);
  if (f === undefined) return <p class="tad-kind">This asyncio task is done.</p>;
  const loop = store.loops.get(f.loopId);
  const time = loop === undefined ? undefined : store.runTime(loop.runId, props.nowMs);
  const waits = f.waitingOnFutureId === null ? undefined : store.futures.get(f.waitingOnFutureId);
  return (
    <>
      <h2>
        <span>{f.name}</span> <span class="tad-kind">asyncio {f.kind} #{f.id}</span>
        <span class="tad-grow" />
        {f.kind === "Task" ? (
          <CancelButton
            key={id}
            label={`Cancel asyncio task ${f.name}`}
            text="Cancel asyncio task"
            confirmation={() => null}
            onCancel={() => props.source.cancel("asyncioTask", id, "cancelled from the devtools panel")}
          />
        ) : null}
      </h2>
      <dl>
        <dt>state</dt>
        <dd>{f.state}</dd>
        <dt>age</dt>
        <dd>{formatDuration(time === undefined ? f.age : time - f.createdAt)}</dd>
        <dt>loop</dt>
        <dd><Link to={`loop:${f.loopId}`} onSelect={props.onSelect}>{`EventLoop #${f.loopId}`}</Link></dd>
        <dt>waiting on</dt>
        <dd>{waits !== undefined ? `${waits.name} (${waits.kind}, ${waits.state})` : f.waitingOnFutureId !== null ? `future #${f.waitingOnFutureId}` : "nothing"}</dd>
        {f.cancelling !== null && f.cancelling > 0 ? (
          <>
            <dt>cancelling</dt>
            <dd>{f.cancelling} request(s)</dd>
          </>
        ) : null}
        <dt>done callbacks</dt>
        <dd>{f.doneCallbacks.length > 0 ? f.doneCallbacks.join(", ") : "none"}</dd>
      </dl>
      {f.sourceTraceback !== null ? (
        <>
          <h3>Created at</h3>
          <pre>{f.sourceTraceback}</pre>
        </>
      ) : null}
    </>
  );
}

/** The pane showing the selected row's details. */
export function DetailPane(props: DetailPaneProps): JSX.Element {
  useTick(props.tickMs ?? 200, props.selectedKey !== null);
  const stacks = useRef<SeenStacks | null>(null);
  stacks.current ??= new SeenStacks();
  const nowMs = props.now();
  const key = props.selectedKey;
  let body: JSX.Element;
  if (key === null) {
    body = <p class="tad-kind">Select a task in the tree (click, or arrows and Enter) to see what it waits on, its cancel scopes and where it was created.</p>;
  } else {
    const [kind, idText] = key.split(":") as [string, string];
    const id = Number(idText);
    const p = { ...props, id, nowMs };
    if (kind === "task") body = <TaskDetail {...p} stacks={stacks.current} />;
    else if (kind === "nursery") body = <NurseryDetail {...p} />;
    else if (kind === "run") body = <RunDetail {...p} />;
    else if (kind === "aiotask") body = <AioTaskDetail {...p} />;
    else {
      const loop = props.store.loops.get(id);
      body =
        loop === undefined ? (
          <p class="tad-kind">This loop has closed.</p>
        ) : (
          <>
            <h2>asyncio EventLoop #{id}</h2>
            <LoopInfo store={props.store} loop={loop} nowMs={nowMs} onSelect={props.onSelect} />
          </>
        );
    }
  }
  return (
    <section class="tad-detail" aria-label="Details" data-testid="detail">
      {body}
    </section>
  );
}

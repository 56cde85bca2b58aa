/**
 * Workers: a Mandelbrot view computed in bands on a worker pool, driven by
 * sliders with a restartable policy. Every change cancels the running job:
 * its calls are cancelled in the workers (a band that checkpoints stops
 * within a row), and a job that never checkpoints has its worker terminated
 * after the grace period and replaced. The page keeps painting meanwhile;
 * the frame-gap figure shows it.
 *
 * Why it is built so: the pool lives as long as the component (a `useTask`
 * holding an `openWorkerPool` block), the jobs are a `useTaskPolicy`, and
 * the log in ./state.ts records each step with its time, for the tables
 * here and for e2e/workers.e2e.ts.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { JSX } from "preact";
import { Cancelled, ExceptionGroup, openNursery, sleepForever, type Operation } from "../../src/index.js";
import { useTask, useTaskPolicy } from "../../src/preact/index.js";
import { openWorkerPool, type WorkerPool } from "../../src/workers/index.js";
import { startDemo } from "../shared/page.js";
import type { Band, FractalOps, View } from "./fractal.worker.js";
import { demo, onRecord, record } from "./state.js";

const params = new URLSearchParams(location.search);
const POOL_SIZE = Number(params.get("workers") ?? Math.min(4, Math.max(2, (navigator.hardwareConcurrency || 2) - 1)));
const GRACE = Number(params.get("grace") ?? 0.25);
const WIDTH = 480;
const HEIGHT = 320;
const BANDS = 16;

let workerSerial = 0;

/** Makes a worker; Vite finds and serves the module from this very expression. Its termination is logged. */
function makeWorker(): Worker {
  const n = ++workerSerial;
  const worker = new Worker(new URL("./fractal.worker.ts", import.meta.url), { type: "module", name: `fractal worker ${n}` });
  record("worker-started", n);
  const terminate = worker.terminate.bind(worker);
  worker.terminate = () => {
    record("worker-terminated", n);
    terminate();
  };
  return worker;
}

/** Opens the pool for the component's lifetime and hands it over. */
function* keepPool(setPool: (pool: WorkerPool<FractalOps>) => void): Operation<void> {
  yield* openWorkerPool<FractalOps>(
    makeWorker,
    function* (pool) {
      demo.poolSize = pool.size;
      setPool(pool);
      yield* sleepForever();
    },
    { size: POOL_SIZE, graceSeconds: GRACE, name: "fractal pool" },
  );
}

/** What a perform asks for. */
type Job = { kind: "render"; view: View; checkpoints: boolean; pauseMs?: number } | { kind: "spin" } | { kind: "fail" };

/** An error in a line; a group names what is inside it (a band's error arrives wrapped by the job's nursery). */
function explain(error: unknown): string {
  if (error instanceof ExceptionGroup) return `${error.name}: ${error.message} [${error.exceptions.map(explain).join("; ")}]`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function onlyCancelled(error: unknown): boolean {
  return error instanceof Cancelled || (error instanceof ExceptionGroup && error.hasCancelled() && error.withoutCancelled()[1] === undefined);
}

/** One job: every band of a view at once on the pool (drawn as each arrives), a spinning call, or a failing one. */
function* runJob(pool: WorkerPool<FractalOps>, n: number, job: Job, draw: (band: Band) => void): Operation<string> {
  record("job-start", n, job.kind);
  const started = performance.now();
  try {
    if (job.kind === "render") {
      const rows = Math.ceil(job.view.height / BANDS);
      yield* openNursery(function* (nursery) {
        for (let y0 = 0; y0 < job.view.height; y0 += rows) {
          nursery.startSoon(function* band() {
            draw(yield* pool.call("band", [job.view, y0, Math.min(rows, job.view.height - y0), job.checkpoints, job.pauseMs ?? 0]));
          });
        }
      });
    } else if (job.kind === "spin") {
      yield* pool.call("spin", []);
    } else {
      yield* pool.call("fail", ["on purpose"]);
    }
    const summary = `${job.kind} in ${Math.round(performance.now() - started)} ms`;
    record("job-done", n, summary);
    return summary;
  } catch (error) {
    if (onlyCancelled(error)) record("job-cancelled", n, `after ${Math.round(performance.now() - started)} ms`);
    else record("job-failed", n, explain(error));
    throw error;
  }
}

function viewOf(zoom: number, maxIter: number): View {
  return { cx: -0.743643887, cy: 0.131825904, span: 3 / Math.pow(1.6, zoom), width: WIDTH, height: HEIGHT, maxIter };
}

let jobSerial = 0;

function Fractal(): JSX.Element {
  const [pool, setPool] = useState<WorkerPool<FractalOps> | null>(null);
  const [zoom, setZoom] = useState(6);
  const [maxIter, setMaxIter] = useState(300);
  const [checkpoints, setCheckpoints] = useState(true);
  const [, setTick] = useState(0);
  const canvas = useRef<HTMLCanvasElement>(null);
  useTask(() => keepPool(setPool), [], { name: "fractal pool" });
  const jobs = useTaskPolicy(runJob, { policy: "restartable", name: "fractal job" });
  useEffect(() => onRecord(() => setTick((t) => t + 1)), []);

  const draw = (band: Band) => {
    const ctx = canvas.current?.getContext("2d");
    ctx?.putImageData(new ImageData(band.pixels as Uint8ClampedArray<ArrayBuffer>, WIDTH, band.rows), 0, band.y0);
  };
  const perform = (job: Job) => {
    if (pool === null) return;
    const n = ++jobSerial;
    record("perform", n, job.kind);
    jobs.perform(pool, n, job, draw);
  };
  const render = (z: number, it: number, cp: boolean) => perform({ kind: "render", view: viewOf(z, it), checkpoints: cp });
  useEffect(() => {
    if (pool !== null) render(zoom, maxIter, checkpoints);
  }, [pool]);

  const count = (kind: string) => demo.events.filter((e) => e.kind === kind).length;
  const error = jobs.lastError;
  return (
    <>
      <div class="card">
        <canvas ref={canvas} width={WIDTH} height={HEIGHT} style={{ width: "100%", background: "#0a0c1e", borderRadius: "6px" }} data-testid="fractal" />
        <div class="row">
          <label>
            zoom
            <input type="range" aria-label="Zoom" min={0} max={30} step={0.5} value={zoom} disabled={pool === null}
              onInput={(e) => { const z = Number(e.currentTarget.value); setZoom(z); render(z, maxIter, checkpoints); }} />
          </label>
          <label>
            iterations
            <input type="range" aria-label="Iterations" min={100} max={6000} step={100} value={maxIter} disabled={pool === null}
              onInput={(e) => { const it = Number(e.currentTarget.value); setMaxIter(it); render(zoom, it, checkpoints); }} />
          </label>
          <span class="muted">{maxIter}</span>
        </div>
        <div class="row">
          <label>
            <input type="checkbox" aria-label="Checkpoint after each row" checked={checkpoints}
              onChange={(e) => { const cp = e.currentTarget.checked; setCheckpoints(cp); render(zoom, maxIter, cp); }} />
            checkpoint after each row
          </label>
          <button disabled={pool === null} onClick={() => perform({ kind: "render", view: viewOf(zoom, maxIter), checkpoints: true, pauseMs: 150 })}>Slow motion</button>
          <button disabled={pool === null} onClick={() => perform({ kind: "spin" })}>Spin without checkpoints</button>
          <button disabled={pool === null} onClick={() => perform({ kind: "fail" })}>Throw in a worker</button>
        </div>
        <p class="row">
          <span data-testid="job-status" class={`status ${jobs.isRunning ? "running" : error !== undefined ? "bad" : "ok"}`}>
            {pool === null ? "starting workers…" : jobs.isRunning ? "computing…" : error !== undefined ? "failed" : "idle"}
          </span>
          {jobs.lastValue !== undefined ? <span class="muted" data-testid="last-value">last: {jobs.lastValue}</span> : null}
        </p>
        {error !== undefined ? (
          <p class="status bad" data-testid="job-error">
            {explain(error)}
          </p>
        ) : null}
      </div>
      <div class="card">
        <table class="stats">
          <tbody>
            <tr><td>jobs done / cancelled / failed</td><td class="n" data-testid="jobs">{count("job-done")} / {count("job-cancelled")} / {count("job-failed")}</td></tr>
            <tr><td>workers alive (pool of {POOL_SIZE})</td><td class="n" data-testid="workers-alive">{demo.workersAlive}</td></tr>
            <tr><td>workers started / terminated</td><td class="n">{count("worker-started")} / {count("worker-terminated")}</td></tr>
            <tr><td>longest frame gap (ms)</td><td class="n" data-testid="frame-gap">{Math.round(demo.maxFrameGap)}</td></tr>
          </tbody>
        </table>
        <button onClick={() => { demo.resetFrames(); setTick((t) => t + 1); }}>Reset the frame gap</button>
        <div class="log" data-testid="log">
          {demo.events.slice(-10).map((e, i) => (
            <div key={demo.events.length - 10 + i}>
              {(e.t / 1000).toFixed(3)} {e.kind} #{e.id} {e.detail}
            </div>
          ))}
        </div>
      </div>
    </>
  );
}

function WorkersDemo(): JSX.Element {
  const [open, setOpen] = useState(true);
  return (
    <>
      <button onClick={() => setOpen((o) => !o)}>{open ? "Close the fractal" : "Open the fractal"}</button>
      {open ? <Fractal /> : <p class="muted" data-testid="closed">Closed: its pool was closed and every worker terminated.</p>}
    </>
  );
}

startDemo({
  id: "workers",
  App: WorkersDemo,
  intro: (
    <p>
      A Mandelbrot view in {BANDS} bands on <code>openWorkerPool(makeWorker, body, {"{ size }"})</code>, performed by a
      <code>restartable</code> policy. Move a slider and the running job is cancelled: each band's call is cancelled in its
      worker, and the job hears <code>Cancelled</code> only once every band has stopped. Untick "checkpoint after each row", or
      spin, and a cancelled band cannot stop by itself: after the grace period ({GRACE} s) its worker is terminated and the
      pool starts another. The page's frames keep coming all along.
    </p>
  ),
});

/**
 * What the workers demo records, for its own tables and for the e2e test
 * (`window.__workersDemo`): a log of jobs and workers with times, and the
 * frame gaps of the page while it runs.
 *
 * Why it is built so: the claims the page makes (a cancelled caller hears
 * `Cancelled` only after its worker stopped; the page keeps painting while
 * workers compute) are orderings and durations, so the log keeps real
 * times (`performance.now()`) and the test reads the same log the page
 * shows.
 */

/** One line of the log. */
export interface DemoEvent {
  /** `performance.now()` when it happened. */
  readonly t: number;
  readonly kind:
    | "perform"
    | "job-start"
    | "job-done"
    | "job-cancelled"
    | "job-failed"
    | "worker-started"
    | "worker-terminated";
  /** The job (an instance number) or the worker (its serial number). */
  readonly id: number;
  readonly detail: string;
}

/** The demo's record, exposed as `window.__workersDemo`. */
export interface WorkersDemoState {
  readonly events: DemoEvent[];
  /** Longest gap between two animation frames since `resetFrames()` (ms). */
  maxFrameGap: number;
  /** Frames seen since `resetFrames()`. */
  frames: number;
  /** Every gap between two frames since `resetFrames()` (ms), the latest 10 000. */
  readonly gaps: number[];
  /** Workers alive now (started and not terminated). */
  workersAlive: number;
  /** The pool's size, once open. */
  poolSize: number;
  /** Starts a new frame-gap window. */
  resetFrames(): void;
}

const listeners = new Set<() => void>();

/** The one record of the page. */
export const demo: WorkersDemoState = {
  events: [],
  maxFrameGap: 0,
  frames: 0,
  gaps: [],
  workersAlive: 0,
  poolSize: 0,
  resetFrames() {
    demo.maxFrameGap = 0;
    demo.frames = 0;
    demo.gaps.length = 0;
    lastFrame = undefined;
  },
};

/** Adds a line to the log. */
export function record(kind: DemoEvent["kind"], id: number, detail = ""): void {
  demo.events.push({ t: performance.now(), kind, id, detail });
  if (kind === "worker-started") demo.workersAlive++;
  if (kind === "worker-terminated") demo.workersAlive--;
  for (const l of listeners) l();
}

/** Calls `listener` on each new line; returns the unsubscribe. */
export function onRecord(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

let lastFrame: number | undefined;
function frame(now: number): void {
  if (lastFrame !== undefined) {
    const gap = now - lastFrame;
    demo.maxFrameGap = Math.max(demo.maxFrameGap, gap);
    if (demo.gaps.push(gap) > 10_000) demo.gaps.shift();
  }
  lastFrame = now;
  demo.frames++;
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);

declare global {
  interface Window {
    /** The workers demo's record (see demos/workers/state.ts). */
    __workersDemo?: WorkersDemoState;
  }
}
window.__workersDemo = demo;

/**
 * The idle watch of a run: what `waitAllTasksBlocked` and a MockClock's
 * autojump need, a check armed when the run goes idle that wakes the
 * idle waiters with the smallest cushion or jumps the clock to the next
 * deadline.
 *
 * Only the testing entry uses it (waitAllTasksBlocked, MockClock's
 * `attach`), so the runner holds it as an optional field and never imports
 * this module: an app that does not import `trio-asyncio/testing` does not
 * ship it.
 */
import type { ClockListener } from "./clock.js";
import { hostMacrotask } from "./host.js";
import { Runner } from "./runner.js";
import { beginWait, waitsWith, type Task } from "./task.js";
import { Abort, type AbortFn } from "./traps.js";

interface IdleWaiter {
  cushion: number;
  seq: number;
  task: Task;
  /** The abort function of its wait: the task still waits here while it has it. */
  abort: AbortFn | null;
}

const IDLE_WAIT = 1;
const IDLE_JUMP = 2;
/** The longest delay a host timer holds (2^31-1 ms, about 24.8 days); longer ones fire at once or early. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** @internal See the module comment. */
export class IdleWatch {
  /** The pending idle check's host timer. */
  timer: ReturnType<typeof setTimeout> | null = null;
  /** Parked waitAllTasksBlocked callers, smallest cushion first, then first come. */
  readonly waiters: IdleWaiter[] = [];
  private seq = 0;

  constructor(private readonly runner: Runner) {}

  /**
   * Called each time the run goes idle: arms the idle check if needed and
   * returns its delay in real seconds (Infinity if none).
   */
  arm(): number {
    const runner = this.runner;
    let delay = Infinity;
    let kind = 0;
    const waiter = this.waiters[0];
    // As in Trio, a pending waiter wakes before the clock may jump, whatever
    // its cushion: jumping first would let a ticker with a deadline always
    // pending starve it. Only waiters that never wake (Infinity) do not hold
    // the clock back.
    const threshold = runner.clock.autojumpThreshold ?? Infinity;
    if (waiter !== undefined && waiter.cushion !== Infinity) {
      delay = waiter.cushion;
      kind = IDLE_WAIT;
    } else if (threshold !== Infinity && runner.deadlines.size > 0 && runner.clock.autojump !== undefined) {
      delay = threshold;
      kind = IDLE_JUMP;
    }
    // A timer of an earlier idle period is stale: drop it rather than let it hold the host.
    this.stop();
    // An infinite cushion is never due: it arms nothing (the waiter wakes only by cancellation).
    if (kind === 0 || delay === Infinity) return Infinity;
    const epoch = runner.idleEpoch;
    if (delay <= 0) hostMacrotask()(() => this.check(epoch, kind));
    else this.armTimer(epoch, kind, delay * 1000);
    return Math.max(0, delay);
  }

  /** Clears the pending check's timer. */
  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * Arms the idle timer for `ms`. A host timer holds at most MAX_TIMER_MS
   * and fires early beyond it, so a longer wait is taken in pieces: a 30-day
   * cushion or autojump threshold must not fire after 24.8 days.
   */
  private armTimer(epoch: number, kind: number, ms: number): void {
    const piece = Math.min(ms, MAX_TIMER_MS);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (ms > piece) {
        if (this.runner.idleStillCurrent(epoch)) this.armTimer(epoch, kind, ms - piece);
      } else {
        this.check(epoch, kind);
      }
    }, piece);
  }

  private check(epoch: number, kind: number): void {
    const runner = this.runner;
    if (!runner.idleStillCurrent(epoch)) return;
    if (kind === IDLE_WAIT) {
      // Waiters with the same (smallest) cushion wake together, oldest
      // first, as in Trio; a larger cushion waits for the next idle period.
      const first = this.waiters[0];
      if (first === undefined) return;
      let woken = false;
      while (this.waiters.length > 0 && this.waiters[0]!.cushion === first.cushion) {
        const { task, abort } = this.waiters.shift()!;
        // Unless code stepping the wait by hand dropped it: the task went on, or ended.
        if (abort !== null && waitsWith(task, abort)) {
          runner.reschedule(task, undefined, false);
          woken = true;
        }
      }
      // Only dropped waits: still idle, so arm what comes next.
      if (!woken) runner.deadlinesChanged();
      return;
    }
    const earliest = runner.deadlines.earliest();
    if (earliest !== Infinity) {
      // Called from a host timer, outside the batch's guard: a broken
      // clock here must end the run, not escape to the host and wedge it.
      try {
        runner.clock.autojump!(earliest);
      } catch (error) {
        runner.abandon(error);
        return;
      }
    }
    runner.runBatchInTimer();
  }

  /** Parks `task` (the running task, about to yield PARK) until no task has been runnable for `cushion` seconds. */
  addWaiter(task: Task, cushion: number): void {
    const waiter: IdleWaiter = { cushion, seq: this.seq++, task, abort: null };
    beginWait(
      task,
      (waiter.abort = () => {
        const j = this.waiters.indexOf(waiter);
        if (j !== -1) this.waiters.splice(j, 1);
        return Abort.SUCCEEDED;
      }),
    );
    const list = this.waiters;
    let i = list.length;
    while (i > 0 && (list[i - 1]!.cushion > cushion || (list[i - 1]!.cushion === cushion && list[i - 1]!.seq > waiter.seq))) i--;
    list.splice(i, 0, waiter);
    task.waitingOn = "all tasks blocked";
  }
}

/**
 * @internal The idle watch of `run`, installed on first use. `run` may be
 * any clock listener (what `Clock.attach` is given); only a Runner has one,
 * so for anything else this returns null.
 */
export function idleWatch(run: ClockListener): IdleWatch | null {
  if (!(run instanceof Runner)) return null;
  return (run.idle ??= new IdleWatch(run));
}

/**
 * Clocks. Time is a float number of seconds, as in Trio and asyncio, so
 * timeouts and deadlines port from Python unchanged.
 *
 * The runner never reads the host's time directly: it asks its clock, so a
 * `MockClock` (see `testing/`) can make every sleep, deadline and asyncio
 * timer deterministic.
 */

/** What a run needs from a clock. */
export interface Clock {
  /** Called once when the run starts. */
  startClock(): void;
  /** The current time, in seconds. */
  currentTime(): number;
  /** How many real seconds to wait until `deadline` is reached. */
  deadlineToSleepTime(deadline: number): number;
  /**
   * A clock that can jump forward (MockClock) reports the real-time idle
   * period after which the run should jump to the next deadline.
   */
  readonly autojumpThreshold?: number | undefined;
  /**
   * Moves the clock forward to `deadline` (called by the run when idle).
   * The idle check that calls it ships with `trio-asyncio/testing`: it is
   * installed by MockClock when a run starts on it, so a clock of your own
   * that autojumps should extend MockClock.
   */
  autojump?(deadline: number): void;
  /** @internal The run registers to hear of threshold changes. */
  attach?(listener: ClockListener): () => void;
}

/**
 * What a run implements to hear of clock changes (see `Clock.attach`). Not
 * internal, because `Runner` implements it in its declaration; its member is.
 */
export interface ClockListener {
  /** @internal */
  clockChanged(): void;
}

/** Real seconds on a monotonic clock. */
export function realSeconds(): number {
  return performance.now() / 1000;
}

/** The default clock: the host's monotonic clock, in seconds. */
export class SystemClock implements Clock {
  startClock(): void {}
  currentTime(): number {
    return performance.now() / 1000;
  }
  deadlineToSleepTime(deadline: number): number {
    return deadline - this.currentTime();
  }
}

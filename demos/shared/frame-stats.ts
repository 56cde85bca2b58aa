/**
 * What the panel benchmarks measure inside a page: the intervals between
 * animation frames over a window, and main-thread tasks over 50 ms (the Long
 * Tasks API). Shared by the devtools playground and the extension demo.
 */

/** The frame intervals (ms) seen over `ms` of animation frames, the first one dropped, and the time it took. */
export function frameGaps(ms: number): Promise<{ gaps: number[]; elapsedMs: number }> {
  return new Promise((resolve) => {
    const gaps: number[] = [];
    const t0 = performance.now();
    let last = t0;
    const frame = (t: number) => {
      gaps.push(t - last);
      last = t;
      if (t - t0 < ms) {
        requestAnimationFrame(frame);
        return;
      }
      resolve({ gaps: gaps.slice(1), elapsedMs: performance.now() - t0 });
    };
    requestAnimationFrame(frame);
  });
}

/** The mean of `xs` (0 for none). */
export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
}

/** Collects long tasks (≥ 50 ms) until the returned function is called; it returns their durations. */
export function watchLongTasks(): () => number[] {
  const durations: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) durations.push(entry.duration);
  });
  observer.observe({ type: "longtask" });
  return () => {
    for (const entry of observer.takeRecords()) durations.push(entry.duration);
    observer.disconnect();
    return durations;
  };
}

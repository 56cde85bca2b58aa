/**
 * Small formatting helpers shared by the panel's views, so durations and
 * deadlines read the same everywhere.
 */

/** "850 ms", "12.3 s", "4 min 05 s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "∞";
  const abs = Math.abs(seconds);
  const sign = seconds < 0 ? "-" : "";
  if (abs < 1) return `${sign}${Math.round(abs * 1000)} ms`;
  if (abs < 60) return `${sign}${abs.toFixed(1)} s`;
  const min = Math.floor(abs / 60);
  const s = Math.floor(abs - min * 60);
  return `${sign}${min} min ${String(s).padStart(2, "0")} s`;
}

/** A deadline relative to now: "in 2.5 s" or "passed 1.0 s ago". */
export function formatCountdown(timeLeft: number): string {
  return timeLeft >= 0 ? `in ${formatDuration(timeLeft)}` : `passed ${formatDuration(-timeLeft)} ago`;
}

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

/**
 * A value a caller handed the panel's entry points, in a few words for an
 * error message ("number 5", "an object", "a revoked Proxy?"). Total: it
 * never throws, whatever the value (the panel imports only the public
 * inspector API, so it keeps this small one of its own).
 */
export function shown(value: unknown): string {
  try {
    if (value === null || value === undefined) return String(value);
    if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    if (typeof value === "function") return "a function";
    if (typeof value !== "object") return `${typeof value} ${String(value)}`;
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === null) return "an object with no prototype";
    const ctor = (proto as { constructor?: unknown }).constructor;
    const name = typeof ctor === "function" ? ctor.name : "";
    return name !== "" && name !== "Object" ? `a ${name}` : "an object";
  } catch {
    return "a value that cannot be inspected (a revoked Proxy?)";
  }
}

/**
 * Throws a TypeError naming `what` unless `options` is an object whose
 * keys can be read (not a revoked Proxy, not one whose traps throw). A
 * getter that throws still raises its own error when its option is read.
 */
export function checkOptions(what: string, options: unknown, example: string): void {
  if (options === null || typeof options !== "object") throw new TypeError(`${what} takes an object such as ${example}, or nothing; got ${shown(options)}.`);
  try {
    Reflect.ownKeys(options);
  } catch (cause) {
    throw new TypeError(`${what}: the options object cannot be read (a revoked Proxy, or one whose traps throw); pass a plain object.`, { cause });
  }
}

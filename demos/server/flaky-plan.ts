/**
 * What /api/flaky does on each attempt, as a pure function of a seed and the
 * attempt number: the server and the e2e tests both call it, so a test can
 * pick a seed whose story it knows ("fails, hangs, then succeeds") and the
 * demo stays random-looking for people.
 */

/** One attempt's fate: an error response, a response too slow to wait for, or success. */
export type FlakyOutcome = "fail" | "slow" | "ok";

/** Default odds: 55% fail, 15% hang, 30% succeed. */
export const FLAKY_ODDS = { fail: 0.55, slow: 0.15 } as const;

// mulberry32: a tiny, well-mixed 32-bit PRNG step, used here as a hash.
function hash01(n: number): number {
  let t = (n + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** The outcome of attempt `attempt` (1-based) for `seed`. */
export function flakyOutcome(seed: number, attempt: number): FlakyOutcome {
  const r = hash01(Math.imul(seed | 0, 7919) + attempt * 104729);
  if (r < FLAKY_ODDS.fail) return "fail";
  if (r < FLAKY_ODDS.fail + FLAKY_ODDS.slow) return "slow";
  return "ok";
}

/** The outcomes of attempts 1..n for `seed`. */
export function flakyPlan(seed: number, n: number): FlakyOutcome[] {
  return Array.from({ length: n }, (_, i) => flakyOutcome(seed, i + 1));
}

/** The first seed (from `from`) whose first attempts go exactly as `story` says. */
export function findSeed(story: readonly FlakyOutcome[], from = 1): number {
  for (let seed = from; seed < from + 100_000; seed++) {
    if (flakyPlan(seed, story.length).every((o, i) => o === story[i])) return seed;
  }
  throw new Error(`no seed found for ${story.join(",")}`);
}

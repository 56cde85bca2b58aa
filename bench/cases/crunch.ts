/** The CPU-bound unit of work of the workers benchmark, the same on the main thread and in a worker. */

/** Iterates a small chaotic map `iterations` times from `seed`; returns a checksum (so nothing is optimised away). */
export function crunch(seed: number, iterations: number): number {
  let x = (seed % 997) / 997 + 0.001;
  let sum = 0;
  for (let i = 0; i < iterations; i++) {
    x = 3.99 * x * (1 - x);
    sum += x;
  }
  return Math.round(sum);
}

/**
 * The demo's worker module: Mandelbrot bands, a job that spins without
 * checkpoints, and one that throws.
 *
 * Why it is built so: each band is one call, so a pool spreads a frame over
 * its workers and a restart cancels every band still running. `band` can
 * checkpoint after each row (cancelled within a row's time, the worker
 * survives) or not (only termination after the grace period stops it), so
 * the page shows both halves of the cancellation rule.
 */
import { checkpoint, sleep } from "../../src/index.js";
import { defineWorker, withTransfer } from "../../src/workers/index.js";

/** What to draw: the centre, the width of the view in the complex plane, the size and the iteration cap. */
export interface View {
  readonly cx: number;
  readonly cy: number;
  /** Width of the view in the complex plane. */
  readonly span: number;
  readonly width: number;
  readonly height: number;
  readonly maxIter: number;
}

/** A band of rows, as RGBA pixels. */
export interface Band {
  readonly y0: number;
  readonly rows: number;
  readonly pixels: Uint8ClampedArray;
}

function row(view: View, y: number, out: Uint8ClampedArray, offset: number): void {
  const { cx, cy, span, width, height, maxIter } = view;
  const step = span / width;
  const ci = cy + (y - height / 2) * step;
  for (let x = 0; x < width; x++) {
    const cr = cx + (x - width / 2) * step;
    let zr = 0;
    let zi = 0;
    let n = 0;
    while (n < maxIter && zr * zr + zi * zi <= 4) {
      const t = zr * zr - zi * zi + cr;
      zi = 2 * zr * zi + ci;
      zr = t;
      n++;
    }
    const i = offset + x * 4;
    if (n === maxIter) {
      out[i] = 10;
      out[i + 1] = 12;
      out[i + 2] = 30;
    } else {
      const s = Math.sqrt(n / maxIter);
      out[i] = 255 * s * 0.9;
      out[i + 1] = 255 * s * s;
      out[i + 2] = 90 + 165 * s;
    }
    out[i + 3] = 255;
  }
}

export const ops = defineWorker({
  /**
   * Rows y0..y0+rows of the view; with `checkpoints`, a checkpoint after each
   * row; with `pauseMs`, a sleep of that long after each row instead (slow
   * motion, to watch and cancel the calls in the devtools panel).
   */
  *band(view: View, y0: number, rows: number, checkpoints: boolean, pauseMs = 0) {
    const pixels = new Uint8ClampedArray(view.width * rows * 4);
    for (let r = 0; r < rows; r++) {
      row(view, y0 + r, pixels, r * view.width * 4);
      if (pauseMs > 0) yield* sleep(pauseMs / 1000);
      else if (checkpoints) yield* checkpoint();
    }
    return withTransfer<Band>({ y0, rows, pixels }, [pixels.buffer]);
  },
  /** Busy forever without a checkpoint: only termination stops it. */
  *spin() {
    let x = 0;
    for (;;) x = (x + 1) % 1_000_003;
  },
  /** Raises, to show an error crossing to the page. */
  *fail(what: string) {
    yield* checkpoint();
    throw new RangeError(`the worker refused: ${what}`, { cause: new TypeError("a cause, rebuilt on the page") });
  },
});

/** The operations' type, for `openWorkerPool<FractalOps>`. */
export type FractalOps = typeof ops;

/**
 * The Node side of the two Trio recorders (scripts/differential/trio and
 * trio-sync): their command-line flags, and one python3 process running a
 * batch of programs through an interpreter that speaks jsonl_driver.py's
 * protocol (one JSON program per line in, one result per line out).
 */
import { spawnSync } from "node:child_process";

/** The value after `--name` on the command line, if given. */
export function cliArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

/** The program generator's size flags (`--depth`, `--length`), for exploring beyond the recorded defaults. */
export function sizeOptions(): { maxDepth?: number; maxLength?: number } {
  const depth = cliArg("depth");
  const length = cliArg("length");
  return {
    ...(depth !== undefined ? { maxDepth: Number(depth) } : {}),
    ...(length !== undefined ? { maxLength: Number(length) } : {}),
  };
}

/**
 * What Trio did with one program: `trio` as Trio 0.22 runs it; `ours`,
 * only when it differs, under the rules later Trio changed (see the
 * interpreter's module comment).
 */
export interface TrioResult<O> {
  trio: O;
  ours?: O;
}

/**
 * Runs every program through `interp` (a path to an interp.py); throws if it
 * crashed on one. The interpreter runs on `python3`, or on the Python that
 * the TRIO_PYTHON environment variable names (for a machine whose
 * `python3` has no Trio, e.g. TRIO_PYTHON=/usr/bin/python3 with Debian's
 * python3-trio).
 */
export function runTrioInterpreter<P, O>(interp: string, programs: readonly P[], show: (program: P) => string): TrioResult<O>[] {
  const input = programs.map((p) => JSON.stringify(p)).join("\n") + "\n";
  const python = process.env["TRIO_PYTHON"] ?? "python3";
  const result = spawnSync(python, [interp], { input, encoding: "utf8", maxBuffer: 1 << 30 });
  if (result.error !== undefined) throw new Error(`could not run ${python} (set TRIO_PYTHON to a Python with Trio 0.22): ${result.error.message}`);
  if (result.status !== 0) throw new Error(`interp.py failed (status ${result.status}): ${result.stderr}`);
  const lines = result.stdout.trim().split("\n");
  if (lines.length !== programs.length) throw new Error(`interp.py answered ${lines.length} lines for ${programs.length} programs`);
  return lines.map((line, i) => {
    const r = JSON.parse(line) as { trio?: O; ours?: O; crash?: string };
    if (r.trio === undefined) throw new Error(`interp.py crashed on ${show(programs[i]!)}: ${r.crash}`);
    return r.ours === undefined ? { trio: r.trio } : { trio: r.trio, ours: r.ours };
  });
}

/**
 * Runs the soak (soak.ts) in a child Node process with `--expose-gc`, for
 * SOAK_SECONDS (default 2), and checks its report: every task's finally ran,
 * no run or loop is left live, no finished run is still reachable, and the
 * heap after the soak is within a small tolerance of the heap after warm-up.
 *
 * The heap tolerance is absolute plus a fraction: V8 keeps growing its code
 * and type feedback for a while under a varied workload (about 1 MB here in
 * the first few seconds, flat afterwards), whereas a leak of one run's object
 * graph per round grows by megabytes within two seconds. The reachable-runner
 * count is the sharp witness; the heap figure is the coarse one.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const seconds = Number(process.env.SOAK_SECONDS ?? "2");
const script = fileURLToPath(new URL("./soak.ts", import.meta.url));
const root = fileURLToPath(new URL("../..", import.meta.url));
const MB = 1024 * 1024;

interface SoakReport {
  seconds: number;
  rounds: number;
  measuredRounds: number;
  heapBefore: number;
  heapAfter: number;
  runnersAlive: number;
  liveRuns: number;
  liveLoops: number;
  tasks: number;
  finallies: number;
}

function runSoak(): Promise<{ report: SoakReport; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--expose-gc", "--import", "tsx", script],
      { cwd: root, env: { ...process.env, SOAK_SECONDS: String(seconds) }, maxBuffer: 16 * MB },
      (error, stdout, stderr) => {
        if (error !== null) {
          reject(new Error(`soak.ts failed: ${error.message}\n${stderr}`));
          return;
        }
        const last = stdout.trim().split("\n").pop() ?? "";
        try {
          resolve({ report: JSON.parse(last) as SoakReport, stderr });
        } catch {
          reject(new Error(`soak.ts printed no report:\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}

describe(`soak: a mixed random workload for ${seconds} s`, () => {
  it(
    "every task's finally ran, nothing live or reachable afterwards, the heap stays flat",
    async () => {
      const { report, stderr } = await runSoak();
      // Figures for the record (shown with --reporter=verbose).
      console.info(
        `soak: ${report.measuredRounds} rounds in ${report.seconds.toFixed(1)} s, ${report.tasks} tasks; ` +
          `heap ${(report.heapBefore / MB).toFixed(2)} MB -> ${(report.heapAfter / MB).toFixed(2)} MB`,
      );
      expect(stderr).not.toMatch(/Error|rejection/i);
      expect(report.seconds).toBeGreaterThanOrEqual(seconds * 0.9);
      expect(report.measuredRounds).toBeGreaterThan(10);
      expect(report.finallies).toBe(report.tasks);
      expect(report.liveRuns).toBe(0);
      expect(report.liveLoops).toBe(0);
      expect(report.runnersAlive).toBe(0);
      expect(report.heapAfter - report.heapBefore).toBeLessThan(4 * MB + report.heapBefore * 0.1);
    },
    seconds * 1000 + 60_000,
  );
});

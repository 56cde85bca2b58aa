/**
 * Entry of the Node bundle: the driver (run.ts) starts it in a fresh
 * `node --expose-gc` process, so the measured code is the same bundled
 * JavaScript the page runs, and nothing of the driver (esbuild, Playwright)
 * shares its heap. Options come as JSON in argv[2]; results go to argv[3].
 */
import { writeFileSync } from "node:fs";
import { runSuite, type SuiteOptions } from "./suite.js";

const options = JSON.parse(process.argv[2] ?? "{}") as SuiteOptions;
const out = process.argv[3];
const result = await runSuite({ ...options, env: "node" }, (line) => process.stderr.write(line + "\n"));
if (out !== undefined) writeFileSync(out, JSON.stringify(result));
else console.log(JSON.stringify(result));

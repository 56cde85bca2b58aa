/**
 * Entry of the page bundle (bench/browser/index.html). The driver calls
 * `window.__bench.runSuite(options)` and `window.__bench.measureBurst(name, n)`
 * through Playwright; opened by hand (npm run bench -- --serve), the page
 * runs a quick suite on the button and shows the JSON.
 */
import { measureBurst } from "../cases/responsiveness.js";
import { runSuite, type SuiteOptions } from "../suite.js";

declare global {
  interface Window {
    __bench: {
      runSuite(options: SuiteOptions): ReturnType<typeof runSuite>;
      measureBurst: typeof measureBurst;
    };
  }
}

window.__bench = {
  runSuite: (options) => runSuite({ ...options, env: "browser" }, (line) => console.log(`bench:log ${line}`)),
  measureBurst,
};

const button = document.getElementById("run-quick");
const output = document.getElementById("output");
button?.addEventListener("click", async () => {
  if (output === null) return;
  output.textContent = "running...";
  const result = await window.__bench.runSuite({ env: "browser", quick: true });
  output.textContent = JSON.stringify(result, null, 2);
});

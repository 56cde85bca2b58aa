import { defineConfig } from "@playwright/test";
import { CHROMIUM_FLAGS } from "./chromium-flags.js";

// End-to-end tests in Debian's Chromium (never a downloaded browser), against
// the demos served by the Vite dev server with its local API.
const port = Number(process.env.E2E_PORT ?? 5183);

export default defineConfig({
  testDir: ".",
  testMatch: /.*\.e2e\.ts$/,
  outputDir: "../test-results/e2e",
  timeout: 30_000,
  retries: 0,
  workers: 1,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: "chromium",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        ...CHROMIUM_FLAGS,
      ],
    },
    screenshot: "only-on-failure",
    trace: "off",
  },
  webServer: {
    command: `npx vite --host 127.0.0.1 --port ${port} --strictPort`,
    env: { TRIO_E2E: "1" },
    cwd: "..",
    url: `http://127.0.0.1:${port}/api/stats`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});

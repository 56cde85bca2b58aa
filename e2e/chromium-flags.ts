/**
 * The flags every Chromium this project launches gets (the e2e tests, the
 * extension tests, the benchmarks): Debian's Chromium, headless, with
 * nothing reaching out to the network by itself. The headless mode is added
 * by each launcher ("--headless", or "--headless=new" where extensions load).
 */
export const CHROMIUM_FLAGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

import { expect, test } from "@playwright/test";
import { resolve } from "node:path";

// A run that fails with a group nobody catches shows the errors inside it
// where a developer looks first: DevTools' console line for the uncaught
// rejection (the exception's description, which Chrome takes from `stack`).
const coreModule = `/@fs${resolve(import.meta.dirname, "../src/core/index.ts")}`;

test("an unhandled rejected ExceptionGroup shows its leaves in the console and in pageerror", async ({ page }) => {
  await page.goto("/");
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Runtime.enable");
  const thrown = new Promise<string>((done) => {
    cdp.on("Runtime.exceptionThrown", (event) => done(String(event.exceptionDetails.exception?.description)));
  });
  const pageError = page.waitForEvent("pageerror");
  await page.evaluate(async (url) => {
    const { ExceptionGroup, openNursery, run } = (await import(/* @vite-ignore */ url)) as typeof import("../src/core/index.js");
    // A run nobody catches, whose nursery fails with an error and a group: its rejection is unhandled.
    void run(function* () {
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          throw new TypeError("bad input");
        });
        n.startSoon(function* () {
          throw new ExceptionGroup("inner", [new RangeError("too far")]);
        });
      });
    });
  }, coreModule);
  const description = await thrown;
  const listing = ["ExceptionGroup: Errors from a nursery (2 sub-exceptions)", "  | TypeError: bad input", "  | ExceptionGroup: inner (1 sub-exception)", "    | RangeError: too far"].join("\n");
  // "Name: message", the group's own frames, then the listing.
  expect(description).toMatch(/^ExceptionGroup: Errors from a nursery\n {4}at /);
  expect(description.slice(-listing.length)).toBe(listing);
  expect((await pageError).stack).toContain(listing);
});

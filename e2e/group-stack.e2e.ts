import { expect, test } from "@playwright/test";
import { resolve } from "node:path";

// An uncaught ExceptionGroup shows the errors inside it where a developer
// looks first: DevTools' console line for the uncaught rejection (the
// exception's description, which Chrome takes from `stack`).
const errorsModule = `/@fs${resolve(import.meta.dirname, "../src/core/errors.ts")}`;

test("an unhandled rejected ExceptionGroup shows its leaves in the console and in pageerror", async ({ page }) => {
  await page.goto("/");
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Runtime.enable");
  const thrown = new Promise<string>((done) => {
    cdp.on("Runtime.exceptionThrown", (event) => done(String(event.exceptionDetails.exception?.description)));
  });
  const pageError = page.waitForEvent("pageerror");
  await page.evaluate(async (url) => {
    const { ExceptionGroup } = (await import(/* @vite-ignore */ url)) as typeof import("../src/core/errors.js");
    const inner = new ExceptionGroup("inner", [new RangeError("too far")]);
    void Promise.reject(new ExceptionGroup("Errors from a nursery", [new TypeError("bad input"), inner]));
  }, errorsModule);
  const description = await thrown;
  const listing = ["ExceptionGroup: Errors from a nursery (2 sub-exceptions)", "  | TypeError: bad input", "  | ExceptionGroup: inner (1 sub-exception)", "    | RangeError: too far"].join("\n");
  // "Name: message", the group's own frames, then the listing.
  expect(description).toMatch(/^ExceptionGroup: Errors from a nursery\n {4}at /);
  expect(description.slice(-listing.length)).toBe(listing);
  expect((await pageError).stack).toContain(listing);
});

#!/usr/bin/env node
// After `npm run build`: every long error message of the production build
// must have become a code (scripts/error-codes.ts). The plugin codes only a
// message that is one literal (a string, a template, or literals joined with
// `+`); a message built otherwise, such as `text + (cond ? hint : "")`, is
// silently left whole, and the production build then ships the full text and
// docs/errors.md misses it. Write such a message as one literal per case.
// The second pattern finds such an appended hint by its shape: a literal of
// advice that starts with a space and a capital (" Encode text first: ...").
/* global console, process */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const prod = resolve(root, "dist/prod");
// The classes error-codes.ts codes, a message literal opening the call, and at least 40 characters of fixed text.
const uncoded = /new (Error|TypeError|RangeError|RuntimeError|ValueError|InvalidStateError|ClosedResourceError|BrokenResourceError|BusyResourceError|TrioInternalError|WorkerLoadError)\((`|"|')(?!TA-)([^`"'$]{40,})/g;

const appendedHint = /(["'`]) [A-Z][^"'`$]{30,}/g;

const found = [];
for (const file of readdirSync(prod).filter((f) => f.endsWith(".js"))) {
  const code = readFileSync(resolve(prod, file), "utf8");
  for (const match of code.matchAll(uncoded)) found.push(`dist/prod/${file}: new ${match[1]}(${match[2]}${match[3].slice(0, 70)}…`);
  for (const match of code.matchAll(appendedHint)) found.push(`dist/prod/${file}: a hint appended to a message: ${match[0].slice(0, 70)}…`);
}
if (found.length > 0) {
  for (const line of found) console.error(`check-coded-messages: a message the production build did not code: ${line}`);
  console.error("check-coded-messages: write each such message as one literal (one throw per case), so scripts/error-codes.ts can code it.");
  process.exit(1);
}
console.log("check-coded-messages: every long error message of dist/prod is coded.");

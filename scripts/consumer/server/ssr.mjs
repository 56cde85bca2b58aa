// Server rendering in plain Node, without a DOM: every entry imports, and the
// React and Preact bindings render their starting state without starting a run.
/* global console, process */
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { h } from "preact";
import renderPreact from "preact-render-to-string";

const entries = ["trio-asyncio", "trio-asyncio/asyncio", "trio-asyncio/testing", "trio-asyncio/devtools", "trio-asyncio/preact", "trio-asyncio/react", "trio-asyncio/workers", "trio-asyncio/web"];
for (const entry of entries) await import(entry);
if (typeof document !== "undefined") throw new Error("ssr: this check must run without a DOM");

const { sleep } = await import("trio-asyncio");
const react = await import("trio-asyncio/react");
const preact = await import("trio-asyncio/preact");
function* slow() {
  yield* sleep(3600);
  return "done";
}
function ReactApp() {
  const task = react.useTask(slow, []);
  return createElement("p", null, `react: ${task.status}`);
}
function PreactApp() {
  const task = preact.useTask(slow, []);
  return h("p", null, `preact: ${task.status}`);
}
console.log(renderToString(createElement(react.TrioRoot, null, createElement(ReactApp))));
console.log(renderPreact(h(preact.TrioRoot, null, h(PreactApp))));
// A server render owns no run or timer: nothing may keep the process alive.
process.on("exit", () => console.log("ssr: exited"));

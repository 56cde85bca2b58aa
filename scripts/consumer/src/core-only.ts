/**
 * An app of the Trio core alone, bundled by esbuild for the browser with the
 * `production` condition and run in Node by the consumer check: its bundle
 * must hold no asyncio code, and its one bad call shows the production
 * build's coded message, which the check looks up in docs/errors.md.
 */
import { run, sleep, openNursery, moveOnAfter, type Operation } from "trio-asyncio";

const order: number[] = [];
function* child(i: number): Operation<void> {
  yield* sleep(0.005 * (3 - i));
  order.push(i);
}

const result = await run(function* (): Operation<string> {
  yield* openNursery(function* (n) {
    for (let i = 0; i < 3; i++) n.startSoon(child, i);
  });
  let cancelled = true;
  yield* moveOnAfter(0.01, function* () {
    yield* sleep(10);
    cancelled = false;
  });
  return `${order.join(",")} ${cancelled ? "cancelled" : "not cancelled"}`;
});
console.log(`core-only: ${result}`);

try {
  await run(function* () {
    yield* sleep(-1);
  });
  console.log("core-only: sleep(-1) did not fail");
} catch (error) {
  console.log(`core-only: error: ${error instanceof Error ? error.message : String(error)}`);
}

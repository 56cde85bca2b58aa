/**
 * The README's first example, kept here so it is type-checked, linted and
 * runnable: `npx tsx examples/quickstart.ts`. If you change one, change the
 * other (only the import path differs: the README imports "trio-asyncio").
 */
import { run, openNursery, moveOnAfter, sleep, type Operation } from "../src/index.js";

function* worker(name: string, seconds: number): Operation<void> {
  try {
    yield* sleep(seconds); // Python: await trio.sleep(seconds)
    console.log(`${name}: finished`);
  } finally {
    console.log(`${name}: cleaned up`); // runs on success and on cancellation
  }
}

function* main(): Operation<string> {
  const outcome = yield* moveOnAfter(0.5, function* () {
    yield* openNursery(function* (nursery) {
      nursery.startSoon(worker, "fast", 0.1);
      nursery.startSoon(worker, "slow", 60); // cancelled when the 0.5 s run out
    }); // the nursery waits for both children
    return "everything finished";
  });
  return outcome ?? "timed out, and nothing is left running";
}

console.log(await run(main));

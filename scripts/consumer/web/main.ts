/**
 * A page built by Vite from the installed package: the devtools panel,
 * mounted open, watches a run whose worker stays alive until the check calls
 * `window.finishConsumerRun()`; then the run completes and #result says so.
 */
import { run, openNursery, openLoop, aioAsTrio, asyncio, sleep, type Operation } from "trio-asyncio";
import { mountDevtools } from "trio-asyncio/devtools";

declare global {
  interface Window {
    finishConsumerRun?: () => void;
  }
}

let released = false;
window.finishConsumerRun = () => {
  released = true;
};

function* consumerWorker(): Operation<number> {
  while (!released) yield* sleep(0.02);
  return 1;
}

function* tick(): asyncio.Coroutine<number> {
  yield* asyncio.sleep(0.01);
  return 2;
}

mountDevtools({ initiallyOpen: true });

const output = document.getElementById("result");
if (output === null) throw new Error("index.html has no #result");
run(function* () {
  const parts = { worker: 0, asyncio: 0 };
  yield* openNursery(function* (n) {
    n.startSoonNamed("consumer-worker", function* () {
      parts.worker = yield* consumerWorker();
    });
    n.startSoon(function* () {
      parts.asyncio = yield* openLoop(function* () {
        return yield* aioAsTrio(tick)();
      });
    });
  });
  return parts.worker + parts.asyncio;
}).then(
  (total) => {
    output.textContent = `done: ${total}`;
  },
  (error: unknown) => {
    output.textContent = `failed: ${String(error)}`;
  },
);

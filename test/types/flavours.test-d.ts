/**
 * Compile-time checks of the two flavours, run by `tsc -p tsconfig.json`
 * (never executed: vitest only runs *.test.ts). Each `@ts-expect-error`
 * line must be an error, or tsc fails with "Unused '@ts-expect-error'";
 * the lines without it must compile. Together they prove that a Trio
 * operation inside an asyncio coroutine, or the reverse, does not compile.
 */
import {
  openNursery,
  run,
  sleep as trioSleep,
  type Operation,
} from "../../src/core/index.js";
import { aioAsTrio, asyncioRun, openLoop, trioAsAio, waitFuture, type TrioFuture } from "../../src/bridge/index.js";
import * as asyncio from "../../src/asyncio/index.js";
import type { Coroutine } from "../../src/asyncio/index.js";

// ---- a Trio operation inside an asyncio coroutine ---------------------------

export function* trioInsideAio(): Coroutine<number> {
  // @ts-expect-error -- Trio's sleep yields Trio traps; a Coroutine may only yield* Futures.
  yield* trioSleep(1);
  return 1;
}

export function* nurseryInsideAio(): Coroutine<void> {
  // @ts-expect-error -- openNursery is a Trio operation.
  yield* openNursery(function* () {});
}

export function* waitFutureInsideAio(f: asyncio.Future<number>): Coroutine<number> {
  // @ts-expect-error -- waitFuture is the Trio side's way to wait; asyncio code writes yield* f.
  return yield* waitFuture(f);
}

// ---- an asyncio coroutine inside a Trio operation ---------------------------

export function* aioInsideTrio(): Operation<number> {
  // @ts-expect-error -- asyncio's sleep yields Futures; an Operation may only yield* Trio operations.
  yield* asyncio.sleep(1);
  return 1;
}

export function* futureInsideTrio(f: asyncio.Future<string>): Operation<string> {
  // @ts-expect-error -- a Future is awaited from Trio code with waitFuture(f).
  return yield* f;
}

export function* trioFutureInsideTrio(): Operation<number> {
  // @ts-expect-error -- trioAsAio returns a Future for asyncio code; Trio code calls the operation directly.
  return yield* trioAsAio(trioOp)(1);
}

// ---- unannotated generators that mix both flavours --------------------------

function* mixed() {
  yield* trioSleep(1);
  yield* asyncio.sleep(1);
  return "mixed";
}

export function* mixedToStartSoon(): Operation<void> {
  yield* openNursery(function* (n) {
    // @ts-expect-error -- a mixed generator is not an Operation.
    n.startSoon(mixed);
  });
}

// @ts-expect-error -- a mixed generator is not a Coroutine.
export const mixedToAioAsTrio = aioAsTrio(mixed);

// @ts-expect-error -- a mixed generator is not an Operation.
export const mixedToTrioAsAio = trioAsAio(mixed);

// @ts-expect-error -- run() takes Trio operations only.
export const mixedToRun = run(mixed);

// ---- the wrong adapter -------------------------------------------------------

// @ts-expect-error -- aioAsTrio wraps asyncio coroutine functions, not Trio operations.
export const wrongAdapter1 = aioAsTrio(trioOp);

// @ts-expect-error -- trioAsAio wraps Trio operations, not asyncio coroutines.
export const wrongAdapter2 = trioAsAio(aioCoro);

// @ts-expect-error -- asyncioRun takes an asyncio coroutine, not a Trio operation.
export const wrongRun = asyncioRun(trioOp(1));

export function* aioCoroToStartSoon(): Operation<void> {
  yield* openNursery(function* (n) {
    // @ts-expect-error -- an asyncio coroutine function cannot be a Trio task; wrap it with aioAsTrio.
    n.startSoon(aioCoro, 1);
  });
}

// ---- what compiles -----------------------------------------------------------

function* trioOp(x: number): Operation<number> {
  yield* trioSleep(x);
  return x + 1;
}

function* aioCoro(x: number): Coroutine<string> {
  yield* asyncio.sleep(x);
  return String(x);
}

// Unannotated single-flavour generators are inferred as their flavour.
function* plainTrio() {
  yield* trioSleep(1);
  return 5;
}
function* plainAio() {
  yield* asyncio.sleep(1);
  return "five";
}

export function* trioCallsAio(): Operation<[string, number, string]> {
  const s: string = yield* aioAsTrio(aioCoro)(2);
  const n: number = yield* plainTrio();
  const t: string = yield* aioAsTrio(plainAio)();
  return [s, n, t];
}

export function* aioCallsTrio(): Coroutine<[number, number]> {
  const future: TrioFuture<number> = trioAsAio(trioOp)(1);
  const a: number = yield* future;
  const b: number = yield* trioAsAio(plainTrio)();
  return [a, b];
}

export function* aioAwaitsFutures(loop: asyncio.EventLoop): Coroutine<number> {
  const f = loop.createFuture<number>();
  loop.callSoon(() => f.setResult(1));
  const task = loop.createTask(aioCoro(1));
  const s: string = yield* task;
  return (yield* f) + s.length;
}

export function* trioWaitsFutures(): Operation<number> {
  return yield* openLoop(function* (loop) {
    const f = loop.createFuture<number>();
    loop.callSoon(() => f.setResult(1));
    return yield* waitFuture(f);
  });
}

export function startsBoth(): Promise<unknown>[] {
  return [run(plainTrio), run(trioCallsAio), asyncioRun(plainAio()), asyncioRun(aioCallsTrio())];
}

export function* startSoonTakesOperations(): Operation<void> {
  yield* openNursery(function* (n) {
    n.startSoon(plainTrio);
    n.startSoon(trioOp, 1);
    n.startSoon(aioAsTrio(aioCoro), 1);
  });
}

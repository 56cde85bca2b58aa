/**
 * `asyncioRun` and `AsyncioRunner`: Python's `asyncio.run` and
 * `asyncio.Runner`, for programs written in the asyncio flavour.
 *
 * They live here, not in src/asyncio, because they are built from the
 * bridges: a Trio run (`runWith`) whose main task opens a loop (`openLoop`)
 * and waits for the main coroutine's Task (`waitFuture`). The asyncio layer
 * sits below the bridges and may not import them, so `asyncio.run` is
 * reachable as `asyncioRun` from the package root (see docs/asyncio.md).
 *
 * The loop's lifetime is the openLoop block's, so the shutdown is the same
 * as everywhere else: remaining tasks are cancelled and awaited, queued
 * callbacks run, and unhandled errors reject the returned Promise. A nursery
 * reports errors as an ExceptionGroup; a group holding a single error is
 * unwrapped here, so `asyncioRun(main())` rejects with what `main` raised,
 * as in Python.
 */
import type { Clock } from "../core/clock.js";
import { ExceptionGroup, checkReadable, describe, readProperty } from "../core/errors.js";
import { currentTask, waitTaskRescheduled } from "../core/operations.js";
import { runWith, type RunOptions } from "../core/runner.js";
import { RuntimeError } from "../core/state.js";
import type { Task as TrioTask } from "../core/task.js";
import { TaskState } from "../core/task.js";
import { Abort, type Operation } from "../core/traps.js";
import { CancelledError } from "../asyncio/errors.js";
import { closeCoro, type EventLoop } from "../asyncio/event-loop.js";
import { running } from "../asyncio/running.js";
import type { Coroutine } from "../asyncio/types.js";
import { waitFuture } from "./aio-as-trio.js";
import { debugOption, openLoop } from "./open-loop.js";

/** Options of `asyncioRun` and `AsyncioRunner`. */
export interface AsyncioRunOptions {
  /** Debug mode of the loop: creation stacks, slow callbacks, pending tasks at exit. */
  debug?: boolean | undefined;
  /** The clock of the underlying Trio run (a MockClock in tests); default: the host's monotonic clock. */
  clock?: Clock | undefined;
}

function checkCoroutine(what: string, coro: unknown): void {
  // readProperty: a revoked Proxy or a getter that throws is refused below, by name.
  if (coro !== null && typeof coro === "object" && typeof readProperty(coro, "next") === "function" && typeof readProperty(coro, "throw") === "function") {
    return;
  }
  // One literal per case, so the production build codes each whole (scripts/error-codes.ts).
  if (typeof coro === "function") {
    throw new TypeError(`${what} needs an asyncio coroutine (the generator returned by calling a function*), got ${describe(coro)}. You passed a function: call it, e.g. asyncioRun(main()) rather than asyncioRun(main).`);
  }
  if (coro !== null && typeof coro === "object" && typeof readProperty(coro, "then") === "function") {
    throw new TypeError(`${what} needs an asyncio coroutine (the generator returned by calling a function*), got ${describe(coro)}. You passed a Promise: asyncio coroutines are generator functions (function*) that yield* Futures.`);
  }
  throw new TypeError(`${what} needs an asyncio coroutine (the generator returned by calling a function*), got ${describe(coro)}.`);
}

function checkOutsideLoop(what: string): void {
  if (running.loop !== null) {
    throw new RuntimeError(`${what} cannot be called from a running event loop: in asyncio code, yield* the coroutine or use loop.createTask(coro).`);
  }
}

function runOptions(options: AsyncioRunOptions, name: string): { run: RunOptions; debug: boolean } {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`${name}: options must be an object such as { debug, clock }.`);
  }
  checkReadable(name, options);
  const run: RunOptions = { name };
  if (options.clock !== undefined) run.clock = options.clock;
  return { run, debug: debugOption(name, options) };
}

/**
 * The openLoop block's group of one error is that error; anything else is
 * kept whole. One level only: a group `main` raised itself (a failed
 * TaskGroup, even with one error) is what Python's `asyncio.run` raises too.
 */
function unwrap(error: unknown): unknown {
  return error instanceof ExceptionGroup && error.exceptions.length === 1 ? error.exceptions[0] : error;
}

function* runMain<T>(main: Coroutine<T>, debug: boolean): Operation<T> {
  return yield* openLoop((loop) => waitFuture(loop.createTask(main)), { debug });
}

/**
 * Runs an asyncio coroutine on a new loop in a new run, and returns a
 * Promise of its result (Python's `asyncio.run(main())`). When `main` ends,
 * the loop's other tasks are cancelled and awaited and the loop closes.
 * Rejects with what `main` raised; if other errors went unhandled on the
 * loop (a callback raised, a task's exception was never retrieved), rejects
 * with them too, in an ExceptionGroup when there are several.
 *
 * ```ts
 * function* main(): Coroutine<string> {
 *   yield* asyncio.sleep(1);
 *   return "done";
 * }
 * const result = await asyncioRun(main());
 * ```
 */
export function asyncioRun<T>(main: Coroutine<T>, options: AsyncioRunOptions = {}): Promise<T> {
  try {
    checkOutsideLoop("asyncioRun()");
    checkCoroutine("asyncioRun(main)", main);
    const { run, debug } = runOptions(options, "asyncioRun()");
    return runWith(run, runMain<T>, main, debug).catch((error: unknown) => {
      throw unwrap(error);
    });
  } catch (error) {
    return Promise.reject(error);
  }
}

const INITIAL = 0;
const RUNNING = 1;
const CLOSED = 2;

/**
 * Python's `asyncio.Runner`: one loop that runs several coroutines one
 * after another (or at once), closed by `close()`.
 *
 * ```ts
 * const runner = new AsyncioRunner({ debug: true });
 * try {
 *   await runner.run(setUp());
 *   await runner.run(main());
 * } finally {
 *   await runner.close();
 * }
 * ```
 *
 * The loop lives in an openLoop block of its own Trio run, from the first
 * `run()` (or `getLoop()`) to `close()`. Unlike Python's, it keeps running
 * between two `run()` calls: tasks left over by one run go on in the
 * background. `close()` is where they are cancelled and awaited.
 */
export class AsyncioRunner {
  private state: 0 | 1 | 2 = INITIAL;
  private readonly runSettings: { run: RunOptions; debug: boolean };
  private loop: EventLoop | null = null;
  private loopReady: Promise<EventLoop> | null = null;
  private finished: Promise<void> | null = null;
  private failure: { error: unknown } | null = null;
  private failureReported = false;
  private failing = false;
  private closeRequested = false;
  private body: TrioTask | null = null;

  /** Options are checked now; the loop starts on the first `run()` or `getLoop()`. */
  constructor(options: AsyncioRunOptions = {}) {
    this.runSettings = runOptions(options, "new AsyncioRunner()");
  }

  /** True once `close()` was called (or the loop failed). */
  get closed(): boolean {
    return this.state === CLOSED;
  }

  /**
   * Runs `coro` as a Task on the runner's loop and returns a Promise of its
   * result (Python's `Runner.run`). Rejects with what the coroutine raised,
   * or with the loop's error if an unhandled asyncio error ended the loop.
   */
  async run<T>(coro: Coroutine<T>): Promise<T> {
    checkCoroutine("AsyncioRunner.run(coro)", coro);
    checkOutsideLoop("AsyncioRunner.run()");
    const loop = await this.getLoop();
    try {
      if (this.closeRequested) {
        // close() came before the coroutine could start: cancelled before its first step, as close() cancels a pending run.
        closeCoro(coro);
        throw new CancelledError("AsyncioRunner.close() was called before this run() started");
      }
      return await loop.createTask(coro);
    } catch (error) {
      if (this.failing) {
        // The loop is going down because of an unhandled error: report
        // that, not the cancellation it caused here.
        await this.finished;
        if (this.failure !== null) {
          this.failureReported = true;
          throw this.failure.error;
        }
      }
      throw error;
    }
  }

  /**
   * The runner's loop, once it runs (Python's `Runner.get_loop`, which is
   * synchronous there; here the loop starts inside a Trio run, a moment
   * later). Starts the loop if needed.
   */
  getLoop(): Promise<EventLoop> {
    if (this.state === CLOSED) {
      const cause = this.failure?.error;
      return Promise.reject(new RuntimeError(cause === undefined ? "The AsyncioRunner is closed." : "The AsyncioRunner is closed: its loop failed.", { cause }));
    }
    if (this.loopReady === null) this.start();
    return this.loopReady!;
  }

  /**
   * Cancels the loop's remaining tasks, waits for them, and closes the loop
   * (Python's `Runner.close`). Idempotent. Rejects with the loop's error if
   * an unhandled asyncio error ended it and no `run()` reported it.
   */
  async close(): Promise<void> {
    if (this.state === INITIAL) {
      this.state = CLOSED;
      return;
    }
    this.state = CLOSED;
    this.closeRequested = true;
    const body = this.body;
    if (body !== null && body.state === TaskState.BLOCKED) {
      this.body = null;
      body.runner.reschedule(body, undefined, false);
    }
    await this.finished;
    if (this.failure !== null && !this.failureReported) {
      this.failureReported = true;
      throw this.failure.error;
    }
  }

  private start(): void {
    this.state = RUNNING;
    let ready!: (loop: EventLoop) => void;
    let notReady!: (error: unknown) => void;
    this.loopReady = new Promise<EventLoop>((resolve, reject) => {
      ready = resolve;
      notReady = reject;
    });
    const self = this;
    function* hostBody(loop: EventLoop): Operation<void> {
      self.loop = loop;
      ready(loop);
      try {
        if (!self.closeRequested) {
          self.body = currentTask();
          yield* waitTaskRescheduled(() => Abort.SUCCEEDED);
        }
      } catch (error) {
        self.failing = true;
        throw error;
      } finally {
        self.body = null;
      }
    }
    const settings = this.runSettings;
    this.finished = runWith(settings.run, function* host() {
      yield* openLoop(hostBody, { debug: settings.debug });
    }).then(
      () => undefined,
      (error: unknown) => {
        this.failure = { error: unwrap(error) };
        this.state = CLOSED;
        // If the run failed before the loop started, whoever waits for it hears why.
        notReady(this.failure.error);
      },
    );
  }

  toString(): string {
    return `<AsyncioRunner ${["initial", "running", "closed"][this.state]}${this.loop === null ? "" : ` loop #${this.loop.id}`}>`;
  }
}

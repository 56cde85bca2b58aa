/**
 * `TaskGroup`: asyncio's structured concurrency (Python 3.11+'s
 * `async with asyncio.TaskGroup() as tg:`), as a block:
 *
 *     yield* TaskGroup.run(function* (tg) {
 *       tg.createTask(fetch(a));
 *       tg.createTask(fetch(b));
 *     });   // returns once both are done
 *
 * The block's end waits for every task of the group. The first task that
 * fails cancels the other tasks and the block's own Task (the parent), so a
 * body waiting on something stops at once; when everything has ended, the
 * errors are raised together as an `ExceptionGroup`.
 *
 * Cancelling the parent is done with `task.cancel()` and withdrawn with
 * `task.uncancel()`, exactly as CPython does, so a TaskGroup composes with
 * `timeout()` and with outer cancellations: the group absorbs only the
 * cancellation it asked for; any other one still propagates (as
 * `CancelledError`, or by re-cancelling the parent when an ExceptionGroup
 * must be raised instead).
 */
import { ExceptionGroup, isUnusableFunction } from "../core/errors.js";
import { CancelledError, RuntimeError } from "./errors.js";
import { cancelOrReport, closeCoro, type EventLoop } from "./event-loop.js";
import type { Future } from "./future.js";
import { currentTask, getRunningLoop } from "./running.js";
import type { Task, TaskOptions } from "./task.js";
import type { Coroutine } from "./types.js";

/** A group of Tasks that end together. Use `TaskGroup.run(function* (tg) {...})`. */
export class TaskGroup {
  private entered = false;
  private exiting = false;
  private aborting = false;
  private loop: EventLoop | null = null;
  private parentTask: Task<unknown> | null = null;
  private parentCancelRequested = false;
  /**
   * The group's tasks, for abort() to cancel, in an array with a count of
   * those not done: a Set add and delete per task were a third of a 10k
   * spawn. Finished tasks are dropped in bulk once they are most of it, so a
   * long-lived group does not keep every task it ever ran.
   */
  private tasks: Task<unknown>[] = [];
  /** How many of the group's tasks have not reported done yet. */
  private live = 0;
  private errors: unknown[] = [];
  private onCompleted: Future<boolean> | null = null;
  private readonly onTaskDoneBound = (task: Future<unknown>) => this.onTaskDone(task as Task<unknown>);

  /** Runs `body(tg)` with a new TaskGroup and waits for all its tasks. */
  static run<T>(body: (tg: TaskGroup) => Coroutine<T>): Coroutine<T> {
    return new TaskGroup().run(body);
  }

  /**
   * Runs `body(this)`, then waits for every task of the group. Returns the
   * body's result, or raises an ExceptionGroup of everything that failed
   * (the body's own error included). A TaskGroup can be run only once.
   */
  *run<T>(body: (tg: TaskGroup) => Coroutine<T>): Coroutine<T> {
    if (typeof body !== "function") throw new TypeError("TaskGroup.run(body) needs a generator function: run(function* (tg) { ... }).");
    if (isUnusableFunction(body)) throw new TypeError("TaskGroup.run(body) needs a generator function, but this one cannot be called: reading it threw (a revoked Proxy?). Pass run(function* (tg) { ... }).");
    this.enter();
    let value: T | undefined;
    let failed = false;
    let error: unknown;
    try {
      value = yield* body(this);
    } catch (e) {
      failed = true;
      error = e;
    }
    try {
      yield* this.exit(failed, error);
    } finally {
      this.parentTask = null;
      this.errors = [];
    }
    if (failed) throw error;
    return value as T;
  }

  /**
   * Starts `coro` as a Task of the group and returns it. Only while the
   * group runs, and not once it is shutting down after a failure.
   */
  createTask<T>(coro: Coroutine<T>, options: Omit<TaskOptions, "loop"> = {}): Task<T> {
    if (!this.entered) {
      closeCoro(coro);
      throw new RuntimeError(`${this} has not been entered: call createTask() inside TaskGroup.run(function* (tg) { ... }).`);
    }
    if (this.exiting && this.live === 0) {
      closeCoro(coro);
      throw new RuntimeError(`${this} is finished: it cannot take new tasks.`);
    }
    if (this.aborting) {
      closeCoro(coro);
      throw new RuntimeError(`${this} is shutting down after a failure or cancellation: it cannot take new tasks.`);
    }
    const task = this.loop!.createTask(coro, options);
    // Always add and listen, even if an eager task is already done, so its
    // failure is handled from the loop, not inside createTask(). Listen
    // first: a task (from a task factory) whose addDoneCallback throws must
    // not be counted, or the block's end would wait for it forever.
    task.addDoneCallback(this.onTaskDoneBound);
    this.tasks.push(task as Task<unknown>);
    this.live++;
    // An eager task may have made the group abort before it was added.
    if (this.aborting && !task.done()) task.cancel();
    return task;
  }

  private enter(): void {
    if (this.entered) throw new RuntimeError(`${this} has already been entered: make a new TaskGroup for each block.`);
    this.loop ??= getRunningLoop();
    const parent = currentTask();
    if (parent === null) throw new RuntimeError(`${this} cannot determine the parent task: run it with yield* from an asyncio coroutine.`);
    this.parentTask = parent;
    this.entered = true;
  }

  private *exit(failed: boolean, error: unknown): Coroutine<void> {
    this.exiting = true;
    const parent = this.parentTask!;
    let propagateCancel: CancelledError | null = failed && error instanceof CancelledError ? error : null;
    if (failed && !this.aborting) this.abort();

    // The waiter may be cancelled several times if the parent is cancelled
    // repeatedly, hence the loop.
    while (this.live > 0) {
      this.onCompleted ??= this.loop!.createFuture<boolean>();
      try {
        yield* this.onCompleted;
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        if (!this.aborting) {
          // The parent was cancelled from outside while waiting.
          propagateCancel = e;
          this.abort();
        }
      }
      this.onCompleted = null;
    }

    // We cancelled the parent only because a child failed: withdraw exactly
    // that request. The errors are raised below, so the CancelledError it
    // caused is never propagated.
    if (this.parentCancelRequested) parent.uncancel();
    if (propagateCancel !== null && this.errors.length === 0) throw propagateCancel;
    if (failed && !(error instanceof CancelledError)) this.errors.push(error);
    if (this.errors.length > 0) {
      // An outside cancellation must survive the ExceptionGroup: take it
      // back and request it again, which keeps the count unchanged.
      if (parent.cancelling() > 0) {
        parent.uncancel();
        parent.cancel();
      }
      throw new ExceptionGroup("unhandled errors in a TaskGroup", this.errors);
    }
  }

  private abort(): void {
    this.aborting = true;
    // cancel() runs no task code (the tasks see it at their next step), so the array cannot change meanwhile.
    const tasks = this.tasks;
    for (let i = 0; i < tasks.length; i++) {
      // A task factory's Task whose cancel() throws: its siblings are still cancelled, and the group waits for it to end.
      cancelOrReport(this.loop!, tasks[i]!, String(this));
    }
  }

  private onTaskDone(task: Task<unknown>): void {
    this.live--;
    const tasks = this.tasks;
    if (this.live === 0) this.tasks = [];
    else if (tasks.length >= 64 && this.live * 2 < tasks.length) this.tasks = tasks.filter((t) => !t.done());
    if (this.onCompleted !== null && this.live === 0 && !this.onCompleted.done()) this.onCompleted.setResult(true);
    if (task.cancelled()) return;
    const exc = task.exception();
    if (!task.hasException) return;
    this.errors.push(exc);
    const parent = this.parentTask;
    if (parent === null || parent.done()) {
      this.loop!.callExceptionHandler({
        message: `Task ${task} has errored out but its parent task ${parent ?? "(gone)"} is already completed`,
        exception: exc,
        task,
      });
      return;
    }
    if (!this.aborting && !this.parentCancelRequested) {
      // Stop whatever the body is waiting on; exit() withdraws this
      // cancellation again with uncancel().
      this.abort();
      this.parentCancelRequested = true;
      parent.cancel();
    }
  }

  toString(): string {
    const info: string[] = [];
    if (this.live > 0) info.push(`tasks=${this.live}`);
    if (this.errors.length > 0) info.push(`errors=${this.errors.length}`);
    if (this.aborting) info.push("cancelling");
    else if (this.entered) info.push("entered");
    return info.length === 0 ? "<TaskGroup>" : `<TaskGroup ${info.join(" ")}>`;
  }
}

/** The core: runs, tasks, nurseries, cancel scopes, checkpoints. */
export { run, runWith, Runner, type RunOptions, type RunStatistics } from "./runner.js";
export { Task, TaskState } from "./task.js";
export { openNursery, Nursery, ChildTasks, TASK_STATUS_IGNORED, type TaskStatus } from "./nursery.js";
export {
  CancelScope,
  moveOnAfter,
  moveOnAt,
  failAfter,
  failAt,
  currentCancelScope,
  currentEffectiveDeadline,
  currentSignal,
  type CancelScopeOptions,
  type DeadlineOptions,
} from "./cancel-scope.js";
export {
  checkpoint,
  checkpointIfCancelled,
  cancelShieldedCheckpoint,
  sleep,
  sleepUntil,
  sleepForever,
  currentTime,
  currentTask,
  currentRun,
  currentStatistics,
  waitTaskRescheduled,
  reschedule,
  spawnSystemTask,
  addInstrument,
  removeInstrument,
} from "./operations.js";
export {
  Cancelled,
  TooSlowError,
  BrokenResourceError,
  ClosedResourceError,
  EndOfChannel,
  WouldBlock,
  BusyResourceError,
  RunFinishedError,
  TrioInternalError,
  TrioError,
  ExceptionGroup,
  type ErrorMatcher,
} from "./errors.js";
export { RuntimeError } from "./state.js";
export { Abort, valueOutcome, errorOutcome, type Operation, type OperationFn, type Trap, type AbortFn, type Outcome } from "./traps.js";
export { SystemClock, type Clock } from "./clock.js";
export type { Instrument } from "./instruments.js";
export { chooseMacrotask, type MacrotaskKind } from "./host.js";
export { ContextVar, Context, Token, copyContext } from "./context.js";
export { RunVar, RunVarToken } from "./run-var.js";
export { ValueError, LookupError } from "./python-errors.js";
export { retry, type RetryOptions } from "./retry.js";
export { staggeredRace, type StaggeredRaceOptions, type StaggeredRaceResult } from "./staggered-race.js";

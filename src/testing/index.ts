/** Test helpers: a controllable clock and a way to wait for quiescence. */
export { MockClock, type MockClockOptions } from "./mock-clock.js";
export { waitAllTasksBlocked } from "./wait-all-tasks-blocked.js";
export { assertCheckpoints, assertNoCheckpoints } from "./checkpoints.js";

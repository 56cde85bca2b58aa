/**
 * A mount lease: how a UI binding ties a runtime, a nursery or a policy to
 * a component's mounted lifetime when its framework may clean an effect up
 * and set it up again for the same component.
 *
 * Why it is built so: React's StrictMode (in development) mounts every
 * component, unmounts it and mounts it again, all in one synchronous step,
 * with the same state and refs. Closing a nursery or a policy for good in
 * the first cleanup would leave the remounted component with closed ones,
 * and recreating them would run its work twice. So a cleanup only
 * *releases* the lease: the close is put off to a microtask, and a setup
 * that comes first (the remount) takes the lease back and nothing is
 * closed. A real unmount has no second setup, so the close happens a
 * microtask later, before any task could take another step (tasks run on
 * later ticks). Preact never remounts a component, so its bindings close at
 * once and need no lease.
 */
export class MountLease {
  private holders = 0;
  private closeQueued = false;
  private _closed = false;

  /** @param close Closes the leased resource for good; called at most once. */
  constructor(private readonly close: () => void) {
    if (typeof close !== "function") throw new TypeError("new MountLease(close) needs the function that closes the resource.");
  }

  /** True once the lease ran out and the resource was closed. */
  get closed(): boolean {
    return this._closed;
  }

  /** A mount (an effect's setup) holds the resource open. */
  acquire(): void {
    this.holders++;
  }

  /**
   * An unmount (an effect's cleanup) lets go of it; once no mount holds it
   * at the next microtask, it is closed.
   */
  release(): void {
    if (this.holders > 0) this.holders--;
    if (this.holders > 0 || this.closeQueued || this._closed) return;
    this.closeQueued = true;
    queueMicrotask(() => {
      this.closeQueued = false;
      if (this.holders > 0 || this._closed) return;
      this._closed = true;
      this.close();
    });
  }
}

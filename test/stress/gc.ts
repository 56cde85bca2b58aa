/**
 * A way to force garbage collection inside a vitest worker, which cannot be
 * started with `--expose-gc`: V8 accepts the flag at run time, and a fresh
 * VM context then exposes `gc`. Used to check that finished runs and loops
 * are really collectable (nothing retains them), with WeakRefs.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

setFlagsFromString("--expose-gc");
const gcFn = runInNewContext("gc") as () => void;

/**
 * Collects garbage thoroughly: WeakRef targets stay alive until the current
 * job ends, and FinalizationRegistry callbacks run in later tasks, so this
 * alternates full collections with host turns.
 */
export async function collectGarbage(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    gcFn();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/** How many of the WeakRefs' targets are still alive. */
export function alive(refs: readonly WeakRef<object>[]): number {
  return refs.filter((r) => r.deref() !== undefined).length;
}

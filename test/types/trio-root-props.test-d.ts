/**
 * Compile-time checks of `<TrioRoot>`'s props, run by `tsc -p tsconfig.json`
 * (never executed). A root's own runtime is always lazy, so `lazy` is no
 * prop: `lazy={false}` compiled and did nothing.
 */
import type { TrioRootProps as ReactRootProps } from "../../src/react/index.js";
import type { TrioRootProps as PreactRootProps } from "../../src/preact/index.js";

export const reactProps: ReactRootProps = { name: "app", timeSlice: 0.005 };
export const preactProps: PreactRootProps = { name: "app", timeSlice: 0.005 };

// @ts-expect-error lazy is no prop of a React root
export const reactLazy: ReactRootProps = { lazy: false };
// @ts-expect-error lazy is no prop of a Preact root
export const preactLazy: PreactRootProps = { lazy: false };

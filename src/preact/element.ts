/**
 * Which component is rendering, so `useNursery` can tell the devtools which
 * DOM element its tasks belong to (page to panel).
 *
 * Preact has no public "current component" API, so this wraps its render
 * hook (`options.__r`, the one preact/hooks itself uses to find the current
 * component) and reads the component's latest vnode's first DOM node
 * (`component.__v.__e`). These are Preact's mangled internal names, the same
 * ones preact/hooks, @preact/signals and Preact's devtools rely on; if a
 * Preact version lacked them, the locator would find nothing and the panel
 * would simply not highlight. The wrapper is installed by the first
 * `<TrioRoot>` render and costs one property read per component render.
 */
import { options } from "preact";
import type { ElementLocator, ScopedNursery } from "../components/index.js";

interface PreactInternals {
  /** preact/hooks' render hook: called with the vnode before its component renders. */
  __r?: ((vnode: { __c?: unknown }) => void) | undefined;
}

let rendering: unknown = null;
let installed = false;

/** Starts tracking the component being rendered (idempotent). */
export function trackRenderingComponent(): void {
  if (installed) return;
  installed = true;
  const hooks = options as unknown as PreactInternals;
  const previous = hooks.__r;
  hooks.__r = (vnode) => {
    previous?.(vnode);
    rendering = vnode.__c ?? null;
  };
  // Hold no unmounted component: forget it if it was the last one rendered.
  const previousUnmount = options.unmount;
  options.unmount = (vnode) => {
    previousUnmount?.(vnode);
    if ((vnode as { __c?: unknown }).__c === rendering) rendering = null;
  };
}

/** A locator for the component rendering now, or null if none can be told. */
export function locatorForRenderingComponent(): ElementLocator | null {
  const component = rendering;
  if (component === null || typeof component !== "object") return null;
  return () => {
    const dom = (component as { __v?: { __e?: unknown } | null }).__v?.__e;
    if (typeof Element === "function" && dom instanceof Element) return dom;
    // A component whose first node is text: its parent element.
    if (typeof Node === "function" && dom instanceof Node) return dom.parentElement;
    return null;
  };
}

/** Gives `nursery` the element of the component rendering now, if it can be told. */
export function locateNurseryElement(nursery: ScopedNursery): void {
  const locate = locatorForRenderingComponent();
  if (locate !== null) nursery.locateElement = locate;
}

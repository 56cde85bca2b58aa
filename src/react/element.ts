/**
 * Which component is rendering, so `useNursery` can tell the devtools which
 * DOM element its tasks belong to (page to panel), as the Preact bindings do.
 *
 * React has no public "current component" API. Its development builds keep
 * the fiber being rendered behind the owner dispatcher of its shared
 * internals (`__CLIENT_INTERNALS_DO_NOT_USE_OR_WARN_USERS_THEY_CANNOT_UPGRADE.A
 * .getOwner()`, what React itself uses for owner stacks); a fiber's first
 * host descendant is the component's first DOM node. Production builds do
 * not have `getOwner`: there the locator is never made and the panel simply
 * does not outline (the panel is a development tool anyway). Everything is
 * read defensively: a React version without these finds nothing, and
 * nothing throws. Looked up only when a tool asks; the cost per nursery is
 * one call at its creation.
 */
import * as React from "react";
import type { ElementLocator, ScopedNursery } from "../components/index.js";

const INTERNALS = "__CLIENT_INTERNALS_DO_NOT_USE_OR_WARN_USERS_THEY_CANNOT_UPGRADE";

/** The parts of a React fiber read here. */
interface Fiber {
  child?: Fiber | null | undefined;
  sibling?: Fiber | null | undefined;
  alternate?: Fiber | null | undefined;
  stateNode?: unknown;
}

function renderingFiber(): Fiber | null {
  try {
    const internals = (React as unknown as Record<string, unknown>)[INTERNALS] as { A?: { getOwner?: () => unknown } | null } | undefined;
    const owner = internals?.A?.getOwner?.();
    return typeof owner === "object" && owner !== null ? (owner as Fiber) : null;
  } catch {
    return null;
  }
}

// The first DOM node under `fiber` (host components and text hold theirs in stateNode), depth first, bounded.
function firstDomNode(fiber: Fiber): Node | null {
  const stack: Fiber[] = [];
  let next = fiber.child ?? null;
  for (let visited = 0; next !== null && visited < 10_000; visited++) {
    const node = next.stateNode;
    if (typeof Node === "function" && node instanceof Node) return node;
    if (next.sibling) stack.push(next.sibling);
    next = next.child ?? stack.pop() ?? null;
  }
  return null;
}

function elementOf(fiber: Fiber): Element | null {
  const dom = firstDomNode(fiber);
  if (dom === null || !dom.isConnected) return null;
  if (typeof Element === "function" && dom instanceof Element) return dom;
  return dom.parentElement; // a component whose first node is text
}

/** A locator for the component rendering now, or null if none can be told (a production build of React). */
export function locatorForRenderingComponent(): ElementLocator | null {
  const fiber = renderingFiber();
  if (fiber === null) return null;
  return () => {
    try {
      // The fiber seen in render or its alternate is the committed one: whichever leads to the page.
      return elementOf(fiber) ?? (fiber.alternate ? elementOf(fiber.alternate) : null);
    } catch {
      return null;
    }
  };
}

/** Gives `nursery` the element of the component rendering now, if it can be told. */
export function locateNurseryElement(nursery: ScopedNursery): void {
  const locate = locatorForRenderingComponent();
  if (locate !== null) nursery.locateElement = locate;
}

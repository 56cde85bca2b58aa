/**
 * Page to panel: which DOM element a component's tasks belong to.
 *
 * A binding that can find a component's DOM (the Preact one can) gives its
 * `ScopedNursery` a locator; the nursery puts it on each host cancel scope
 * it makes, under a registered symbol. Every task the component starts runs
 * inside that scope, so the inspector finds a task's element by walking the
 * task's scopes outwards, without this layer importing the inspector (or
 * the inspector this one). Nothing is looked up until a tool asks: the cost
 * is one property per component nursery host.
 */
import type { CancelScope } from "../core/index.js";

/** The registered symbol the inspector looks for on a cancel scope (`Symbol.for`, so no import is needed). */
export const OWNER_ELEMENT = Symbol.for("trio-asyncio.owner-element");

/** Returns the component's first DOM element, or null (unmounted, or renders nothing). */
export type ElementLocator = () => Element | null;

/** Marks `scope` as a component's: its tasks belong to the element that `locate` returns. */
export function markOwnerElement(scope: CancelScope, locate: ElementLocator): void {
  Object.defineProperty(scope, OWNER_ELEMENT, { value: locate });
}

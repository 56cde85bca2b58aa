/**
 * Page to panel: the DOM element a task's work belongs to, and back.
 *
 * A UI binding that can find a component's DOM (the Preact one) puts a
 * locator on the component's host cancel scope under a registered symbol
 * (`components/element.ts`); a task belongs to the element of the nearest
 * such scope around it. This module only reads that mark (no import of the
 * components layer) and calls the locator; it never changes the DOM.
 */
import type { CancelScope } from "../core/cancel-scope.js";
import type { Runner } from "../core/runner.js";
import type { Task } from "../core/task.js";
import { readProperty } from "../core/errors.js";
import { liveRuns } from "./hooks.js";
import { walkRun } from "./snapshot.js";

const OWNER_ELEMENT = Symbol.for("trio-asyncio.owner-element");

// The DOM's Element where the consumer's TypeScript has the DOM lib, else `object`: the main entry
// exports this module, and a Node project without "DOM" in `lib` must type-check it too.
type DomElement = typeof globalThis extends { Element: { prototype: infer E } } ? E : object;

// The locator of the nearest marked scope around `scope`, caching each scope's answer for one walk.
function locatorOf(scope: CancelScope | null, cache: Map<CancelScope, (() => unknown) | null>): (() => unknown) | null {
  const path: CancelScope[] = [];
  let found: (() => unknown) | null = null;
  for (let s = scope; s !== null; s = s.parent) {
    const known = cache.get(s);
    if (known !== undefined) {
      found = known;
      break;
    }
    path.push(s);
    const mark = readProperty(s, OWNER_ELEMENT);
    if (typeof mark === "function") {
      found = mark as () => unknown;
      break;
    }
  }
  for (const s of path) cache.set(s, found);
  return found;
}

function elementFrom(locate: (() => unknown) | null): DomElement | null {
  if (locate === null) return null;
  try {
    const element = locate();
    return typeof element === "object" && element !== null ? (element as DomElement) : null;
  } catch {
    return null;
  }
}

function eachTask(visit: (task: Task) => void): void {
  for (const r of liveRuns) walkRun(r as Runner, { task: visit, nursery: () => {}, scope: () => {} });
}

/**
 * The DOM element of the component whose work the task with this id is
 * (`TaskRecord.id`), or null: no such live task, or no binding recorded an
 * element for it (only the Preact bindings do). For tools: the devtools
 * panel outlines it when the task is selected.
 */
export function elementOf(taskId: number): DomElement | null {
  let element: DomElement | null = null;
  let done = false;
  const cache = new Map<CancelScope, (() => unknown) | null>();
  eachTask((t) => {
    if (done || t.id !== taskId) return;
    done = true;
    element = elementFrom(locatorOf(t.scope, cache));
  });
  return element;
}

/**
 * Every component element that owns live tasks, with their ids, in the
 * order the tasks were walked. For tools: the panel's "inspect element"
 * mode picks the element under the pointer (or its nearest ancestor in
 * this map) and selects its tasks.
 */
export function tasksByElement(): Map<DomElement, number[]> {
  const byElement = new Map<DomElement, number[]>();
  const cache = new Map<CancelScope, (() => unknown) | null>();
  const elements = new Map<() => unknown, DomElement | null>();
  eachTask((t) => {
    const locate = locatorOf(t.scope, cache);
    if (locate === null) return;
    let element = elements.get(locate);
    if (element === undefined) {
      element = elementFrom(locate);
      elements.set(locate, element);
    }
    if (element === null) return;
    const ids = byElement.get(element);
    if (ids === undefined) byElement.set(element, [t.id]);
    else ids.push(t.id);
  });
  return byElement;
}

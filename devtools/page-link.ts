/**
 * Page to panel: outline the DOM element of the selected task's component,
 * and an "inspect element" mode that picks an element on the page and
 * selects its tasks.
 *
 * Both draw on the page itself, so they live outside the panel's shadow
 * root: one fixed, pointer-transparent outline element appended to
 * `document.body` while something is outlined, removed when nothing is
 * (deselected, panel closed or unmounted). The pick mode listens on the
 * document in the capture phase, so the page's own handlers never see the
 * picking click; events inside the panel itself are left alone.
 */
import { useEffect, useLayoutEffect, useRef } from "preact/hooks";

/** The outline's z-index: over the page, under the panel's frame (2147483646). */
const OUTLINE_Z = 2147483645;

/** A fixed outline over one element, with a caption; `show(null)` removes it. */
export class ElementOutline {
  private box: HTMLDivElement | null = null;
  private caption: HTMLSpanElement | null = null;
  private target: Element | null = null;
  private readonly reposition = () => this.place();

  /** Outlines `element` with `label` as the caption, or removes the outline (null). */
  show(element: Element | null, label = ""): void {
    if (element === null || !element.isConnected) {
      this.remove();
      return;
    }
    if (this.box === null) {
      const box = document.createElement("div");
      box.setAttribute("data-trio-devtools-outline", "");
      box.setAttribute("aria-hidden", "true");
      box.style.cssText =
        `position:fixed;pointer-events:none;z-index:${OUTLINE_Z};box-sizing:border-box;` +
        "outline:2px solid #3b82f6;background:rgba(59,130,246,0.14);border-radius:2px;";
      const caption = document.createElement("span");
      caption.style.cssText =
        "position:absolute;left:-2px;bottom:100%;margin-bottom:2px;padding:1px 6px;white-space:nowrap;" +
        "font:12px/1.5 system-ui,sans-serif;color:#fff;background:#1d4ed8;border-radius:2px;";
      box.appendChild(caption);
      document.body.appendChild(box);
      this.box = box;
      this.caption = caption;
      window.addEventListener("scroll", this.reposition, true);
      window.addEventListener("resize", this.reposition);
    }
    this.target = element;
    this.caption!.textContent = label;
    this.caption!.style.display = label === "" ? "none" : "";
    this.place();
  }

  /** The element outlined now, if any. */
  get element(): Element | null {
    return this.box === null ? null : this.target;
  }

  /** Removes the outline and its listeners. */
  remove(): void {
    if (this.box === null) return;
    window.removeEventListener("scroll", this.reposition, true);
    window.removeEventListener("resize", this.reposition);
    this.box.remove();
    this.box = null;
    this.caption = null;
    this.target = null;
  }

  private place(): void {
    if (this.box === null || this.target === null) return;
    if (!this.target.isConnected) {
      this.remove();
      return;
    }
    const r = this.target.getBoundingClientRect();
    const s = this.box.style;
    s.left = `${r.left}px`;
    s.top = `${r.top}px`;
    s.width = `${r.width}px`;
    s.height = `${r.height}px`;
  }
}

/** A short caption for an element: "section.search", "button#go". */
export function describeElement(element: Element): string {
  const id = element.id !== "" ? `#${element.id}` : "";
  const cls = typeof element.className === "string" && element.className.trim() !== "" ? `.${element.className.trim().split(/\s+/)[0]}` : "";
  return `${element.tagName.toLowerCase()}${id}${cls}`;
}

/**
 * The component element that owns `target`: `target` itself or its nearest
 * ancestor (crossing shadow roots) among `owners`; null if none.
 */
export function owningElement(target: Element | null, owners: ReadonlyMap<Element, unknown>): Element | null {
  let node: Node | null = target;
  while (node !== null) {
    if (node instanceof Element && owners.has(node)) return node;
    // Out of a shadow root: on to its host.
    node = node.parentNode ?? ((node as Partial<ShadowRoot>).host ?? null);
  }
  return null;
}

/** Outlines `element` while it is given and the component is mounted (a caption names it). */
export function useElementOutline(element: Element | null, label: string): void {
  const outline = useRef<ElementOutline | null>(null);
  useEffect(() => {
    if (element === null) return;
    outline.current ??= new ElementOutline();
    outline.current.show(element, label);
    return () => outline.current?.remove();
  }, [element, label]);
}

/** What the pick mode needs. */
export interface PickerOptions {
  /** Picking is on. */
  active: boolean;
  /** Every component element with its live tasks (re-read when the pointer moves, at most every 300 ms). */
  tasksByElement: () => Map<Element, number[]>;
  /** True for an event target inside the panel (left to the panel). */
  insidePanel: (event: Event) => boolean;
  /** An element was picked: the component element and its task ids. */
  onPick: (element: Element, taskIds: number[]) => void;
  /** Picking ended without a pick (Escape). */
  onCancel: () => void;
}

/** The "inspect element" mode: hover outlines the component under the pointer, a click picks it. */
export function usePicker(options: PickerOptions): void {
  const latest = useRef(options);
  latest.current = options;
  // A layout effect: listening from the render that shows "Picking", not a frame later,
  // so an Escape or click right after the button press is already the picker's.
  useLayoutEffect(() => {
    if (!options.active) return;
    const outline = new ElementOutline();
    let owners = latest.current.tasksByElement();
    let readAt = performance.now();
    const ownerAt = (event: Event): Element | null => {
      if (performance.now() - readAt > 300) {
        owners = latest.current.tasksByElement();
        readAt = performance.now();
      }
      const target = event.composedPath()[0];
      return owningElement(target instanceof Element ? target : null, owners);
    };
    const onMove = (event: PointerEvent) => {
      if (latest.current.insidePanel(event)) {
        outline.remove();
        return;
      }
      const owner = ownerAt(event);
      const ids = owner === null ? undefined : owners.get(owner);
      outline.show(owner, owner === null ? "" : `${describeElement(owner)} · ${ids?.length ?? 0} task${ids?.length === 1 ? "" : "s"}`);
    };
    // The page must not act on the picking press: swallow it whole (down, up and click).
    const swallow = (event: Event) => {
      if (latest.current.insidePanel(event)) return;
      event.preventDefault();
      event.stopPropagation();
    };
    const onClick = (event: MouseEvent) => {
      if (latest.current.insidePanel(event)) return;
      swallow(event);
      const owner = ownerAt(event);
      if (owner === null) return; // nothing of ours here: keep picking
      latest.current.onPick(owner, owners.get(owner) ?? []);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      // Escape ends picking only: the panel's frame must not also close on it.
      event.preventDefault();
      event.stopPropagation();
      latest.current.onCancel();
    };
    document.addEventListener("pointermove", onMove, true);
    document.addEventListener("pointerdown", swallow, true);
    document.addEventListener("mousedown", swallow, true);
    document.addEventListener("pointerup", swallow, true);
    document.addEventListener("mouseup", swallow, true);
    document.addEventListener("click", onClick, true);
    document.addEventListener("keydown", onKey, true);
    return () => {
      document.removeEventListener("pointermove", onMove, true);
      document.removeEventListener("pointerdown", swallow, true);
      document.removeEventListener("mousedown", swallow, true);
      document.removeEventListener("pointerup", swallow, true);
      document.removeEventListener("mouseup", swallow, true);
      document.removeEventListener("click", onClick, true);
      document.removeEventListener("keydown", onKey, true);
      outline.remove();
    };
  }, [options.active]);
}

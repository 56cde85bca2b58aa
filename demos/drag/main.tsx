/**
 * Pointer drag: a card dragged with the pointer, written as one task that
 * reads pointer events from channels instead of juggling listeners.
 * `waitEvent(board, "pointerdown")` starts a drag; inside it, the moves come
 * from `openEventChannel(board, "pointermove", { maxBuffer: 1, overflow:
 * "drop-oldest" })` (only the latest position matters), while two sibling
 * tasks wait for `pointerup` (drop) and for Escape (cancel: the card goes
 * back). Whichever ends the drag cancels the drag's nursery, and leaving it
 * removes the move, up and key listeners. Switching dragging off cancels the
 * whole task: not even the pointerdown listener is left.
 */
import { useReducer, useRef, useState } from "preact/hooks";
import type { JSX } from "preact";
import { openNursery, type Operation } from "../../src/index.js";
import { useTask } from "../../src/preact/index.js";
import { openEventChannel, waitEvent } from "../../src/web/index.js";
import { startDemo } from "../shared/page.js";

const CARD = 80;

/** What the drag task reports to the component. */
class DragModel {
  x = 40;
  y = 40;
  dragging = false;
  drops = 0;
  cancels = 0;
  moves = 0;
  dropped = 0;
  notes: string[] = [];
  constructor(readonly changed: () => void) {}

  note(text: string): void {
    this.notes = [...this.notes.slice(-5), text];
    this.changed();
  }
}

/** The pointer's position in the board's coordinates. */
function local(event: PointerEvent, board: HTMLElement): { x: number; y: number } {
  const r = board.getBoundingClientRect();
  return { x: event.clientX - r.left, y: event.clientY - r.top };
}

function onCard(event: PointerEvent, model: DragModel, board: HTMLElement): boolean {
  const { x, y } = local(event, board);
  return event.button === 0 && x >= model.x && x < model.x + CARD && y >= model.y && y < model.y + CARD;
}

/** One drag, from a pointerdown on the card: ends dropped (pointerup) or cancelled (Escape). */
function* drag(board: HTMLElement, model: DragModel, down: PointerEvent): Operation<void> {
  const start = { x: model.x, y: model.y };
  const at = local(down, board);
  const grab = { dx: at.x - start.x, dy: at.y - start.y };
  let outcome: "dropped" | "cancelled" = "cancelled";
  // The board keeps getting the pointer's events when it leaves the board, up to its pointerup.
  // (A pointer already gone, as after a very quick click, cannot be captured: the drag goes on without.)
  try {
    board.setPointerCapture(down.pointerId);
  } catch {
    // InvalidStateError: no active pointer with this id.
  }
  model.dragging = true;
  model.changed();
  try {
    yield* openNursery(function* (nursery) {
      nursery.startSoon(function* dropOnPointerUp() {
        yield* waitEvent<PointerEvent>(board, "pointerup", { filter: (e) => e.pointerId === down.pointerId });
        outcome = "dropped";
        nursery.cancelScope.cancel();
      });
      nursery.startSoon(function* cancelOnEscape() {
        yield* waitEvent<KeyboardEvent>(window, "keydown", { filter: (e) => e.key === "Escape" });
        nursery.cancelScope.cancel();
      });
      // The latest move wins: a slow frame drops older positions, never queues them.
      yield* openEventChannel<PointerEvent, void>(board, "pointermove", { maxBuffer: 1, overflow: "drop-oldest" }, function* (moves) {
        for (;;) {
          const move = local(yield* moves.receive(), board);
          model.x = move.x - grab.dx;
          model.y = move.y - grab.dy;
          model.moves++;
          model.dropped = moves.statistics().overflowed;
          model.changed();
        }
      });
    });
  } finally {
    if (board.hasPointerCapture(down.pointerId)) board.releasePointerCapture(down.pointerId);
    model.dragging = false;
    if (outcome === "cancelled") {
      // Escape, or the whole task cancelled mid-drag: the card goes back.
      model.x = start.x;
      model.y = start.y;
      model.cancels++;
    } else {
      model.drops++;
    }
    model.note(`${outcome} at ${Math.round(model.x)}, ${Math.round(model.y)}`);
  }
}

function* dragLoop(board: HTMLElement, model: DragModel): Operation<void> {
  for (;;) {
    const down = yield* waitEvent<PointerEvent>(board, "pointerdown", { filter: (e) => onCard(e, model, board) });
    yield* drag(board, model, down);
  }
}

function Board(props: { enabled: boolean }): JSX.Element {
  const [, force] = useReducer((n: number) => n + 1, 0);
  const model = useRef<DragModel | null>(null);
  model.current ??= new DragModel(() => force(undefined));
  const m = model.current;
  const board = useRef<HTMLDivElement>(null);
  const enabled = props.enabled;
  useTask(
    function* () {
      if (enabled) yield* dragLoop(board.current!, m);
    },
    [enabled],
    { name: "dragLoop" },
  );
  return (
    <div class="card">
      <div
        ref={board}
        data-testid="board"
        style={{ position: "relative", height: "260px", background: "#f3f5fa", borderRadius: "6px", touchAction: "none", userSelect: "none" }}
      >
        <div
          data-testid="card"
          style={{
            position: "absolute",
            left: `${m.x}px`,
            top: `${m.y}px`,
            width: `${CARD}px`,
            height: `${CARD}px`,
            borderRadius: "8px",
            background: m.dragging ? "#2a47a8" : "#3558c9",
            color: "#fff",
            display: "flex",
            alignItems: "center",
            justifyContent: "center",
            cursor: props.enabled ? "grab" : "default",
          }}
        >
          {m.dragging ? "dragging" : "drag me"}
        </div>
      </div>
      <table class="stats">
        <tbody>
          <tr><td>position</td><td class="n" data-testid="position">{Math.round(m.x)}, {Math.round(m.y)}</td></tr>
          <tr><td>state</td><td class="n" data-testid="drag-state">{m.dragging ? "dragging" : "idle"}</td></tr>
          <tr><td>drops / cancels</td><td class="n" data-testid="outcomes">{m.drops} / {m.cancels}</td></tr>
          <tr><td>moves drawn / dropped as stale</td><td class="n" data-testid="moves">{m.moves} / {m.dropped}</td></tr>
        </tbody>
      </table>
      <div class="log" data-testid="drag-log">
        {m.notes.map((n, i) => (
          <div key={i}>{n}</div>
        ))}
      </div>
    </div>
  );
}

function DragDemo(): JSX.Element {
  const [enabled, setEnabled] = useState(true);
  return (
    <>
      <div class="row">
        <label>
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
          dragging on (off cancels the task and removes every listener)
        </label>
      </div>
      <Board enabled={enabled} />
    </>
  );
}

startDemo({
  id: "drag",
  App: DragDemo,
  intro: (
    <p>
      One task drags the card: <code>waitEvent(board, "pointerdown")</code> starts a drag, the moves come from{" "}
      <code>openEventChannel(board, "pointermove", {"{ maxBuffer: 1, overflow: \"drop-oldest\" }"})</code>, and sibling
      tasks wait for <code>pointerup</code> (drop) and Escape (cancel: the card goes back). Ending the drag cancels its
      nursery, which removes the listeners; turning dragging off cancels the task itself.
    </p>
  ),
});

/**
 * The panel's icons as inline SVG: a glyph such as "⧉" or "✕" depends on
 * the fonts installed (headless Chromium's fonts lack "⧉" and draw a box),
 * while an SVG path looks the same everywhere. Icons are decorative: the
 * buttons that hold them carry the accessible name.
 */
import type { JSX } from "preact";
import { STATE_COLOURS } from "./styles.js";

/** Props of the icons. */
export interface IconProps {
  /** Width and height in CSS pixels (default 14). */
  size?: number | undefined;
}

function Svg(props: IconProps & { children: JSX.Element | JSX.Element[] }): JSX.Element {
  const size = props.size ?? 14;
  return (
    <svg
      class="tad-icon"
      width={size}
      height={size}
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      stroke-width="1.6"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {props.children}
    </svg>
  );
}

/** Two overlapping windows: "open the panel". */
export function PanelIcon(props: IconProps): JSX.Element {
  return (
    <Svg size={props.size}>
      <rect x="1.5" y="4.5" width="9" height="9" rx="1.5" />
      <path d="M5.5 4.5V3a1.5 1.5 0 0 1 1.5-1.5h6A1.5 1.5 0 0 1 14.5 3v6a1.5 1.5 0 0 1-1.5 1.5h-2.5" />
    </Svg>
  );
}

/** A cross: "close". */
export function CloseIcon(props: IconProps): JSX.Element {
  return (
    <Svg size={props.size}>
      <path d="M3.5 3.5l9 9M12.5 3.5l-9 9" />
    </Svg>
  );
}

/** The task states a dot can show (the keys of STATE_COLOURS). */
export type DotState = keyof typeof STATE_COLOURS;

/**
 * A task's state as a small coloured shape: the shape tells the state
 * without the colour (running ●, runnable ○, blocked ■, cancelled ▲,
 * errored ◆, exited ▬), for readers who cannot tell the colours apart.
 * `state` null: an asyncio Task (a purple ●) or nothing (other rows).
 */
export function StateDot(props: { state: DotState | null; aio?: boolean; title?: string }): JSX.Element {
  const { state } = props;
  const fill = state !== null ? STATE_COLOURS[state] : props.aio === true ? "#b48cff" : "none";
  let shape: JSX.Element | null;
  switch (state) {
    case "running":
    case null:
      shape = props.aio === true || state === "running" ? <circle cx="5" cy="5" r="4" fill={fill} /> : null;
      break;
    case "runnable":
      shape = <circle cx="5" cy="5" r="3.2" fill="none" stroke={fill} stroke-width="1.6" />;
      break;
    case "blocked":
      shape = <rect x="1.5" y="1.5" width="7" height="7" fill={fill} />;
      break;
    case "cancelled":
      shape = <path d="M5 1L9.3 9H.7z" fill={fill} />;
      break;
    case "errored":
      shape = <path d="M5 .5L9.5 5 5 9.5.5 5z" fill={fill} />;
      break;
    case "done":
      shape = <rect x="1" y="3.5" width="8" height="3" rx="1" fill={fill} />;
      break;
  }
  return (
    <svg class="tad-dot" width="10" height="10" viewBox="0 0 10 10" aria-hidden="true" focusable="false" data-shape={state ?? (props.aio === true ? "aio" : "none")}>
      {props.title !== undefined ? <title>{props.title}</title> : null}
      {shape}
    </svg>
  );
}

/** Where the panel sits: a window with its panel floating, along the bottom, or along the right edge. */
export function DockIcon(props: IconProps & { dock: "float" | "bottom" | "right" }): JSX.Element {
  const inner =
    props.dock === "bottom" ? <path d="M2.5 10h11" /> : props.dock === "right" ? <path d="M10 2.5v11" /> : <rect x="6" y="6" width="6" height="5" rx="0.5" />;
  return (
    <Svg size={props.size}>
      <rect x="1.5" y="2.5" width="13" height="11" rx="1.5" />
      {inner}
    </Svg>
  );
}

/** Four arrows: "move or resize with the keyboard". */
export function MoveIcon(props: IconProps): JSX.Element {
  return (
    <Svg size={props.size}>
      <path d="M8 1.5v13M1.5 8h13M6 3.5l2-2 2 2M6 12.5l2 2 2-2M3.5 6l-2 2 2 2M12.5 6l2 2-2 2" />
    </Svg>
  );
}

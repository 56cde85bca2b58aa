/**
 * The panel's icons as inline SVG: a glyph such as "⧉" or "✕" depends on
 * the fonts installed (headless Chromium's fonts lack "⧉" and draw a box),
 * while an SVG path looks the same everywhere. Icons are decorative: the
 * buttons that hold them carry the accessible name.
 */
import type { JSX } from "preact";

/** Props of the icons. */
export interface IconProps {
  /** Width and height in CSS pixels (default 14). */
  size?: number;
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

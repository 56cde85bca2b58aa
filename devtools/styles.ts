/**
 * The panel's stylesheet, as a string: mountDevtools puts it in the panel's
 * shadow root (nothing leaks either way); an embedded <DevtoolsPanel/>
 * renders it in a <style> whose every rule is under `.tad-root`, so it
 * styles nothing else on the page.
 */

/** Colours of task states, shared by the tree, the detail pane and the legend. */
export const STATE_COLOURS = {
  running: "#4cc764",
  runnable: "#9ccc65",
  blocked: "#4fa3f7",
  cancelled: "#ff9f40",
  errored: "#ff5c5c",
  done: "#8a8f98",
} as const;

/** Colours of timeline event kinds. */
export const EVENT_COLOURS = {
  spawn: "#4cc764",
  exit: "#8a8f98",
  cancel: "#ff9f40",
  error: "#ff5c5c",
} as const;

/** The row height of the tree, in CSS pixels (the virtual list depends on it). */
export const ROW_HEIGHT = 22;

/** The panel's CSS. */
export const PANEL_CSS = `
.tad-root { all: initial; box-sizing: border-box; display: flex; flex-direction: column; width: 100%; height: 100%; container-type: inline-size;
  min-height: 0; background: #1b1d23; color: #dde1e7; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.tad-root *, .tad-root *::before, .tad-root *::after { box-sizing: border-box; }
.tad-root button, .tad-root input, .tad-root select, .tad-root textarea { font: inherit; color: inherit; }
.tad-root button { background: #2b2f38; border: 1px solid #3d434f; border-radius: 4px; padding: 1px 7px; cursor: pointer; }
.tad-root button:hover { background: #353a45; }
.tad-root button:focus-visible, .tad-root input:focus-visible, .tad-root textarea:focus-visible, .tad-root .tad-tree:focus-visible {
  outline: 2px solid #7fb2ff; outline-offset: -2px; }
.tad-root button[aria-pressed="true"] { background: #37507a; border-color: #5a7fc0; }
.tad-root button.tad-danger { border-color: #8a3b3b; background: #4a2323; }
.tad-root button.tad-danger:hover { background: #5e2b2b; }
.tad-root button:disabled { opacity: .45; cursor: default; }
.tad-confirm { display: inline-flex; flex-wrap: wrap; align-items: center; gap: 4px; padding: 2px 6px; border: 1px solid #8a3b3b; border-radius: 4px;
  background: #2a1d1d; font-weight: normal; font-size: 12px; }
.tad-root button.tad-icon-button { display: inline-flex; align-items: center; justify-content: center; padding: 2px 5px; }
.tad-root input[type="search"], .tad-root input[type="number"], .tad-root textarea {
  background: #111317; border: 1px solid #3d434f; border-radius: 4px; padding: 1px 6px; }
.tad-root input[type="number"] { width: 4.5em; }
.tad-toolbar { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; padding: 5px 8px; border-bottom: 1px solid #2e323b; background: #22252c; }
.tad-title { font-weight: 700; color: #fff; margin-right: 4px; }
.tad-grow { flex: 1; }
.tad-filters { display: inline-flex; gap: 3px; }
.tad-filters button { display: inline-flex; align-items: center; gap: 4px; }
.tad-main { display: flex; flex: 1; min-height: 0; }
/* max-height: a <DevtoolsPanel> embedded in a container of no set height would grow the tree to all its rows, and render them all. */
.tad-tree { position: relative; flex: 1 1 55%; min-width: 0; max-height: 100vh; overflow: auto; border-right: 1px solid #2e323b; }
.tad-empty { padding: 10px; color: #a9afb8; }
.tad-row { position: absolute; left: 0; right: 0; height: ${ROW_HEIGHT}px; display: flex; align-items: center; gap: 5px;
  white-space: nowrap; overflow: hidden; cursor: default; padding-right: 6px; }
.tad-row:hover { background: #252931; }
.tad-row[aria-selected="true"] { background: #2d3d5c; }
.tad-row.tad-active { box-shadow: inset 2px 0 0 #7fb2ff; }
.tad-row.tad-nomatch { opacity: .5; }
.tad-row.tad-exited .tad-name, .tad-row.tad-exited .tad-meta { color: #b3b8c0; font-style: italic; }
.tad-row.tad-long-blocked { background: #3b3320; }
.tad-row.tad-long-blocked[aria-selected="true"] { background: #4c4226; }
.tad-twisty { width: 14px; text-align: center; color: #a9afb8; flex: none; }
.tad-dot { width: 10px; height: 10px; flex: none; vertical-align: -1px; }
.tad-name { overflow: hidden; text-overflow: ellipsis; }
.tad-kind { color: #a9afb8; }
.tad-meta { color: #a9afb8; overflow: hidden; text-overflow: ellipsis; }
/* Selected and highlighted rows are lighter: muted text stays at 4.5:1 or more on them. */
.tad-row[aria-selected="true"] .tad-kind, .tad-row[aria-selected="true"] .tad-meta, .tad-row.tad-long-blocked .tad-kind,
.tad-row.tad-long-blocked .tad-meta, .tad-row[aria-selected="true"] .tad-twisty { color: #c9ced6; }
.tad-badge { border-radius: 3px; padding: 0 4px; font-size: 11px; background: #30343d; color: #c9ced6; flex: none; }
.tad-badge.tad-warn { background: #6b5114; color: #ffd27a; }
.tad-badge.tad-bad { background: #5e2323; color: #ffb3b3; }
.tad-detail { flex: 1 1 45%; min-width: 0; overflow: auto; padding: 8px 10px; }
.tad-detail h2 { font-size: 13px; margin: 0 0 6px; color: #fff; display: flex; align-items: center; gap: 6px; }
.tad-detail h2 button { font-size: 12px; font-weight: 400; }
.tad-detail h3 { font-size: 12px; margin: 10px 0 4px; color: #b9c0cb; text-transform: uppercase; letter-spacing: .04em; }
.tad-detail dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 0; }
.tad-detail dt { color: #a9afb8; }
.tad-detail dd { margin: 0; overflow-wrap: anywhere; }
.tad-detail ol, .tad-detail ul { margin: 0; padding-left: 18px; }
.tad-detail li { margin: 2px 0; }
.tad-detail pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #111317; padding: 6px; border-radius: 4px; margin: 4px 0; max-height: 200px; overflow: auto; }
.tad-scope { border: 1px solid #2e323b; border-radius: 4px; padding: 4px 6px; margin: 4px 0; list-style: none; }
.tad-scope-head { display: flex; gap: 6px; align-items: center; white-space: nowrap; }
.tad-scope-head > .tad-kind { overflow: hidden; text-overflow: ellipsis; min-width: 0; }
.tad-scope-head > button { flex: none; }
.tad-stack { list-style: none; padding-left: 0 !important; }
.tad-stack .tad-stack { padding-left: 14px !important; }
.tad-frame-link { color: #7fb2ff; overflow-wrap: anywhere; }
.tad-frame-link .tad-kind { color: #b9c0cb; }
.tad-link { background: none !important; border: none !important; padding: 0 !important; color: #7fb2ff; text-decoration: underline; }
.tad-timeline { border-top: 1px solid #2e323b; padding: 5px 8px; background: #1f2228; }
.tad-timeline-bar { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; margin-bottom: 4px; }
.tad-timeline canvas { display: block; width: 100%; height: 88px; background: #15171b; border-radius: 3px; }
.tad-canvas-wrap { position: relative; }
.tad-timeline canvas:focus-visible { outline: 2px solid #7fb2ff; outline-offset: 1px; }
.tad-zoom { display: inline-flex; gap: 2px; }
.tad-batch { display: flex; flex-wrap: wrap; gap: 4px 8px; align-items: center; margin-top: 4px; padding: 3px 6px; border: 1px solid #3d434f; border-radius: 4px; }
[data-testid="timeline-mark"]:empty { display: none; }
.tad-tooltip { position: absolute; top: 2px; max-width: 90%; pointer-events: none; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; background: #111317; color: #dde1e7; border: 1px solid #4a5160; border-radius: 3px; padding: 1px 6px; z-index: 1; }
.tad-root button.tad-section-toggle { color: #fff; text-decoration: none; }
.tad-timeline textarea { width: 100%; height: 70px; margin-top: 4px; }
.tad-error { color: #ff8a8a; }
.tad-legend { display: inline-flex; gap: 8px; color: #a9afb8; }
.tad-legend span::before { content: ""; display: inline-block; width: 8px; height: 8px; margin-right: 3px; border-radius: 2px; background: var(--c); }
/* A narrow panel (docked to the right, or a small window): the detail pane goes under the tree. */
@container (max-width: 620px) {
  .tad-main { flex-direction: column; }
  .tad-tree { flex: 1 1 50%; border-right: none; border-bottom: 1px solid #2e323b; }
  .tad-detail { flex: 1 1 50%; }
}
.tad-status { padding: 2px 8px; color: #a9afb8; border-top: 1px solid #2e323b; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
`;

/** The CSS of the floating frame around the panel (only inside mountDevtools' shadow root). */
export const FRAME_CSS = `
:host { all: initial; }
.tad-toggle { position: fixed; right: 14px; bottom: 14px; z-index: 2147483647; border-radius: 18px; padding: 6px 12px;
  background: #22252c; color: #dde1e7; border: 1px solid #4a5160; font: 600 12px ui-monospace, Menlo, Consolas, monospace;
  cursor: pointer; box-shadow: 0 2px 10px rgba(0,0,0,.35); display: inline-flex; align-items: center; gap: 6px; }
.tad-toggle .tad-icon { flex: none; }
.tad-toggle:focus-visible { outline: 2px solid #7fb2ff; }
.tad-frame { box-sizing: border-box; position: fixed; z-index: 2147483646; display: flex; flex-direction: column; border: 1px solid #4a5160;
  border-radius: 6px; overflow: hidden; box-shadow: 0 6px 28px rgba(0,0,0,.45); background: #1b1d23; min-width: 320px; min-height: 200px; }
.tad-head { display: flex; align-items: center; height: 18px; background: #2b2f38; flex: none; }
.tad-grip { flex: 1; align-self: stretch; cursor: move; touch-action: none; display: flex; justify-content: center; align-items: center; }
.tad-grip::before { content: ""; width: 36px; height: 3px; border-radius: 2px; background: #59606e; }
.tad-docked .tad-grip { cursor: default; }
.tad-docked .tad-grip::before { display: none; }
.tad-dock { display: inline-flex; gap: 2px; padding: 0 4px; }
.tad-head button.tad-move { display: inline-flex; align-items: center; background: none; border: 1px solid transparent; border-radius: 3px; color: #c9ced6;
  padding: 0 3px; margin-left: 4px; cursor: pointer; }
.tad-head button.tad-move:focus-visible { outline: 2px solid #7fb2ff; }
.tad-dock button { display: inline-flex; align-items: center; background: none; border: 1px solid transparent; border-radius: 3px; color: #c9ced6; padding: 0 3px; cursor: pointer; }
.tad-dock button[aria-pressed="true"] { border-color: #5a7fc0; background: #37507a; color: #fff; }
.tad-dock button:focus-visible { outline: 2px solid #7fb2ff; }
.tad-frame.tad-docked { border-radius: 0; box-shadow: 0 0 12px rgba(0,0,0,.35); }
.tad-edge { position: absolute; touch-action: none; z-index: 1; }
.tad-edge-top { left: 0; right: 0; top: 0; height: 5px; cursor: ns-resize; }
.tad-edge-left { top: 0; bottom: 0; left: 0; width: 5px; cursor: ew-resize; }
.tad-body { flex: 1; min-height: 0; }
.tad-resize { position: absolute; right: 0; bottom: 0; width: 14px; height: 14px; cursor: nwse-resize; touch-action: none;
  background: linear-gradient(135deg, transparent 50%, #59606e 50%); }
`;

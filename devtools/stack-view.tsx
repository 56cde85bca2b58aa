/**
 * A creation stack in the detail pane: the raw frames at once, then the
 * same frames mapped through the scripts' source maps when those arrive.
 * Runs of library frames (trio-asyncio's own modules, other dependencies,
 * native frames) fold into one "N library frames" row that expands; each
 * other frame is a link to its original source line.
 */
import { useEffect, useMemo, useState } from "preact/hooks";
import type { JSX } from "preact";
import { parseStack } from "./stack-frames.js";
import { foldLibraryFrames, sharedStackMapper, type MappedFrame, type StackMapper, type StackRow } from "./stack-mapper.js";

/** Props of `StackView`. */
export interface StackViewProps {
  /** The `Error.stack` text. */
  stack: string;
  /** Default: the page's shared mapper. */
  mapper?: StackMapper | undefined;
}

function FrameLink(props: { frame: MappedFrame }): JSX.Element {
  const { frame } = props;
  // The function's name from the stack: a map's name at a call position is the callee's token, not the caller.
  const name = frame.frame.fn;
  const text = (
    <>
      {frame.frame.async ? <span class="tad-kind">async </span> : null}
      <span>{name ?? "(anonymous)"}</span>
      {frame.label !== null ? <span class="tad-kind"> {frame.label}</span> : null}
    </>
  );
  if (frame.href === null) return <span title={frame.frame.raw}>{text}</span>;
  return (
    <a class="tad-frame-link" href={frame.href} target="_blank" rel="noreferrer" title={frame.frame.raw} data-mapped={frame.original !== null ? "true" : "false"}>
      {text}
    </a>
  );
}

function LibraryRow(props: { frames: MappedFrame[] }): JSX.Element {
  const [open, setOpen] = useState(false);
  const n = props.frames.length;
  return (
    <li class="tad-library-frames">
      <button type="button" class="tad-link" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? "▾" : "▸"} {n} library frame{n === 1 ? "" : "s"}
      </button>
      {open ? (
        <ol class="tad-stack">
          {props.frames.map((f, i) => (
            <li key={i}>
              <FrameLink frame={f} />
            </li>
          ))}
        </ol>
      ) : null}
    </li>
  );
}

/** A creation stack, mapped and folded. */
export function StackView(props: StackViewProps): JSX.Element {
  const mapper = props.mapper ?? sharedStackMapper();
  const parsed = useMemo(() => parseStack(props.stack), [props.stack]);
  const raw = useMemo(() => mapper.raw(parsed.frames), [mapper, parsed]);
  const [mapped, setMapped] = useState<{ stack: string; frames: MappedFrame[] } | null>(null);
  useEffect(() => {
    let current = true;
    void mapper.map(parsed.frames).then((frames) => {
      if (current) setMapped({ stack: props.stack, frames });
    });
    return () => {
      current = false;
    };
  }, [mapper, parsed, props.stack]);
  const isMapped = mapped !== null && mapped.stack === props.stack;
  const rows: StackRow[] = foldLibraryFrames(isMapped ? mapped.frames : raw);
  return (
    <div data-testid="creation-stack" data-mapped={isMapped ? "true" : "false"}>
      {parsed.message !== "" ? <p class="tad-kind">{parsed.message}</p> : null}
      <ol class="tad-stack" aria-label="Creation stack frames">
        {rows.map((row, i) =>
          row.kind === "frame" ? (
            <li key={i}>
              <FrameLink frame={row.frame} />
            </li>
          ) : (
            <LibraryRow key={`lib-${i}-${row.frames.length}`} frames={row.frames} />
          ),
        )}
      </ol>
      <p class="tad-kind" aria-live="polite">{isMapped ? "Mapped through source maps where the scripts have them." : "Reading source maps…"}</p>
      <details>
        <summary>Raw stack</summary>
        <pre>{props.stack}</pre>
      </details>
    </div>
  );
}

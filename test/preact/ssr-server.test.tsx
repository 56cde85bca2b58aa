// @vitest-environment node
/**
 * Server rendering with no DOM at all: preact-render-to-string of
 * <TrioRoot> and every hook starts no run, no task and no timer, and
 * touches no `document`. The page half is in ssr.test.tsx.
 */
import { describe, expect, it } from "vitest";
import { h } from "preact";
import { renderToString } from "preact-render-to-string";
import { TrioRoot, useNursery, useTask, useTaskPolicy } from "../../src/preact/index.js";
import { counts, liveRuns, makePage } from "../components/ssr-page.js";

const Page = makePage(h, { useTask, useTaskPolicy, useNursery });

describe("Preact bindings on a server", () => {
  it("renders with no DOM, starting no run and no task; the markup says the work is about to run", () => {
    expect(typeof document).toBe("undefined");
    const before = liveRuns();
    const html = renderToString(
      <TrioRoot name="ssr">
        <Page />
      </TrioRoot>,
    );
    expect(html).toBe("<p>running:…:idle</p>");
    expect({ started: counts.started, runs: liveRuns() - before }).toEqual({ started: 0, runs: 0 });
  });
});

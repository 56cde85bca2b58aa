// @vitest-environment node
/** @jsxImportSource react */
/**
 * Server rendering with no DOM at all (the environment a Next.js or Remix
 * server renders in): rendering <TrioRoot> and every hook starts no run,
 * no task and no timer, and touches no `document`. The page half (the
 * markup hydrates, then the work starts) is in ssr.test.tsx.
 */
import { describe, expect, it } from "vitest";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { TrioRoot, useNursery, useTask, useTaskPolicy } from "../../src/react/index.js";
import { counts, liveRuns, makePage } from "../components/ssr-page.js";

const Page = makePage(createElement, { useTask, useTaskPolicy, useNursery });

describe("React bindings on a server", () => {
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

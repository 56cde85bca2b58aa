// @vitest-environment node
/**
 * Server rendering with no DOM at all: preact-render-to-string of
 * <TrioRoot> and every hook starts no run, no task and no timer, and
 * touches no `document`. The page half is in ssr.test.tsx.
 */
import { describe, expect, it } from "vitest";
import { renderToString } from "preact-render-to-string";
import { sleep, type Operation } from "../../src/core/index.js";
import { inspect } from "../../src/inspect/index.js";
import { TrioRoot, useNursery, useTask, useTaskPolicy } from "../../src/preact/index.js";

let started = 0;
function* loadGreeting(): Operation<string> {
  started++;
  yield* sleep(1);
  return "hello from a task";
}
function* save(text: string): Operation<string> {
  yield* sleep(1);
  return text;
}

function Page() {
  const greeting = useTask(loadGreeting, []);
  const saver = useTaskPolicy(save, { policy: "restartable" });
  useNursery("page");
  return (
    <p>
      {greeting.status}:{greeting.value ?? "…"}:{saver.isRunning ? "saving" : "idle"}
    </p>
  );
}

const liveRuns = (): number => inspect().runs.filter((r) => !r.finished).length;

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
    expect({ started, runs: liveRuns() - before }).toEqual({ started: 0, runs: 0 });
  });
});

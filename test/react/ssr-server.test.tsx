// @vitest-environment node
/** @jsxImportSource react */
/**
 * Server rendering with no DOM at all (the environment a Next.js or Remix
 * server renders in): rendering <TrioRoot> and every hook starts no run,
 * no task and no timer, and touches no `document`. The page half (the
 * markup hydrates, then the work starts) is in ssr.test.tsx.
 */
import { describe, expect, it } from "vitest";
import { renderToString } from "react-dom/server";
import { sleep, type Operation } from "../../src/core/index.js";
import { inspect } from "../../src/inspect/index.js";
import { TrioRoot, useNursery, useTask, useTaskPolicy } from "../../src/react/index.js";

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

function Page(): React.ReactElement {
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

describe("React bindings on a server", () => {
  it("has no DOM here", () => {
    expect(typeof document).toBe("undefined");
  });

  it("renderToString starts no run and no task, and the markup says the work is about to run", () => {
    const before = liveRuns();
    const html = renderToString(
      <TrioRoot name="ssr">
        <Page />
      </TrioRoot>,
    );
    expect(html).toBe("<p>running<!-- -->:<!-- -->…<!-- -->:<!-- -->idle</p>");
    expect(started).toBe(0);
    expect(liveRuns()).toBe(before);
  });

});

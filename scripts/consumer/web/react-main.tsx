/** @jsxImportSource react */
/**
 * A React app built by Vite from the installed package: a task owned by a
 * component, which must run once (the page shows its run count). StrictMode
 * does nothing in this production build; the repository's unit tests and
 * its React demo exercise its double mount.
 */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { sleep, type Operation } from "trio-asyncio";
import { TrioRoot, useTask } from "trio-asyncio/react";

let runs = 0;

function* loadGreeting(name: string): Operation<string> {
  runs++;
  yield* sleep(0.02);
  return `hello, ${name} (runs: ${runs})`;
}

function Greeting(props: { name: string }) {
  const greeting = useTask(() => loadGreeting(props.name), [props.name], { name: "greeting" });
  return <p id="greeting">{greeting.status === "succeeded" ? greeting.value : greeting.status}</p>;
}

const app = document.getElementById("app");
if (app === null) throw new Error("react.html has no #app");
createRoot(app).render(
  <StrictMode>
    <TrioRoot name="consumer-react">
      <Greeting name="consumer" />
    </TrioRoot>
  </StrictMode>,
);

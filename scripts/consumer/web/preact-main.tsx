/** A Preact app built by Vite from the installed package: a task owned by a component. */
import { render } from "preact";
import { sleep, type Operation } from "trio-asyncio";
import { TrioRoot, useTask } from "trio-asyncio/preact";

function* loadGreeting(name: string): Operation<string> {
  yield* sleep(0.02);
  return `hello, ${name}`;
}

function Greeting(props: { name: string }) {
  const greeting = useTask(() => loadGreeting(props.name), [props.name], { name: "greeting" });
  return <p id="greeting">{greeting.status === "succeeded" ? greeting.value : greeting.status}</p>;
}

const app = document.getElementById("app");
if (app === null) throw new Error("preact.html has no #app");
render(
  <TrioRoot name="consumer-preact">
    <Greeting name="consumer" />
  </TrioRoot>,
  app,
);

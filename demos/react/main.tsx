/**
 * React bindings: the demos' shared page (Preact) hosts a React app built
 * with `trio-asyncio/react` (see app.tsx; its JSX source is React).
 */
import { useEffect, useRef } from "preact/hooks";
import type { JSX } from "preact";
import { newRuntime, startDemo } from "../shared/page.js";
import { mountReactApp } from "./app.js";

function ReactHost(): JSX.Element {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const runtime = newRuntime("react demo");
    const unmount = mountReactApp(ref.current!, runtime);
    return () => {
      unmount();
      void runtime.close();
    };
  }, []);
  return <div ref={ref} data-testid="react-root" />;
}

startDemo({
  id: "react",
  App: ReactHost,
  ownRoot: true,
  intro: (
    <p>
      The same hooks from <code>trio-asyncio/react</code>, in a React 19 app under <code>&lt;StrictMode&gt;</code>. The box
      sets the query in <code>startTransition</code>; each committed query restarts a <code>useTask</code>, whose
      superseded fetch is aborted on the wire. StrictMode mounts the app twice, yet the first search is sent once.
      Hide the results while a search runs and it is aborted with them.
    </p>
  ),
});

/** @jsxImportSource react */
/**
 * Imports `trio-asyncio/react` and uses what it exports, so the strict type
 * check (skipLibCheck off) reads its declarations with React's types. Only
 * type-checked, never run.
 */
import { StrictMode, type ReactElement } from "react";
import { createRoot } from "react-dom/client";
import { sleep, type Operation } from "trio-asyncio";
import {
  TrioRoot,
  TrioRuntime,
  taskPolicy,
  useNursery,
  useTask,
  useTaskPolicy,
  useTrioRuntime,
  type ScopedNursery,
  type TaskPolicyHandle,
  type TaskResult,
} from "trio-asyncio/react";

function* fetchName(id: number): Operation<string> {
  yield* sleep(0.1);
  return `user ${id}`;
}

function Profile(props: { id: number }): ReactElement {
  const result: TaskResult<string> = useTask(() => fetchName(props.id), [props.id]);
  const nursery: ScopedNursery = useNursery("profile");
  const search: TaskPolicyHandle<[number], string> = useTaskPolicy(fetchName, { policy: "restartable" });
  const runtime: TrioRuntime = useTrioRuntime();
  return (
    <section title={runtime.name}>
      <p>{result.status === "succeeded" ? result.value : "loading"}</p>
      <button onClick={() => nursery.startSoon(fetchName, props.id)}>again</button>
      <button onClick={() => search.perform(props.id)}>search</button>
    </section>
  );
}

export function mountReactApp(target: HTMLElement): void {
  const runtime = new TrioRuntime({ name: "react app" });
  const outside = taskPolicy(runtime.openNursery("outside"), fetchName, { policy: "drop" });
  outside.perform(2);
  createRoot(target).render(
    <StrictMode>
      <TrioRoot runtime={runtime}>
        <Profile id={1} />
      </TrioRoot>
    </StrictMode>,
  );
}

/**
 * Imports every entry of the package and uses what it exports, so a strict
 * type check of this file (skipLibCheck off) reads every shipped declaration
 * behind them. Only type-checked, never run.
 */
import { render } from "preact";
import { run, openNursery, sleep, asyncio, inspector, type Operation, type Task } from "trio-asyncio";
import { MockClock, waitAllTasksBlocked, assertCheckpoints, type MockClockOptions } from "trio-asyncio/testing";
import { mountDevtools, DevtoolsPanel, type MountOptions, type MountedDevtools, type DevtoolsPanelProps } from "trio-asyncio/devtools";
import { TrioRoot, TrioRuntime, useTask, useNursery, useTaskPolicy, type TaskPolicyHandle } from "trio-asyncio/preact";

function* fetchName(id: number): Operation<string> {
  yield* sleep(0.1);
  return `user ${id}`;
}

function* countdown(): asyncio.Coroutine<number> {
  yield* asyncio.sleep(0.1);
  return 3;
}

export async function everything(): Promise<void> {
  const name: string = await run(fetchName, 1);
  const tasks: Task<string>[] = [];
  await run(function* () {
    yield* openNursery(function* (n) {
      tasks.push(n.startSoon(fetchName, 2));
    });
  });
  const three: number = await asyncio.run(countdown());
  const snapshot = inspector.inspect();
  const unsubscribe: () => void = inspector.subscribe(() => {});
  unsubscribe();

  const options: MockClockOptions = { autojumpThreshold: 0 };
  const clock = new MockClock(options);
  await run(function* () {
    yield* waitAllTasksBlocked();
    yield* assertCheckpoints(sleep(0));
  });

  const mountOptions: MountOptions = { initiallyOpen: true };
  const mounted: MountedDevtools = mountDevtools(mountOptions);
  mounted.unmount();
  console.log(name, tasks.length, three, snapshot, clock);
}

function Profile(props: { id: number }) {
  const result = useTask(() => fetchName(props.id), [props.id]);
  const nursery = useNursery("profile");
  const search: TaskPolicyHandle<[number], string> = useTaskPolicy(fetchName, { policy: "restartable" });
  const panelProps: DevtoolsPanelProps = { refreshInterval: 0 };
  return (
    <section>
      <p>{result.status === "succeeded" ? result.value : "loading"}</p>
      <button onClick={() => nursery.startSoon(fetchName, props.id)}>again</button>
      <button onClick={() => search.perform(props.id)}>search</button>
      <DevtoolsPanel {...panelProps} />
    </section>
  );
}

export function mountApp(target: HTMLElement): void {
  const runtime = new TrioRuntime({ name: "app" });
  render(
    <TrioRoot runtime={runtime}>
      <Profile id={1} />
    </TrioRoot>,
    target,
  );
}

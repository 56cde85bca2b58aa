/**
 * Imports every entry of the package and uses what it exports, so a strict
 * type check of this file (skipLibCheck off) reads every shipped declaration
 * behind them. Only type-checked, never run.
 */
import { render } from "preact";
import { run, runWith, openNursery, sleep, asyncio, inspector, type Operation, type Task } from "trio-asyncio";
import { MockClock, waitAllTasksBlocked, assertCheckpoints, type MockClockOptions } from "trio-asyncio/testing";
import { mountDevtools, DevtoolsPanel, type MountOptions, type MountedDevtools, type DevtoolsPanelProps } from "trio-asyncio/devtools";
import { TrioRoot, TrioRuntime, useTask, useNursery, useTaskPolicy, type TaskPolicyHandle } from "trio-asyncio/preact";
import { waitEvent, nextFrame, fetchOp, openEventChannel, type EventChannel } from "trio-asyncio/web";
import { defineWorker, openWorker, type WorkerHandle } from "trio-asyncio/workers";
import { sleep as aioSleep, gather, Queue, run as aioRun, type Coroutine } from "trio-asyncio/asyncio";

function* fetchName(id: number): Operation<string> {
  yield* sleep(0.1);
  return `user ${id}`;
}

function* countdown(): asyncio.Coroutine<number> {
  yield* asyncio.sleep(0.1);
  return 3;
}

function* fromSubpath(): Coroutine<number[]> {
  const queue = new Queue<number>();
  yield* queue.put(1);
  yield* aioSleep(0.01);
  return yield* gather(queue.get(), countdown());
}

// The web and workers entries, used as a page would.
export const operations = defineWorker({
  *double(x: number) {
    yield* sleep(0);
    return 2 * x;
  },
});

function* webAndWorkers(button: HTMLButtonElement): Operation<number> {
  const click: MouseEvent = yield* waitEvent<MouseEvent>(button, "click");
  const frame: number = yield* nextFrame();
  const response: Response = yield* fetchOp("/data.json");
  const clicks = yield* openEventChannel(button, "click", function* (events: EventChannel<Event>) {
    const first: Event = yield* events.receive();
    return first.type;
  });
  const doubled = yield* openWorker<typeof operations, number>(new URL("./worker.js", import.meta.url), function* (worker: WorkerHandle<typeof operations>) {
    return yield* worker.call("double", [21]);
  });
  return click.button + frame + response.status + clicks.length + doubled;
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
  const both: number[] = await aioRun(fromSubpath());
  const fromWeb: number = await run(webAndWorkers, document.createElement("button"));
  const snapshot = inspector.inspect();
  const unsubscribe: () => void = inspector.subscribe(() => {});
  // With the DOM lib, the inspector's elements are DOM elements (without it, objects).
  const outlined: Element | null = inspector.elementOf(0);
  outlined?.getBoundingClientRect();
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
  console.log(name, tasks.length, three, both, fromWeb, snapshot, clock);
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

// Under exactOptionalPropertyTypes (tsconfig.base.json), options may still be
// given an explicit undefined, as code that forwards an optional value does.
export function forwardsOptionalValues(name: string | undefined, threshold: number | undefined): Promise<void> {
  const clockOptions: MockClockOptions = { autojumpThreshold: threshold };
  return runWith({ name, clock: new MockClock(clockOptions) }, function* () {
    yield* openNursery(function* () {
      yield* sleep(0);
    });
  });
}

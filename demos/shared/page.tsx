/**
 * What every demo page shares: the listener probe (imported first, before
 * anything can add a listener), the test hook, the layout, a TrioRoot with a
 * registered runtime, and the devtools panel.
 */
import "./listener-probe.js";
import "./test-hook.js";
import "./demo.css";
import { render, type ComponentChildren, type ComponentType, type JSX } from "preact";
import { mountDevtools } from "../../devtools/index.js";
import { TrioRoot, TrioRuntime } from "../../src/preact/index.js";
import { DEMOS } from "./catalog.js";
import { registerRuntime } from "./test-hook.js";

/** A demo page's description. */
export interface DemoPage {
  /** Its entry in the catalog. */
  id: string;
  /** What it shows and how, in a few sentences. */
  intro: ComponentChildren;
  /** The demo itself. */
  App: ComponentType;
  /** True if the App manages its own `<TrioRoot>`s (it must call `newRuntime`); default: one root for the page. */
  ownRoot?: boolean;
}

/** Makes a runtime for a page and registers it with the test hook. */
export function newRuntime(name: string): TrioRuntime {
  const runtime = new TrioRuntime({ name });
  registerRuntime(runtime);
  return runtime;
}

function Layout(props: { id: string; intro: ComponentChildren; children: ComponentChildren }): JSX.Element {
  const entry = DEMOS.find((d) => d.id === props.id);
  return (
    <div class="page">
      <nav class="crumbs">
        <a href="/">trio-asyncio demos</a>
        {DEMOS.map((d) => (
          <a key={d.id} href={`/${d.id}/`} aria-current={d.id === props.id ? "page" : undefined}>
            {d.title}
          </a>
        ))}
      </nav>
      <h1>{entry?.title ?? props.id}</h1>
      <div class="intro">{props.intro}</div>
      <main>{props.children}</main>
    </div>
  );
}

/** Renders the demo page and mounts the devtools panel. */
export function startDemo(page: DemoPage): void {
  const app = document.getElementById("app");
  if (app === null) throw new Error("The demo page needs an element with id=app.");
  const { App } = page;
  const body = page.ownRoot ? (
    <App />
  ) : (
    <TrioRoot runtime={newRuntime(`${page.id} demo`)}>
      <App />
    </TrioRoot>
  );
  render(
    <Layout id={page.id} intro={page.intro}>
      {body}
    </Layout>,
    app,
  );
  mountDevtools();
}

/**
 * The home page: the list of demos with a line on each (the static list in
 * index.html works without JavaScript; this fills in the summaries).
 */
import "./shared/demo.css";
import { render } from "preact";
import { DEMOS } from "./shared/catalog.js";

function Home() {
  return (
    <>
      {DEMOS.map((d) => (
        <li key={d.id}>
          <a href={`/${d.id}/`}>{d.title}</a> <span class="muted">{d.summary}</span>
        </li>
      ))}
    </>
  );
}

const list = document.getElementById("demo-list")!;
list.textContent = "";
render(<Home />, list);

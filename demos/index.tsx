import { render } from "preact";

function Home() {
  return <p>Demos are being built.</p>;
}

render(<Home />, document.getElementById("demo-list")!);

/** The demo pages, for the home page and each page's navigation. */
export interface DemoEntry {
  /** Folder name under demos/, and the test's screenshot name. */
  id: string;
  /** Page title. */
  title: string;
  /** One line on what it shows. */
  summary: string;
}

/** Every demo, in the order the home page lists them. */
export const DEMOS: readonly DemoEntry[] = [
  { id: "search", title: "Search as you type", summary: "Every keystroke restarts the search; the superseded request is aborted on the wire." },
  { id: "loader", title: "Parallel loader", summary: "50 resources through a CapacityLimiter(4), with a deadline, progress and a cancel button." },
  { id: "retry", title: "Retry with backoff", summary: "A flaky endpoint retried with exponential backoff, each attempt and the whole under deadlines." },
  { id: "feed", title: "Live feed", summary: "Server-Sent Events through a memory channel with backpressure; reconnects when dropped." },
  { id: "chat", title: "WebSocket chat", summary: "A chat room over openReconnectingWebSocket: presence, a sender fed by a channel, reconnect with backoff when the server drops us." },
  { id: "drag", title: "Pointer drag", summary: "A drag as one task: pointer moves from an event channel (latest wins), dropped on pointerup, undone by Escape; no listener outlives it." },
  { id: "tabs", title: "Tabs: leader and presence", summary: "Tabs of one browser meet over openBroadcastChannel; a Web Lock elects the leader, and the next tab takes over when it leaves." },
  { id: "legacy", title: "Legacy asyncio module", summary: "Callback-and-Future asyncio code with a Queue, driven and cancelled from Trio." },
  { id: "lifetime", title: "Component lifetime", summary: "Mount and unmount components that own tasks; the inspector shows nothing is left." },
  { id: "react", title: "React bindings", summary: "trio-asyncio/react under StrictMode: a search restarted in a transition, started once, aborted on unmount." },
  { id: "workers", title: "Worker pool", summary: "A Mandelbrot view on a pool of Web Workers; a restart cancels the job in the workers, terminating those that never checkpoint." },
];

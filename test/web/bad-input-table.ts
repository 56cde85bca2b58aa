/**
 * The bad-input table of trio-asyncio/web (see test/bad-input/table.ts for
 * the main entry's): for every public function of src/web/index.ts, wrong
 * kinds of arguments, hostile option objects (a revoked Proxy), Symbols and
 * BigInts where strings and numbers belong, bad numbers, and use outside a
 * run. Each row names the export(s) it covers, where it runs, the error
 * class expected, and a regex that must find both the call and the fix.
 *
 * Hostile *targets* (an EventTarget, a stream or a WebSocket whose methods
 * throw) need a look at what was left behind, so they are tests of their
 * own in bad-input.test.ts, as are the option objects that must work.
 */
import { ValueError } from "../../src/asyncio/errors.js";
import { ClosedResourceError, RuntimeError, asyncio, memoryStreamOneWayPair, openMemoryChannel, sleep, type Operation } from "../../src/index.js";
import {
  BroadcastSendChannel,
  DEFAULT_STREAM_LIMIT,
  StreamReader,
  eventFuture,
  fetchFuture,
  fetchOp,
  frameFuture,
  hostTurnFuture,
  idleFuture,
  nextFrame,
  openBroadcastChannel,
  openEventChannel,
  openReconnectingWebSocket,
  openWebSocket,
  openWebSocketStreams,
  readableFromReceiveChannel,
  readableFromReceiveStream,
  receiveChannelFromReadable,
  receiveLines,
  receiveServerSentEvents,
  receiveStreamFromReadable,
  sendChannelFromWritable,
  sendStreamFromWritable,
  waitEvent,
  waitIdle,
  webLock,
  webSocketByteStream,
  withWebLock,
  writableFromSendChannel,
  writableFromSendStream,
  yieldToHost,
} from "../../src/web/index.js";
import type { Case } from "../bad-input/harness.js";
import { FakeServer } from "./websocket-fake.js";
import { bad, revoked, type Any } from "../bad-input/hostile.js";
export { bad, revoked };


const TYPE = TypeError;
const RANGE = RangeError;
const CANNOT_READ = /the options object cannot be read \(.*revoked.*\); pass a plain object/;
const gen = function* (): Operation<void> {};
const aioGen = function* (): asyncio.Coroutine<void> {};
const readable = () => new ReadableStream<Uint8Array>();
const writable = () => new WritableStream<Uint8Array>();
const receiveStream = () => memoryStreamOneWayPair()[1];
const target = () => new EventTarget();

/** A row per value: `name(label)` raises `error` with `message`. */
function rows(name: string, where: Case["where"], values: [string, unknown][], act: (v: Any) => unknown, error: Case["error"], message: RegExp): Case[] {
  return values.map(([label, v]) => ({ covers: [name], label: `${name}: ${label}`, where, act: () => act(v), error, message }));
}

/** Not an object with the methods wanted: each must be refused by name, never by the engine. */
const notObjects: [string, unknown][] = [
  ["a revoked Proxy", null],
  ["a Symbol", Symbol("s")],
  ["a BigInt", 5n],
  ["null", null],
  ["an object with no prototype", null],
];
function hostile(label: string): unknown {
  if (label === "a revoked Proxy") return revoked();
  if (label === "an object with no prototype") return Object.create(null);
  return notObjects.find(([l]) => l === label)![1];
}
/** The values of `notObjects`, made fresh per row (a revoked Proxy is made when the row runs). */
function hostileRows(name: string, where: Case["where"], act: (v: Any) => unknown, error: Case["error"], message: RegExp): Case[] {
  return notObjects.map(([label]) => ({ covers: [name], label: `${name}: ${label}`, where, act: () => act(hostile(label)), error, message }));
}

/** Options objects that are no options object. */
function optionRows(name: string, where: Case["where"], act: (options: Any) => unknown, what: RegExp): Case[] {
  return [
    { covers: [name], label: `${name}: revoked options`, where, act: () => act(revoked()), error: TYPE, message: new RegExp(`${what.source}: ${CANNOT_READ.source}`) },
    { covers: [name], label: `${name}: options 42`, where, act: () => act(42), error: TYPE, message: new RegExp(`${what.source} takes an options object \\(or nothing\\), got number 42`) },
    { covers: [name], label: `${name}: options a Symbol`, where, act: () => act(Symbol("o")), error: TYPE, message: new RegExp(`${what.source} takes an options object \\(or nothing\\), got symbol Symbol\\(o\\)`) },
  ];
}

const notSeconds: [string, unknown][] = [
  ["NaN", NaN],
  ["-1", -1],
  ["a string", "1"],
  ["a BigInt", 1n],
];

const server = new FakeServer();
const WS = server.WebSocket;

export const cases: Case[] = [
  // ---- events ---------------------------------------------------------------------
  ...hostileRows("waitEvent", "trio", (t) => waitEvent(t, "x"), TYPE, /waitEvent\(target, type\) needs an EventTarget .*addEventListener and removeEventListener, got/),
  { covers: ["waitEvent"], label: "waitEvent: an object whose methods are getters that throw", where: "trio", act: () => waitEvent(bad(throwingGetters(["addEventListener", "removeEventListener"])), "x"), error: TYPE, message: /waitEvent\(target, type\) needs an EventTarget.*got an object\. For a Node EventEmitter, wrap it/ },
  ...rows("waitEvent", "trio", [["a Symbol", Symbol("t")], ["empty", ""], ["a number", 1]], (t) => waitEvent(target(), t), TYPE, /waitEvent\(target, type\) needs an event type such as "click", got/),
  ...optionRows("waitEvent", "trio", (o) => waitEvent(target(), "x", o), /waitEvent\(target, type, options\)/),
  { covers: ["waitEvent"], label: "waitEvent: filter a BigInt", where: "trio", act: () => waitEvent(target(), "x", bad({ filter: 5n })), error: TYPE, message: /waitEvent's filter option must be a function \(or left out\), got bigint 5/ },
  { covers: ["waitEvent"], label: "waitEvent outside a run", where: "outside", act: () => waitEvent(target(), "x"), error: RuntimeError, message: /waitEvent\(\) must be used inside a task of run\(\)/ },
  ...hostileRows("openEventChannel", "trio", (t) => openEventChannel(t, "x", gen), TYPE, /openEventChannel\(target, type, options, body\) needs an EventTarget/),
  ...optionRows("openEventChannel", "trio", (o) => openEventChannel(target(), "x", o, gen), /openEventChannel\(target, type, options, body\)/),
  ...rows("openEventChannel", "trio", [["NaN", NaN], ["-1", -1], ["1.5", 1.5], ["a string", "3"], ["a BigInt", 3n], ["a Symbol", Symbol("m")]], (m) => openEventChannel(target(), "x", { maxBuffer: m }, gen), RANGE, /openEventChannel's maxBuffer must be a non-negative integer or Infinity, got/),
  ...rows("openEventChannel", "trio", [["a typo", "drop"], ["a Symbol", Symbol("o")]], (o) => openEventChannel(target(), "x", { overflow: o }, gen), TYPE, /openEventChannel's overflow must be "drop-oldest", "drop-newest" or "block", got/),
  ...rows("openEventChannel", "trio", [["42", 42], ["undefined", undefined]], (b) => openEventChannel(target(), "x", {}, b), TYPE, /openEventChannel\(target, type, options, body\) needs a body: a generator function such as function\* \(events\)/),
  { covers: ["openEventChannel", "EventChannel"], label: "openEventChannel: a body that returns 42", where: "trio", act: () => openEventChannel(target(), "x", bad(() => 42)), error: TYPE, message: /openEventChannel\(\.\.\., body\): body must be a generator function \(function\* \(events\) \{ \.\.\. \}\), it returned number 42/ },
  { covers: ["EventChannel"], label: "EventChannel.receive after close", where: "trio", act: () => openEventChannel(target(), "x", function* (events) { events.close(); yield* events.receive(); }), error: ClosedResourceError, message: /receive\(\) on an event channel that was closed.*Open a new one with openEventChannel/ },

  // ---- frames ---------------------------------------------------------------------
  { covers: ["nextFrame"], label: "nextFrame without requestAnimationFrame (Node)", where: "trio", act: () => nextFrame(), error: RuntimeError, message: /nextFrame\(\) needs requestAnimationFrame and cancelAnimationFrame \(a browser window\); in a worker or Node, use yieldToHost\(\) or sleep\(\)/ },
  { covers: ["nextFrame"], label: "nextFrame outside a run", where: "outside", act: () => nextFrame(), error: RuntimeError, message: /nextFrame\(\) must be used inside a task of run\(\)/ },
  ...rows("waitIdle", "trio", notSeconds, (t) => waitIdle({ timeout: t }), TYPE, /waitIdle\(options\): timeout is a non-negative number of seconds, got/),
  ...optionRows("waitIdle", "trio", (o) => waitIdle(o), /waitIdle\(options\)/),
  { covers: ["yieldToHost"], label: "yieldToHost outside a run", where: "outside", act: () => yieldToHost(), error: RuntimeError, message: /yieldToHost\(\) must be used inside a task of run\(\)/ },

  // ---- fetch ------------------------------------------------------------------------
  ...optionRows("fetchOp", "trio", (init) => fetchOp("http://localhost/", init), /fetchOp\(input, init\)/),
  ...rows("fetchOp", "trio", [["42", 42], ["a revoked Proxy", null], ["a Symbol", Symbol("s")]], (s) => fetchOp("http://localhost/", { signal: s === null ? revoked() : s }), TYPE, /fetchOp\(input, init\): init\.signal must be an AbortSignal, got/),
  { covers: ["fetchOp"], label: "fetchOp outside a run", where: "outside", act: () => fetchOp("http://localhost/"), error: RuntimeError, message: /fetchOp\(\) must be used inside a task of run\(\)/ },

  // ---- WHATWG streams and channels --------------------------------------------------
  ...hostileRows("receiveStreamFromReadable", "trio", (r) => receiveStreamFromReadable(r), TYPE, /receiveStreamFromReadable\(readable\) needs a ReadableStream \(a fetch Response's body, Blob\.stream\(\)\.\.\.\), got/),
  { covers: ["receiveStreamFromReadable"], label: "receiveStreamFromReadable(null): a Response without a body", where: "trio", act: () => receiveStreamFromReadable(bad(null)), error: TYPE, message: /got null\. A Response without a body \(a 204, a HEAD request\) has body null/ },
  { covers: ["receiveStreamFromReadable"], label: "receiveStreamFromReadable: a locked stream", where: "trio", act: () => { const r = readable(); r.getReader(); return receiveStreamFromReadable(r); }, error: TYPE, message: /receiveStreamFromReadable\(readable\): the ReadableStream is locked to another reader; release that reader first/ },
  { covers: ["ReadableReceiveStream"], label: "ReadableReceiveStream.receiveSome(0)", where: "trio", act: () => receiveStreamFromReadable(readable()).receiveSome(0), error: TYPE, message: /receiveSome\(maxBytes\): maxBytes must be an integer of at least 1, or left out/ },
  ...hostileRows("sendStreamFromWritable", "trio", (w) => sendStreamFromWritable(w), TYPE, /sendStreamFromWritable\(writable\) needs a WritableStream, got/),
  ...optionRows("sendStreamFromWritable", "trio", (o) => sendStreamFromWritable(writable(), o), /sendStreamFromWritable\(writable, options\)/),
  ...rows("sendStreamFromWritable", "trio", [["a string", "yes"], ["1", 1]], (c) => sendStreamFromWritable(writable(), { copy: c }), TYPE, /sendStreamFromWritable's copy option must be true or false, got/),
  { covers: ["WritableSendStream"], label: "WritableSendStream.sendAll(text)", where: "trio", act: () => sendStreamFromWritable(writable()).sendAll(bad("text")), error: TYPE, message: /sendAll\(data\) sends bytes \(a Uint8Array\), got "text"\. Encode text first/ },
  ...hostileRows("readableFromReceiveStream", "trio", (s) => readableFromReceiveStream(s, gen), TYPE, /readableFromReceiveStream\(stream, body\) needs a ReceiveStream \(with receiveSome\), got/),
  ...optionRows("readableFromReceiveStream", "trio", (o) => readableFromReceiveStream(receiveStream(), o, gen), /readableFromReceiveStream\(stream, options, body\)/),
  ...rows("readableFromReceiveStream", "trio", [["0", 0], ["NaN", NaN], ["a BigInt", 8n]], (n) => readableFromReceiveStream(receiveStream(), { chunkSize: n }, gen), TYPE, /readableFromReceiveStream's chunkSize: maxBytes must be an integer of at least 1, or left out/),
  { covers: ["readableFromReceiveStream"], label: "readableFromReceiveStream: body 42", where: "trio", act: () => readableFromReceiveStream(receiveStream(), {}, bad(42)), error: TYPE, message: /readableFromReceiveStream\(stream, body\) needs a body: a generator function such as function\* \(readable\)/ },
  ...hostileRows("writableFromSendStream", "trio", (s) => writableFromSendStream(s, gen), TYPE, /writableFromSendStream\(stream, body\) needs a SendStream \(with sendAll, close and aclose\), got .*For a channel of values, use writableFromSendChannel/),
  { covers: ["writableFromSendStream"], label: "writableFromSendStream: body a Symbol", where: "trio", act: () => writableFromSendStream(memoryStreamOneWayPair()[0], bad(Symbol("b"))), error: TYPE, message: /writableFromSendStream\(stream, body\) needs a body: a generator function such as function\* \(writable\)/ },
  ...hostileRows("receiveChannelFromReadable", "trio", (r) => receiveChannelFromReadable(r), TYPE, /receiveChannelFromReadable\(readable\) needs a ReadableStream, got/),
  { covers: ["ReadableReceiveChannel"], label: "ReadableReceiveChannel.forEach(42)", where: "trio", act: () => receiveChannelFromReadable(readable()).forEach(bad(42)), error: TYPE, message: /forEach\(body\).*function\*/ },
  ...hostileRows("sendChannelFromWritable", "trio", (w) => sendChannelFromWritable(w), TYPE, /sendChannelFromWritable\(writable\) needs a WritableStream, got/),
  { covers: ["WritableSendChannel"], label: "WritableSendChannel.send after close", where: "trio", act: function* () { const c = sendChannelFromWritable<number>(new WritableStream<number>()); c.close(); yield* c.send(1); }, error: ClosedResourceError, message: /send\(\).*closed/ },
  ...hostileRows("readableFromReceiveChannel", "trio", (c) => readableFromReceiveChannel(c, gen), TYPE, /readableFromReceiveChannel\(channel, body\) needs a receive channel \(with receive and close\), got/),
  ...hostileRows("writableFromSendChannel", "trio", (c) => writableFromSendChannel(c, gen), TYPE, /writableFromSendChannel\(channel, body\) needs a send channel \(with send and close\), got/),
  { covers: ["writableFromSendChannel"], label: "writableFromSendChannel: body 42", where: "trio", act: () => writableFromSendChannel(openMemoryChannel(1)[0], bad(42)), error: TYPE, message: /writableFromSendChannel\(channel, body\) needs a body: a generator function/ },

  // ---- framing ----------------------------------------------------------------------
  ...hostileRows("receiveLines", "trio", (s) => receiveLines(s), TYPE, /receiveLines\(stream\) needs a ReceiveStream \(with receiveSome\), got .*wrap it first with receiveStreamFromReadable\(readable\)/),
  ...optionRows("receiveLines", "trio", (o) => receiveLines(receiveStream(), o), /receiveLines\(stream, options\)/),
  ...rows("receiveLines", "trio", [["0", 0], ["NaN", NaN], ["a BigInt", 80n]], (n) => receiveLines(receiveStream(), { maxLineLength: n }), TYPE, /receiveLines's maxLineLength must be a number of at least 1, got/),
  ...rows("receiveLines", "trio", [["unknown", "klingon"], ["a Symbol", Symbol("e")]], (e) => receiveLines(receiveStream(), { encoding: e }), RANGE, /receiveLines's encoding .* is not one TextDecoder knows; use a label such as "utf-8"/),
  { covers: ["LineReceiver"], label: "LineReceiver.forEach(42)", where: "trio", act: () => receiveLines(receiveStream()).forEach(bad(42)), error: TYPE, message: /forEach\(body\).*function\*/ },
  ...hostileRows("receiveServerSentEvents", "trio", (s) => receiveServerSentEvents(s), TYPE, /receiveServerSentEvents\(stream\) needs a ReceiveStream \(with receiveSome\)/),
  ...optionRows("receiveServerSentEvents", "trio", (o) => receiveServerSentEvents(receiveStream(), o), /receiveServerSentEvents\(stream, options\)/),
  ...rows("receiveServerSentEvents", "trio", [["0", 0], ["NaN", NaN], ["a string", "16"], ["a BigInt", 80n]], (n) => receiveServerSentEvents(receiveStream(), { maxEventLength: n }), TYPE, /receiveServerSentEvents's maxEventLength must be a number of at least 1, got/),
  ...rows("receiveServerSentEvents", "trio", [["0", 0], ["a Symbol", Symbol("m")]], (n) => receiveServerSentEvents(receiveStream(), { maxLineLength: n }), TYPE, /receiveServerSentEvents's maxLineLength must be a number of at least 1, got/),
  { covers: ["ServerSentEventReceiver"], label: "ServerSentEventReceiver.forEach(42)", where: "trio", act: () => receiveServerSentEvents(receiveStream()).forEach(bad(42)), error: TYPE, message: /forEach\(body\).*function\*/ },

  // ---- Web Locks, BroadcastChannel --------------------------------------------------
  ...rows("webLock", "trio", [["empty", ""], ["reserved", "-x"], ["a Symbol", Symbol("l")], ["a revoked Proxy", null]], (n) => webLock(n === null ? revoked() : n, gen), TYPE, /webLock\(name, body\) needs a lock name: a non-empty string not starting with "-" \(reserved\), got/),
  { covers: ["webLock"], label: "webLock: body 42", where: "trio", act: () => webLock("l", bad(42)), error: TYPE, message: /webLock\(name, body\) needs a body: a generator function such as function\* \(lock\)/ },
  ...optionRows("webLock", "trio", (o) => webLock("l", gen, o), /webLock\(name, body, options\)/),
  { covers: ["webLock"], label: "webLock: mode a typo", where: "trio", act: () => webLock("l", gen, bad({ mode: "both" })), error: TYPE, message: /webLock's mode must be "exclusive" or "shared", got "both"/ },
  { covers: ["webLock"], label: "webLock without navigator.locks (Node)", where: "trio", act: () => webLock("l", gen), error: RuntimeError, message: /webLock\(\) needs navigator\.locks .*use a Lock from this library/ },
  ...rows("openBroadcastChannel", "trio", [["a Symbol", Symbol("n")], ["42", 42], ["a revoked Proxy", null]], (n) => openBroadcastChannel(n === null ? revoked() : n, gen), TYPE, /openBroadcastChannel\(name, body\) needs a channel name \(a string\), got/),
  ...optionRows("openBroadcastChannel", "trio", (o) => openBroadcastChannel("n", o, gen), /openBroadcastChannel\(name, options, body\)/),
  { covers: ["openBroadcastChannel"], label: "openBroadcastChannel: maxBuffer -1", where: "trio", act: () => openBroadcastChannel("n", { maxBuffer: -1 }, gen), error: RANGE, message: /openBroadcastChannel's maxBuffer must be a non-negative integer or Infinity, got number -1/ },
  { covers: ["openBroadcastChannel"], label: "openBroadcastChannel: body 42", where: "trio", act: () => openBroadcastChannel("n", {}, bad(42)), error: TYPE, message: /openBroadcastChannel\(name, body\) needs a body: a generator function such as function\* \(send, receive\)/ },
  { covers: ["BroadcastSendChannel", "BroadcastReceiveChannel"], label: "BroadcastSendChannel.send after close", where: "trio", act: () => openBroadcastChannel("n", function* (send: BroadcastSendChannel<number>) { send.close(); yield* send.send(1); }), error: ClosedResourceError, message: /send\(\) on the BroadcastChannel "n" after it was closed: open a new one with openBroadcastChannel/ },

  // ---- WebSocket ----------------------------------------------------------------------
  ...rows("openWebSocket", "trio", [["42", 42], ["a revoked Proxy", null], ["a Symbol", Symbol("u")], ["an object with no prototype", undefined]], (u) => openWebSocket(u === null ? revoked() : u === undefined ? Object.create(null) : u, { WebSocket: WS }, gen), TYPE, /^openWebSocket\(url, options, body\) needs a URL \(a string such as "wss:\/\/example\.com\/chat", or a URL\), got/),
  ...optionRows("openWebSocket", "trio", (o) => openWebSocket("ws://x", o, gen), /openWebSocket\(url, options, body\)/),
  ...rows("openWebSocket", "trio", [["[1]", [1]], ["a Symbol", Symbol("p")], ["a revoked Proxy", null]], (p) => openWebSocket("ws://x", { protocols: p === null ? revoked() : p, WebSocket: WS }, gen), TYPE, /openWebSocket's protocols must be a string or an array of strings \(subprotocol names\), got/),
  { covers: ["openWebSocket"], label: "openWebSocket: url a Proxy of a URL (URL's toString refuses it)", where: "trio", act: () => openWebSocket(new Proxy(new URL("ws://x"), {}), { WebSocket: WS }, gen), error: TYPE, message: /^openWebSocket\(url, options, body\): the URL given cannot be read as text \(a Proxy of a URL\?\); pass the URL itself, or its href string/ },
  { covers: ["openReconnectingWebSocket"], label: "openReconnectingWebSocket: protocols a revoked Proxy", where: "trio", act: () => openReconnectingWebSocket("ws://x", { protocols: revoked(), WebSocket: WS }, gen), error: TYPE, message: /^openReconnectingWebSocket's protocols must be a string or an array of strings \(subprotocol names\), got an object that cannot be inspected/ },
  ...rows("openWebSocket", "trio", [["-1", -1], ["NaN", NaN], ["a BigInt", 1n]], (h) => openWebSocket("ws://x", { highWaterMark: h, WebSocket: WS }, gen), RANGE, /openWebSocket's highWaterMark must be a number of bytes >= 0, got/),
  ...rows("openWebSocket", "trio", [["0", 0], ["Infinity", Infinity], ["a string", "1"]], (d) => openWebSocket("ws://x", { drainInterval: d, WebSocket: WS }, gen), RANGE, /openWebSocket's drainInterval must be a positive finite number, got/),
  { covers: ["openWebSocket"], label: "openWebSocket: body 42", where: "trio", act: () => openWebSocket("ws://x", { WebSocket: WS }, bad(42)), error: TYPE, message: /openWebSocket\(url, body\) needs a body: a generator function such as function\* \(ws\)/ },
  { covers: ["openWebSocket"], label: "openWebSocket without a global WebSocket (Node 20)", where: "trio", act: () => openWebSocket("ws://x", gen), error: RuntimeError, message: /openWebSocket\(\) needs a WebSocket class: the global WebSocket .* is missing here\. Pass one: openWebSocket\(url, \{ WebSocket \}, body\)/ },
  { covers: ["openWebSocket", "WebSocketConnection"], label: "openWebSocket: a body that returns 42", where: "trio", act: () => openWebSocket("ws://x", { WebSocket: WS }, bad(() => 42)), error: TYPE, message: /openWebSocket\(url, body\): body must be a generator function \(function\* \(ws\) \{ \.\.\. \}\), it returned number 42/ },
  ...rows("WebSocketConnection", "trio", [["a Symbol", Symbol("d")], ["a revoked Proxy", null], ["an object", { a: 1 }], ["a BigInt", 1n]], (d) => openWebSocket("ws://x", { WebSocket: WS }, function* (ws) { yield* ws.send(d === null ? revoked() : d); }), TYPE, /send\(data\) sends a string \(a text message\) or bytes/),
  ...rows("WebSocketConnection", "trio", [["1001", 1001], ["NaN", NaN], ["a string", "1000"]], (c) => openWebSocket("ws://x", { WebSocket: WS }, function* (ws) { ws.close(c); yield* sleep(0); }), RANGE, /close\(code, reason\): code must be 1000 \(normal closure\) or an application code from 3000 to 4999, got/),
  ...hostileRows("webSocketByteStream", "trio", (c) => webSocketByteStream(c), TYPE, /webSocketByteStream\(connection\) needs the connection openWebSocket gives its block, got/),
  { covers: ["WebSocketByteStream"], label: "WebSocketByteStream.sendAll(text)", where: "trio", act: () => openWebSocket("ws://x", { WebSocket: WS }, function* (ws) { yield* webSocketByteStream(ws).sendAll(bad("text")); }), error: TYPE, message: /sendAll\(data\) sends bytes \(a Uint8Array\), got "text"\. Encode text first/ },
  ...rows("openReconnectingWebSocket", "trio", [["42", 42], ["a revoked Proxy", null]], (u) => openReconnectingWebSocket(u === null ? revoked() : u, { WebSocket: WS }, gen), TYPE, /^openReconnectingWebSocket\(url, options, body\) needs a URL/),
  ...optionRows("openReconnectingWebSocket", "trio", (o) => openReconnectingWebSocket("ws://x", o, gen), /openReconnectingWebSocket\(url, options, body\)/),
  ...(
    [
      ["factor", 0.5],
      ["jitter", 2],
      ["maxAttempts", 1.5],
      ["initialDelay", NaN],
      ["maxDelay", -1],
      ["stableAfter", Infinity],
      ["initialDelay", 1n],
    ] as [string, unknown][]
  ).map(([key, v]): Case => ({ covers: ["openReconnectingWebSocket"], label: `openReconnectingWebSocket: ${key} ${String(v)}`, where: "trio", act: () => openReconnectingWebSocket("ws://x", bad({ [key]: v, WebSocket: WS }), gen), error: RANGE, message: new RegExp(`openReconnectingWebSocket's ${key} must be`) })),
  ...rows("openReconnectingWebSocket", "trio", [["onRetry 42", "onRetry"], ["random a string", "random"]], (key) => openReconnectingWebSocket("ws://x", bad({ [key]: key === "random" ? "x" : 42, WebSocket: WS }), gen), TYPE, /openReconnectingWebSocket's (onRetry|random) (option )?must be a function/),
  { covers: ["openReconnectingWebSocket"], label: "openReconnectingWebSocket: body 42", where: "trio", act: () => openReconnectingWebSocket("ws://x", { WebSocket: WS }, bad(42)), error: TYPE, message: /openReconnectingWebSocket\(url, body\) needs a body: a generator function such as function\* \(ws, attempt\)/ },

  // ---- asyncio flavour ------------------------------------------------------------------
  ...optionRows("StreamReader", "aio", (o) => new StreamReader(o), /new StreamReader\(options\)/),
  { covers: ["StreamReader"], label: "new StreamReader(null)", where: "aio", act: () => new StreamReader(bad(null)), error: TYPE, message: /new StreamReader\(options\) takes an options object \(or nothing\), got null/ },
  ...rows("StreamReader", "aio", [["0", 0], ["1.5", 1.5], ["a BigInt", 8n], ["a string", "8"]], (l) => new StreamReader({ limit: l }), ValueError, /StreamReader's limit must be a whole number of bytes above 0 \(default 65536\), got/),
  ...rows("StreamReader", "aio", [["42", 42], ["a revoked Proxy", null]], (l) => new StreamReader({ loop: l === null ? revoked() : l }), TYPE, /new StreamReader\(options\): loop must be an asyncio EventLoop \(or left out for the running loop\), got/),
  { covers: ["StreamReader"], label: "new StreamReader() outside asyncio code", where: "trio", act: () => new StreamReader(), error: RuntimeError, message: /No asyncio loop is running here/ },
  ...rows("StreamReader", "aio", [["text", "x"], ["a revoked Proxy", null], ["a BigInt", 1n]], (d) => new StreamReader().feedData(d === null ? revoked() : d), TYPE, /feedData\(data\) needs bytes \(a Uint8Array\), got/),
  ...rows("StreamReader", "aio", [["42", 42], ["a string", "boom"], ["a revoked Proxy", null]], (e) => new StreamReader().setException(e === null ? revoked() : e), TYPE, /StreamReader\.setException\(error\) needs an Error \(reads raise it\), got/),
  ...rows("StreamReader", "aio", [["a revoked Proxy", null], ["text", "\n"]], (s) => new StreamReader().readuntil(s === null ? revoked() : s), TYPE, /readuntil\(separator\) needs bytes \(a Uint8Array\), got/),
  { covers: ["StreamReader"], label: "StreamReader.readexactly(-1)", where: "aio", act: () => new StreamReader().readexactly(-1), error: ValueError, message: /readexactly\(n\): the size can not be less than zero, got -1/ },
  ...rows("StreamReader", "aio", [["readexactly(NaN)", NaN], ["readexactly(a BigInt)", 1n]], (n) => new StreamReader().readexactly(n), TYPE, /readexactly\(n\) needs a whole number of bytes, got/),
  ...optionRows("openWebSocketStreams", "aio", (o) => openWebSocketStreams("ws://x", o), /openWebSocketStreams\(url, options\)/),
  ...rows("openWebSocketStreams", "aio", [["0", 0], ["a BigInt", 1n]], (l) => openWebSocketStreams("ws://x", { limit: l, WebSocket: WS }), ValueError, /openWebSocketStreams's limit must be a whole number of bytes above 0/),
  { covers: ["openWebSocketStreams"], label: "openWebSocketStreams without a global WebSocket (Node 20)", where: "aio", act: () => openWebSocketStreams("ws://x"), error: RuntimeError, message: /^openWebSocketStreams\(\) needs a WebSocket class: .* Pass one: openWebSocketStreams\(url, \{ WebSocket \}\), for instance/ },
  { covers: ["openWebSocketStreams"], label: "openWebSocketStreams: protocols 42", where: "aio", act: () => openWebSocketStreams("ws://x", { protocols: bad(42), WebSocket: WS }), error: TYPE, message: /^openWebSocketStreams's protocols must be a string or an array of strings/ },
  { covers: ["openWebSocketStreams"], label: "openWebSocketStreams: url a Symbol", where: "aio", act: () => openWebSocketStreams(bad(Symbol("u")), { WebSocket: WS }), error: TYPE, message: /^openWebSocketStreams\(url, options\) needs a URL/ },
  ...rows("StreamWriter", "aio", [["write(text)", "write"], ["writelines(42)", "writelines"], ["write(revoked Proxy)", "revoked"]], (which) => streamWriterCase(which), TYPE, /StreamWriter\.(write\(data\) needs bytes \(a Uint8Array\)|writelines\(chunks\) needs an iterable of Uint8Arrays)/),
  ...hostileRows("eventFuture", "aio", (t) => eventFuture(t, "x"), TYPE, /eventFuture\(target, type\) needs an EventTarget/),
  ...optionRows("eventFuture", "aio", (o) => eventFuture(target(), "x", o), /eventFuture\(target, type, options\)/),
  { covers: ["eventFuture"], label: "eventFuture: filter 42", where: "aio", act: () => eventFuture(target(), "x", bad({ filter: 42 })), error: TYPE, message: /eventFuture's filter option must be a function \(or left out\), got number 42/ },
  { covers: ["eventFuture"], label: "eventFuture: loop 42", where: "aio", act: () => eventFuture(target(), "x", bad({ loop: 42 })), error: TYPE, message: /eventFuture\(target, type, options\): loop must be an asyncio EventLoop/ },
  { covers: ["frameFuture"], label: "frameFuture: loop a Symbol", where: "aio", act: () => frameFuture(bad({ loop: Symbol("l") })), error: TYPE, message: /frameFuture\(options\): loop must be an asyncio EventLoop/ },
  ...optionRows("frameFuture", "aio", (o) => frameFuture(o), /frameFuture\(options\)/),
  { covers: ["frameFuture"], label: "frameFuture without requestAnimationFrame (Node)", where: "aio", act: () => frameFuture(), error: RuntimeError, message: /frameFuture\(\) needs requestAnimationFrame.*use hostTurnFuture\(\) or asyncio\.sleep\(\)/ },
  ...rows("idleFuture", "aio", notSeconds, (t) => idleFuture({ timeout: t }), TYPE, /idleFuture\(options\): timeout is a non-negative number of seconds, got/),
  ...optionRows("hostTurnFuture", "aio", (o) => hostTurnFuture(o), /hostTurnFuture\(options\)/),
  { covers: ["hostTurnFuture"], label: "hostTurnFuture: loop a revoked Proxy", where: "aio", act: () => hostTurnFuture(bad({ loop: revoked() })), error: TYPE, message: /hostTurnFuture\(options\): loop must be an asyncio EventLoop.*got an object that cannot be inspected/ },
  ...optionRows("fetchFuture", "aio", (o) => fetchFuture("http://localhost/", {}, o), /fetchFuture\(input, init, options\)/),
  { covers: ["fetchFuture"], label: "fetchFuture: read a typo", where: "aio", act: () => fetchFuture("http://localhost/", {}, bad({ read: "xml" })), error: TYPE, message: /fetchFuture's read option is "response", "json", "text", "arrayBuffer" or "blob", got "xml"/ },
  { covers: ["fetchFuture"], label: "fetchFuture: init.signal 42", where: "aio", act: () => fetchFuture("http://localhost/", bad({ signal: 42 })), error: TYPE, message: /fetchFuture\(input, init\): init\.signal must be an AbortSignal, got number 42/ },
  ...rows("withWebLock", "aio", [["empty", ""], ["a Symbol", Symbol("l")]], (n) => withWebLock(n, aioGen), TYPE, /withWebLock\(name, body\) needs a lock name/),
  { covers: ["withWebLock"], label: "withWebLock: body 42", where: "aio", act: () => withWebLock("l", bad(42)), error: TYPE, message: /withWebLock\(name, body\) needs a body: a generator function such as function\* \(lock\)/ },
  ...optionRows("withWebLock", "aio", (o) => withWebLock("l", aioGen, o), /withWebLock\(name, body, options\)/),
  { covers: ["withWebLock"], label: "withWebLock without navigator.locks (Node)", where: "aio", act: () => withWebLock("l", aioGen), error: RuntimeError, message: /withWebLock\(\) needs navigator\.locks .*use an asyncio\.Lock/ },
];

/** An object whose `keys` are getters that throw `error`. */
export function throwingGetters(keys: readonly string[], error: unknown = new Error("a getter that throws")): object {
  const o = {};
  for (const key of keys) {
    Object.defineProperty(o, key, {
      enumerable: true,
      get() {
        throw error;
      },
    });
  }
  return o;
}

/** Opens WebSocket streams on the fake server, makes the StreamWriter misuse `which`, and closes. */
function* streamWriterCase(which: string): asyncio.Coroutine<void> {
  const [, writer] = yield* openWebSocketStreams("ws://x", { WebSocket: WS });
  try {
    if (which === "write") writer.write(bad("text"));
    else if (which === "writelines") writer.writelines(bad(42));
    else writer.write(bad(revoked()));
  } finally {
    writer.close();
    yield* writer.waitClosed();
  }
}

/**
 * Exports with no input to get wrong (constants, error classes), or whose
 * only input is covered by another row's call, with the reason.
 */
export const skipped: Record<string, string> = {
  DEFAULT_STREAM_LIMIT: `a constant (${DEFAULT_STREAM_LIMIT})`,
  WebSocketClosedError: "an error class the connection raises",
  IncompleteReadError: "an error class StreamReader raises (asyncio's, constructed by the runtime)",
  LimitOverrunError: "an error class StreamReader raises (asyncio's, constructed by the runtime)",
};

/**
 * Compile-time checks, run by `tsc -p tsconfig.json` (never executed): the
 * web layer's blocks take the message (or event, or value) type alone, as
 * `receiveFromPort<T>` and `openWorker<Ops>` do, with the block's result
 * `void` unless named. Before, `openBroadcastChannel<Msg>(...)` was refused
 * ("Expected 2 type arguments, but got 1") and the docs had to write
 * `openBroadcastChannel<Msg, void>`.
 */
import type { Operation } from "../../src/index.js";
import type { MemoryReceiveChannel, MemorySendChannel } from "../../src/index.js";
import {
  openBroadcastChannel,
  openEventChannel,
  readableFromReceiveChannel,
  writableFromSendChannel,
  type BroadcastReceiveChannel,
} from "../../src/web/index.js";

interface Msg { value: number }

export function* broadcastOneTypeArgument(): Operation<void> {
  yield* openBroadcastChannel<Msg>("results", function* (send, receive) {
    yield* send.send({ value: 1 });
    const got: Msg = yield* receive.receive();
    void got;
  });
  yield* openBroadcastChannel<Msg>("results", { maxBuffer: 1, overflow: "drop-oldest" }, function* (send) {
    send.sendNowait({ value: 2 });
  });
}

export function* broadcastResultNamed(): Operation<number> {
  return yield* openBroadcastChannel<Msg, number>("results", function* (_send, receive) {
    return (yield* receive.receive()).value;
  });
}

export function* broadcastResultInferred(): Operation<number> {
  return yield* openBroadcastChannel("results", function* (_send, receive: BroadcastReceiveChannel<Msg>) {
    return (yield* receive.receive()).value;
  });
}

export function* broadcastResultWithoutItsType(): Operation<void> {
  // @ts-expect-error one type argument means a void block, as openWorker<Ops>: name the result's type too
  yield* openBroadcastChannel<Msg>("results", function* (_send, receive) {
    return (yield* receive.receive()).value;
  });
}

export function* eventsOneTypeArgument(el: EventTarget): Operation<void> {
  yield* openEventChannel<PointerEvent>(el, "pointermove", function* (moves) {
    const move: PointerEvent = yield* moves.receive();
    void move.clientX;
  });
  yield* openEventChannel<KeyboardEvent>(el, "keydown", { maxBuffer: 1, overflow: "drop-newest" }, function* (keys) {
    void (yield* keys.receive()).key;
  });
}

export function* streamsOneTypeArgument(rx: MemoryReceiveChannel<string>, tx: MemorySendChannel<string>): Operation<void> {
  yield* readableFromReceiveChannel<string>(rx, function* (readable) {
    void readable.getReader();
  });
  yield* writableFromSendChannel<string>(tx, function* (writable) {
    void writable.getWriter();
  });
}

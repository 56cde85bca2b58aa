/**
 * trio-asyncio/web: the browser's sources of concurrency as cancellable
 * operations and channels. A separate entry, so the core pays nothing for it.
 */
export { waitEvent, openEventChannel, EventChannel, type WaitEventOptions, type EventChannelOptions, type EventChannelStatistics, type EventOverflow } from "./events.js";
export { nextFrame, waitIdle, yieldToHost, type WaitIdleOptions } from "./frames.js";
export { fetchOp } from "./fetch.js";
export {
  receiveStreamFromReadable,
  sendStreamFromWritable,
  readableFromReceiveStream,
  writableFromSendStream,
  ReadableReceiveStream,
  WritableSendStream,
  type ReadableFromReceiveStreamOptions,
  type SendStreamFromWritableOptions,
} from "./whatwg-streams.js";
export {
  receiveChannelFromReadable,
  sendChannelFromWritable,
  readableFromReceiveChannel,
  writableFromSendChannel,
  ReadableReceiveChannel,
  WritableSendChannel,
  type ClosableReceiver,
  type ClosableSender,
} from "./whatwg-channels.js";
export {
  receiveLines,
  receiveServerSentEvents,
  LineReceiver,
  ServerSentEventReceiver,
  type ReceiveLinesOptions,
  type ReceiveServerSentEventsOptions,
  type ServerSentEvent,
} from "./framing.js";
export { webLock, type WebLockInfo, type WebLockOptions } from "./locks.js";
export { openBroadcastChannel, BroadcastSendChannel, BroadcastReceiveChannel, type BroadcastChannelOptions } from "./broadcast.js";
export {
  openWebSocket,
  WebSocketConnection,
  WebSocketClosedError,
  type OpenWebSocketOptions,
  type WebSocketCloseInfo,
  type WebSocketConstructor,
  type WebSocketEventLike,
  type WebSocketEventType,
  type WebSocketLike,
  type WebSocketMessage,
  type WebSocketStatistics,
} from "./websocket.js";
export { webSocketByteStream, WebSocketByteStream } from "./websocket-stream.js";
export { openReconnectingWebSocket, type ReconnectingWebSocketOptions, type WebSocketAttempt, type WebSocketRetry } from "./websocket-reconnect.js";
export { StreamReader, IncompleteReadError, LimitOverrunError, DEFAULT_STREAM_LIMIT, type ReaderTransport, type StreamReaderOptions } from "./asyncio-streams.js";
export { openWebSocketStreams, StreamWriter, type WebSocketStreamsOptions } from "./asyncio-websocket.js";
export { eventFuture, type EventFutureOptions } from "./asyncio-events.js";
export { frameFuture, idleFuture, hostTurnFuture, type LoopOption } from "./asyncio-frames.js";
export { fetchFuture, type FetchFutureOptions, type FetchRead, type FetchReadResult } from "./asyncio-fetch.js";
export { withWebLock } from "./asyncio-locks.js";

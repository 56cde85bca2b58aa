/**
 * Conformance with Trio's memory-channel tests (trio/_tests/test_channel.py)
 * and its generic lock tests run on locks built from channels
 * (trio/_tests/test_sync.py), for behaviours test/sync did not pin down.
 * Trio's `as_safe_channel` has no counterpart here.
 */
import { describe, expect, it } from "vitest";
import {
  BrokenResourceError,
  CancelScope,
  ClosedResourceError,
  EndOfChannel,
  WouldBlock,
  checkpoint,
  moveOnAfter,
  openNursery,
  type Operation,
} from "../../src/core/index.js";
import { openMemoryChannel, type MemoryReceiveChannel, type MemorySendChannel } from "../../src/sync/index.js";
import { assertCheckpoints, waitAllTasksBlocked } from "../../src/testing/index.js";
import { runMock } from "../sync/helpers.js";

function* raises(op: Operation<unknown>, kind: new (...args: never[]) => Error): Operation<void> {
  let error: unknown = null;
  try {
    yield* op;
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(kind);
}

describe("Trio test_channel", () => {
  // test_channel
  it("a closed send handle refuses send, sendNowait and clone, and closing it again is fine; a closed receive handle refuses receive", async () => {
    await runMock(function* () {
      const [s, r] = openMemoryChannel<number | string | null>(2);
      s.sendNowait(1);
      yield* assertCheckpoints(s.send(2));
      expect(() => s.sendNowait(null)).toThrow(WouldBlock);
      expect(yield* assertCheckpoints(r.receive())).toBe(1);
      expect(r.receiveNowait()).toBe(2);
      expect(() => r.receiveNowait()).toThrow(WouldBlock);
      s.sendNowait("last");
      yield* s.aclose();
      yield* raises(s.send("too late"), ClosedResourceError);
      expect(() => s.sendNowait("too late")).toThrow(ClosedResourceError);
      expect(() => s.clone()).toThrow(ClosedResourceError);
      yield* s.aclose();
      expect(r.receiveNowait()).toBe("last");
      yield* raises(r.receive(), EndOfChannel);
      yield* r.aclose();
      yield* raises(r.receive(), ClosedResourceError);
      expect(() => r.receiveNowait()).toThrow(ClosedResourceError);
      yield* r.aclose();
    });
  });

  // test_553
  it("a receive that timed out leaves nothing behind: a later send into a buffer of one does not block", async () => {
    await runMock(function* () {
      const [s, r] = openMemoryChannel<string>(1);
      let timeout: CancelScope | null = null;
      yield* moveOnAfter(10, function* (scope) {
        timeout = scope;
        yield* r.receive();
      });
      expect(timeout!.cancelledCaught).toBe(true);
      expect(r.statistics().tasksWaitingReceive).toBe(0);
      yield* assertCheckpoints(s.send("Test for PR #553"));
      expect(r.receiveNowait()).toBe("Test for PR #553");
    });
  });

  // test_channel_multiple_consumers
  it("five consumers on one receive handle share ten values, each getting some", async () => {
    const receivedBy = new Set<number>();
    const received: number[] = [];
    await runMock(function* () {
      const [s, r] = openMemoryChannel<number>(1);
      yield* openNursery(function* (n) {
        for (let i = 0; i < 5; i++) {
          n.startSoon(() =>
            r.forEach(function* (value) {
              receivedBy.add(i);
              received.push(value);
            }),
          );
        }
        yield* waitAllTasksBlocked();
        for (let i = 0; i < 10; i++) yield* s.send(i);
        s.close();
      });
    });
    expect(receivedBy).toEqual(new Set([0, 1, 2, 3, 4]));
    expect([...received].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  // test_receive_channel_clone_and_close
  it("a closed receive handle cannot be cloned, and the channel breaks only when its last receive clone closes", async () => {
    await runMock(function* () {
      const [s, r] = openMemoryChannel<null>(10);
      const r2 = r.clone();
      const r3 = r.clone();
      s.sendNowait(null);
      yield* r.aclose();
      r2.close();
      expect(() => r.clone()).toThrow(ClosedResourceError);
      expect(() => r2.clone()).toThrow(ClosedResourceError);
      s.sendNowait(null);
      yield* r3.aclose();
      expect(() => s.sendNowait(null)).toThrow(BrokenResourceError);
    });
  });

  // test_close_multiple_send_handles
  it("closing one send handle wakes only the senders blocked on it; a sender on a clone goes on", async () => {
    await runMock(function* () {
      const [s1, r] = openMemoryChannel<string>(0);
      const s2 = s1.clone();
      yield* openNursery(function* (n) {
        n.startSoon(() => raises(s1.send("nope"), ClosedResourceError));
        n.startSoon(() => s2.send("ok"));
        yield* waitAllTasksBlocked();
        yield* s1.aclose();
        expect(yield* r.receive()).toBe("ok");
      });
    });
  });

  // test_close_basics, test_close_sync
  it("closing the receive handle under a blocked sender breaks it, and the break is persistent for send and sendNowait", async () => {
    await runMock(function* () {
      const [s, r] = openMemoryChannel<null>(0);
      yield* openNursery(function* (n) {
        n.startSoon(() => raises(s.send(null), BrokenResourceError));
        yield* waitAllTasksBlocked();
        r.close();
      });
      expect(() => s.sendNowait(null)).toThrow(BrokenResourceError);
      yield* raises(s.send(null), BrokenResourceError);
    });
  });

  // test_statistics
  it("statistics agree on both ends and count buffered values, open handles and blocked tasks; cancelled waiters drop out", async () => {
    await runMock(function* () {
      const [s, r] = openMemoryChannel<null>(2);
      expect(s.statistics()).toEqual(r.statistics());
      expect(s.statistics()).toEqual({
        currentBufferUsed: 0,
        maxBufferSize: 2,
        openSendChannels: 1,
        openReceiveChannels: 1,
        tasksWaitingSend: 0,
        tasksWaitingReceive: 0,
      });
      s.sendNowait(null);
      expect(s.statistics().currentBufferUsed).toBe(1);
      const s2 = s.clone();
      expect(s.statistics().openSendChannels).toBe(2);
      yield* s.aclose();
      expect(s2.statistics().openSendChannels).toBe(1);
      const r2 = r.clone();
      expect(s2.statistics().openReceiveChannels).toBe(2);
      yield* r2.aclose();
      expect(s2.statistics().openReceiveChannels).toBe(1);
      yield* openNursery(function* (n) {
        s2.sendNowait(null);
        expect(s.statistics().currentBufferUsed).toBe(2);
        n.startSoon(() => s2.send(null));
        n.startSoon(() => s2.send(null));
        yield* waitAllTasksBlocked();
        expect(s.statistics().tasksWaitingSend).toBe(2);
        n.cancelScope.cancel();
      });
      expect(s.statistics().tasksWaitingSend).toBe(0);
      r.receiveNowait();
      r.receiveNowait();
      yield* openNursery(function* (n) {
        n.startSoon(() => r.receive());
        yield* waitAllTasksBlocked();
        expect(s.statistics().tasksWaitingReceive).toBe(1);
        n.cancelScope.cancel();
      });
      expect(s.statistics().tasksWaitingReceive).toBe(0);
    });
  });

  // test_channel_fairness
  it("a value sent while a receiver waits belongs to it, and a freed slot belongs to a waiting sender: the nowait calls cannot take them", async () => {
    await runMock(function* () {
      const [s, r] = openMemoryChannel<number | null>(1);
      s.sendNowait(1);
      expect(r.receiveNowait()).toBe(1);
      s.sendNowait(2);
      expect(r.receiveNowait()).toBe(2);
      let result: unknown = null;
      yield* openNursery(function* (n) {
        n.startSoon(function* () {
          result = yield* r.receive();
        });
        yield* waitAllTasksBlocked();
        s.sendNowait(2);
        expect(() => r.receiveNowait()).toThrow(WouldBlock);
      });
      expect(result).toBe(2);

      const [s3, r3] = openMemoryChannel<number | null>(1);
      s3.sendNowait(1);
      expect(() => s3.sendNowait(null)).toThrow(WouldBlock);
      yield* openNursery(function* (n) {
        n.startSoon(() => s3.send(2));
        yield* waitAllTasksBlocked();
        expect(r3.receiveNowait()).toBe(1);
        expect(() => s3.sendNowait(3)).toThrow(WouldBlock);
        expect(yield* r3.receive()).toBe(2);
      });
    });
  });
});

// Trio's generic lock tests, on three locks made of memory channels: they
// hold only if the channel's hand-offs are fair and FIFO.
interface LockLike {
  acquire(): Operation<void>;
  acquireNowait(): void;
  release(): void;
}

/** Holding the lock is having put a value into a buffer of `capacity` that starts with capacity - 1 values. */
class SendLock implements LockLike {
  readonly s: MemorySendChannel<null>;
  readonly r: MemoryReceiveChannel<null>;
  constructor(capacity: number) {
    [this.s, this.r] = openMemoryChannel<null>(capacity);
    for (let i = 0; i < capacity - 1; i++) this.s.sendNowait(null);
  }
  acquireNowait(): void {
    this.s.sendNowait(null);
  }
  acquire(): Operation<void> {
    return this.s.send(null);
  }
  release(): void {
    this.r.receiveNowait();
  }
}

/** Holding the lock is having taken the one value from the channel. */
class ReceiveLock implements LockLike {
  readonly s: MemorySendChannel<null>;
  readonly r: MemoryReceiveChannel<null>;
  constructor() {
    [this.s, this.r] = openMemoryChannel<null>(10);
    this.s.sendNowait(null);
  }
  acquireNowait(): void {
    this.r.receiveNowait();
  }
  *acquire(): Operation<void> {
    yield* this.r.receive();
  }
  release(): void {
    this.s.sendNowait(null);
  }
}

/** An unbuffered channel as the queue of waiters; a flag says whether the lock is held. */
class RendezvousLock implements LockLike {
  readonly s: MemorySendChannel<null>;
  readonly r: MemoryReceiveChannel<null>;
  acquired = false;
  constructor() {
    [this.s, this.r] = openMemoryChannel<null>(0);
  }
  acquireNowait(): void {
    expect(this.acquired).toBe(false);
    this.acquired = true;
  }
  *acquire(): Operation<void> {
    if (this.acquired) {
      yield* this.s.send(null);
    } else {
      this.acquired = true;
      yield* checkpoint();
    }
  }
  release(): void {
    try {
      this.r.receiveNowait();
    } catch (error) {
      if (!(error instanceof WouldBlock)) throw error;
      this.acquired = false;
    }
  }
}

const channelLocks: [string, () => LockLike][] = [
  ["send into a buffer of 10", () => new SendLock(10)],
  ["send into a buffer of 1", () => new SendLock(1)],
  ["receive the one value", () => new ReceiveLock()],
  ["rendezvous queue", () => new RendezvousLock()],
];

describe.each(channelLocks)("Trio test_sync generic lock tests on a channel lock (%s)", (_name, make) => {
  // test_generic_lock_exclusion
  it("five workers taking the lock ten times each are never inside together", async () => {
    let inside = false;
    let acquires = 0;
    await runMock(function* () {
      const lock = make();
      yield* openNursery(function* (n) {
        for (let w = 0; w < 5; w++) {
          n.startSoon(function* () {
            for (let i = 0; i < 10; i++) {
              yield* lock.acquire();
              try {
                acquires++;
                expect(inside).toBe(false);
                inside = true;
                yield* checkpoint();
                yield* checkpoint();
                expect(inside).toBe(true);
                inside = false;
              } finally {
                lock.release();
              }
            }
          });
        }
      });
    });
    expect(inside).toBe(false);
    expect(acquires).toBe(50);
  });

  // test_generic_lock_fifo_fairness
  it("three tasks looping on the lock take it in the same order every round", async () => {
    const initial: number[] = [];
    const record: number[] = [];
    await runMock(function* () {
      const lock = make();
      yield* openNursery(function* (n) {
        for (const name of [1, 2, 3]) {
          n.startSoon(function* () {
            initial.push(name);
            for (let i = 0; i < 5; i++) {
              yield* lock.acquire();
              record.push(name);
              lock.release();
            }
          });
        }
      });
    });
    for (let i = 0; i < 5; i++) expect(record.slice(3 * i, 3 * i + 3)).toEqual(initial);
  });

  // test_generic_lock_acquire_nowait_blocks_acquire
  it("a lock taken with acquireNowait makes acquire wait until released", async () => {
    const record: string[] = [];
    await runMock(function* () {
      const lock = make();
      yield* openNursery(function* (n) {
        lock.acquireNowait();
        n.startSoon(function* () {
          record.push("started");
          yield* lock.acquire();
          lock.release();
          record.push("finished");
        });
        yield* waitAllTasksBlocked();
        expect(record).toEqual(["started"]);
        lock.release();
      });
    });
    expect(record).toEqual(["started", "finished"]);
  });
});

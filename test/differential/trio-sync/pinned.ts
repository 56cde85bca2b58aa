/**
 * Hand-written programs recorded beside the sampled ones (record.ts): each
 * pins one case of the brief that the sampler reaches rarely, or one
 * difference between Trio 0.22 and current Trio that interp.py accounts for.
 * Same rule as the sampler: actions of different tasks never share an instant.
 */
import type { Op, Program, Stmt } from "./program.js";

const sl = (d: number): Stmt => ({ k: "sleep", d });
const op = (id: number, o: Op, swallow = true): Stmt => ({ k: "op", id, op: o, swallow });
const nursery = (id: number, body: Stmt[], ...children: Stmt[][]): Stmt => ({ k: "nursery", id, body, children });
const prog = (main: Stmt[], extra: Partial<Program> = {}): Program => ({ buffer: 0, sem: [1, null], tokens: 1, main, ...extra });

export const PINNED: { name: string; program: Program }[] = [
  {
    name: "start() in a cancelled scope: started() does not move the child, start waits for it and raises its Cancelled",
    program: prog([
      nursery(1, [
        {
          k: "scope",
          id: 2,
          deadline: null,
          shield: false,
          body: [sl(1), { k: "cancel", target: 2 }, { k: "start", id: 3, nursery: 1, body: [{ k: "started", id: 4 }, sl(1), op(5, { o: "set", ev: 0 })] }],
        },
      ]),
    ]),
  },
  {
    name: "start() in a cancelled scope whose child calls started() and returns without a checkpoint: start returns the value (Trio 0.22: the hidden nursery's exit is a cancel point)",
    program: prog([
      nursery(1, [
        { k: "scope", id: 2, deadline: null, shield: false, body: [sl(1), { k: "cancel", target: 2 }, { k: "start", id: 3, nursery: 1, body: [{ k: "started", id: 4 }] }] },
      ]),
    ]),
  },
  {
    name: "a child raises before started(): start raises its error unwrapped (current Trio; Trio 0.22 wraps it in a group)",
    program: prog([nursery(1, [{ k: "catch", id: 2, body: [sl(1), { k: "start", id: 3, nursery: 1, body: [sl(1), { k: "raise", id: 4 }, { k: "started", id: 5 }] }] }])]),
  },
  {
    name: "a child that returns without started(), and one that calls it twice",
    program: prog([
      nursery(1, [
        { k: "catch", id: 2, body: [sl(1), { k: "start", id: 3, nursery: 1, body: [sl(1)] }] },
        sl(1),
        { k: "start", id: 4, nursery: 1, body: [sl(1), { k: "started", id: 5 }, sl(1), { k: "started", id: 6 }] },
      ]),
    ]),
  },
  {
    name: "a child started into an outer nursery from inside an inner one keeps running after the inner nursery ends",
    program: prog([
      nursery(1, [nursery(2, [sl(1), { k: "start", id: 3, nursery: 1, body: [sl(1), { k: "started", id: 4 }, sl(3), op(5, { o: "set", ev: 0 })] }]), op(6, { o: "wait", ev: 0 })]),
    ]),
  },
  {
    name: "memory channel, buffer 0: a send goes to the oldest receiver; closing the last send clone ends the other receiver; closed and ended handles",
    program: prog([
      nursery(
        1,
        [
          sl(0.25),
          op(20, { o: "cloneSend", slot: 0, into: 1 }),
          sl(0.25),
          op(21, { o: "cloneReceive", slot: 0, into: 1 }),
          sl(3),
          op(2, { o: "send", slot: 0, nowait: false }),
          sl(1),
          op(3, { o: "closeSend", slot: 0 }),
          sl(1),
          op(4, { o: "send", slot: 0, nowait: true }),
          sl(1),
          op(5, { o: "cloneSend", slot: 0, into: 2 }),
          sl(1),
          op(6, { o: "closeSend", slot: 1 }),
          sl(1),
          op(7, { o: "receive", slot: 0, nowait: true }),
        ],
        [sl(1), op(8, { o: "receive", slot: 0, nowait: false })],
        [sl(2), op(9, { o: "receive", slot: 1, nowait: false })],
      ),
    ]),
  },
  {
    name: "memory channel, buffer 1: WouldBlock both ways, buffered values survive the senders' close, closing every receiver breaks a waiting sender",
    program: prog(
      [
        nursery(
          1,
          [
            sl(0.25),
            op(20, { o: "cloneSend", slot: 0, into: 1 }),
            sl(0.25),
            op(21, { o: "cloneReceive", slot: 0, into: 1 }),
            sl(1),
            op(2, { o: "receive", slot: 0, nowait: true }),
            sl(1),
            op(3, { o: "send", slot: 0, nowait: true }),
            sl(1),
            op(4, { o: "send", slot: 0, nowait: true }),
            sl(1),
            op(5, { o: "cloneReceive", slot: 0, into: 2 }),
            sl(1),
            op(6, { o: "closeReceive", slot: 0 }),
            sl(1),
            op(7, { o: "closeReceive", slot: 1 }),
            sl(3),
            op(8, { o: "closeReceive", slot: 2 }),
          ],
          [sl(5.75), op(9, { o: "send", slot: 1, nowait: false }), sl(0.5), op(12, { o: "send", slot: 1, nowait: false }), sl(0.5), op(13, { o: "send", slot: 1, nowait: false })],
          [sl(7), op(10, { o: "receive", slot: 2, nowait: false }), sl(0.25), op(11, { o: "receive", slot: 2, nowait: true })],
        ),
      ],
      { buffer: 1 },
    ),
  },
  {
    name: "Event, Lock and Semaphore: waiters woken in order, release by a non-owner, release past maxValue",
    program: prog(
      [
        nursery(
          1,
          [
            sl(1),
            op(2, { o: "acquire", lock: 0, nowait: false }),
            sl(3),
            op(3, { o: "release", lock: 0 }),
            sl(1),
            op(4, { o: "set", ev: 0 }),
            sl(1),
            op(5, { o: "semRelease" }),
            sl(1),
            op(6, { o: "semRelease" }),
            sl(1),
            op(7, { o: "semRelease" }),
            sl(1),
            op(15, { o: "semRelease" }),
          ],
          [sl(2), op(8, { o: "acquire", lock: 0, nowait: false }), sl(0.5), op(9, { o: "wait", ev: 0 }), sl(0.25), op(10, { o: "release", lock: 0 })],
          [sl(2.5), op(11, { o: "acquire", lock: 0, nowait: true }), sl(0.25), op(12, { o: "release", lock: 0 }), sl(0.5), op(13, { o: "semAcquire", nowait: false }), sl(0.125), op(14, { o: "semAcquire", nowait: false })],
        ),
      ],
      { sem: [0, 1] },
    ),
  },
  {
    name: "CapacityLimiter: waiters for a task and for a borrower, total_tokens raised wakes both, lowered to 0 and below what is borrowed",
    program: prog([
      nursery(
        1,
        [
          sl(1),
          op(2, { o: "limAcquire", nowait: false, borrower: null }),
          sl(3),
          op(3, { o: "limTotal", n: 3 }),
          sl(1),
          op(4, { o: "limTotal", n: 0 }),
          sl(1),
          op(5, { o: "limRelease", borrower: null }),
          sl(1),
          op(6, { o: "limRelease", borrower: 0 }),
          sl(1),
          op(7, { o: "limAcquire", nowait: true, borrower: 1 }),
          sl(1),
          op(8, { o: "limTotal", n: 1 }),
          sl(1),
          op(9, { o: "limAcquire", nowait: true, borrower: null }),
          sl(1),
          op(10, { o: "limAcquire", nowait: true, borrower: 1 }),
        ],
        [sl(2), op(11, { o: "limAcquire", nowait: false, borrower: null }), sl(10.5), op(12, { o: "limRelease", borrower: null })],
        [sl(3), op(13, { o: "limAcquire", nowait: false, borrower: 0 }), sl(0.5), op(14, { o: "limAcquire", nowait: false, borrower: 0 })],
      ),
    ]),
  },
  {
    name: "CapacityLimiter: a borrower already waiting in another task is refused (ours, deliberately; Trio lets it wait, then counts two holders as one)",
    program: prog([
      nursery(
        1,
        [sl(1), op(2, { o: "limAcquire", nowait: false, borrower: null }), sl(4), op(3, { o: "limTotal", n: 3 })],
        [sl(2), op(4, { o: "limAcquire", nowait: false, borrower: 0 }), sl(4), op(5, { o: "limRelease", borrower: 0 })],
        [sl(3), op(6, { o: "limAcquire", nowait: true, borrower: 0 }), sl(1), op(7, { o: "limAcquire", nowait: false, borrower: 0 }), sl(3.5), op(8, { o: "limRelease", borrower: 0 })],
      ),
    ]),
  },
  {
    name: "Condition: wait without the lock, notify(1) wakes the oldest once the notifier lets go, notify_all the rest",
    program: prog([
      nursery(
        1,
        [
          sl(0.5),
          op(2, { o: "condWait" }),
          sl(3),
          { k: "with", id: 3, lock: 2, body: [sl(0.5), op(4, { o: "condNotify", n: 1 }), sl(1)] },
          sl(2),
          { k: "with", id: 5, lock: 2, body: [sl(0.5), op(6, { o: "condNotify", n: null })] },
        ],
        [sl(1), { k: "with", id: 7, lock: 2, body: [sl(0.25), op(8, { o: "condWait" }), sl(0.25)] }],
        [sl(2), { k: "with", id: 9, lock: 2, body: [sl(0.25), op(10, { o: "condWait" }), sl(0.375)] }],
        [sl(2.5), { k: "with", id: 11, lock: 2, body: [sl(0.125), op(12, { o: "condWait" })] }],
      ),
    ]),
  },
  {
    name: "fail_after raises TooSlowError; move_on_after inside it absorbs its own earlier deadline",
    program: prog([
      {
        k: "catch",
        id: 1,
        body: [{ k: "timeout", id: 2, fail: true, d: 3, body: [{ k: "timeout", id: 3, fail: false, d: 1, body: [sl(2)] }, sl(5)] }],
      },
      { k: "timeout", id: 4, fail: true, d: 2.5, body: [sl(1)] },
    ]),
  },
  {
    name: "several real errors: the first failure cancels the nursery, but shielded finally blocks still raise their own",
    program: prog([
      nursery(
        1,
        [sl(1), { k: "raise", id: 2 }],
        [{ k: "try", id: 3, body: [sl(6)], fin: [{ k: "scope", id: 4, deadline: 3, shield: true, body: [sl(0.5), { k: "raise", id: 5 }] }] }],
        [{ k: "try", id: 6, body: [sl(7)], fin: [{ k: "scope", id: 7, deadline: 3.5, shield: true, body: [sl(0.75), op(8, { o: "send", slot: 2, nowait: true }, false), sl(1), { k: "raise", id: 9 }] }] }],
        [nursery(10, [sl(0.25)], [{ k: "try", id: 11, body: [sl(8)], fin: [{ k: "scope", id: 12, deadline: 2.5, shield: true, body: [sl(1.25), { k: "raise", id: 13 }] }] }])],
      ),
    ]),
  },
  {
    name: "several real errors: a finally block raising during a Cancelled (the error replaces the Cancelled) and a lock left held by a task that ended",
    program: prog([
      nursery(
        1,
        [sl(1), op(2, { o: "acquire", lock: 1, nowait: false }), sl(1), { k: "raise", id: 3 }],
        [{ k: "try", id: 4, body: [sl(3)], fin: [op(5, { o: "release", lock: 1 }, false)] }],
        [{ k: "try", id: 6, body: [sl(1.5), op(7, { o: "acquire", lock: 1, nowait: false })], fin: [op(8, { o: "closeSend", slot: 0 }, false), op(9, { o: "send", slot: 0, nowait: true }, false)] }],
      ),
    ]),
  },
  {
    name: "a Lock's owner ends holding it while a task waits: the waiter, and a later acquire, raise BrokenResourceError (current Trio, 0.27.0; Trio 0.22 waits forever); acquire_nowait raises WouldBlock and a release by another task is refused",
    program: prog([
      nursery(
        1,
        [sl(4), op(2, { o: "acquire", lock: 0, nowait: false }), sl(0.5), op(3, { o: "acquire", lock: 0, nowait: true }), sl(0.5), op(4, { o: "release", lock: 0 })],
        [sl(1), op(5, { o: "acquire", lock: 0, nowait: false }), sl(1)],
        [sl(1.5), op(6, { o: "acquire", lock: 0, nowait: false })],
      ),
    ]),
  },
  {
    name: "a Lock handed over by release() to a waiter that then fails holding it: the next waiter raises BrokenResourceError, not the Cancelled of the failure (current Trio breaks the lock before the nursery hears)",
    program: prog([
      nursery(
        1,
        [],
        [sl(1), op(2, { o: "acquire", lock: 0, nowait: false }), sl(2), op(3, { o: "release", lock: 0 })],
        [sl(1.5), op(4, { o: "acquire", lock: 0, nowait: false }), sl(1), { k: "raise", id: 5 }],
        [sl(2), op(6, { o: "acquire", lock: 0, nowait: false })],
      ),
    ]),
  },
];

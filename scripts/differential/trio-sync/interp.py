"""Runs primitives programs (test/differential/trio-sync/program.ts) on real Trio.

Reads one JSON program per line on stdin, writes one JSON result per line on
stdout: {"trio": Outcome, "ours"?: Outcome} or {"crash": message}. The
Outcome has the shape of test/differential/trio-sync/runtime.ts's, and each
statement maps to the Trio API as runtime.ts maps it to ours.

Time is virtual (trio.testing.MockClock(autojump_threshold=0)); nurseries are
strict (strict_exception_groups=True). Errors are compared in an
order-insensitive form (`canon`): a group is its sorted members, and a group
of Cancelled only counts as one Cancelled (docs/semantics.md, "Nurseries and
errors", rule 6: ours raises a plain Cancelled there).

Trio 0.22 (what is installed) differs from current Trio in ways ours follows
current Trio. Every program is run twice: as Trio 0.22 runs it ("trio") and
with current Trio's rules emulated ("ours", written only when it differs):

* The end of a nursery block is no cancel point (python-trio/trio#1457):
  Trio's exit wait ignores Cancelled (see _nested_child_finished below).
* nursery.start() raises the error of a child that fails before started()
  itself, not wrapped in the group of start's hidden nursery
  (python-trio/trio#2611, fixed by PRs #2826, #2845 and #2938; ours:
  docs/semantics.md, "start and started").
* CapacityLimiter.total_tokens may be set to 0 (Trio 0.22 raises ValueError
  below 1; python-trio/trio#3243, PR #3321, allows 0, as ours does).
* A Lock whose owner task exits without releasing it breaks (Trio 0.27.0,
  python-trio/trio#3035, PR #3081: parking-lot breakers). The owner's exit,
  before its nursery hears of it, wakes every task parked on the lock with
  BrokenResourceError, and every later contended acquire raises it at once;
  Trio 0.22 leaves them waiting (see _lock_acquire below; ours:
  src/sync/lock.ts). Condition's lock is a Lock, so this covers it too.
  (Moving tasks into a broken lot, where ours wakes them with the error and
  Trio's repark leaves them parked, cannot happen here: notify needs the
  lock held by a live task.)

The "ours" run also applies one deliberate difference of ours that no Trio
release has: acquiring a CapacityLimiter token on behalf of a borrower that is
already waiting for one in another task raises RuntimeError (ours:
src/sync/capacity-limiter.ts, checkNew). Trio lets the second acquire wait
(or its nowait form raise WouldBlock); once both are woken the borrower is in
the borrower set once but two tasks hold "its" token, and borrowed_tokens
undercounts. Found by this test (seed 11, --depth 4 --length 6).

Run: python3 scripts/differential/trio-sync/interp.py < programs.jsonl
"""

import os
import math
import sys

import outcome
import trio
import trio.testing
from trio._core._run import Nursery, Runner
from trio._sync import _LockImpl

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from jsonl_driver import serve  # noqa: E402 (after the path it is found on)
from trio_errors import ModelError, leaves, only_cancelled  # noqa: E402

CURRENT = False
_trio_nested_child_finished = Nursery._nested_child_finished


async def _nested_child_finished(self, nested_child_exc):
    """Trio 0.22's end of a nursery block, with current Trio's rule when CURRENT.

    Not by a shielded CancelScope around Trio's wait (as the first
    differential test does): started() moves every cancel status under the
    hidden nursery of start() to the target nursery, such a scope included,
    which corrupts Trio's scope stack. Instead the wait itself ignores a
    Cancelled (other errors are still collected), and a block with no
    children left runs only a cancel-shielded schedule point.
    """
    if not CURRENT:
        return await _trio_nested_child_finished(self, nested_child_exc)
    if nested_child_exc is not None:
        self._add_exc(nested_child_exc)
    self._nested_child_running = False
    self._check_nursery_closed()
    if not self._closed:

        def aborted(raise_cancel):
            error = outcome.capture(raise_cancel).error
            if not isinstance(error, trio.Cancelled):
                self._add_exc(error)
            return trio.lowlevel.Abort.FAILED

        self._parent_waiting_in_aexit = True
        await trio.lowlevel.wait_task_rescheduled(aborted)
    else:
        try:
            await trio.lowlevel.cancel_shielded_checkpoint()
        except BaseException as error:
            self._add_exc(error)
    assert self._parent_task._child_nurseries.pop() is self
    if self._pending_excs:
        try:
            return trio.MultiError(self._pending_excs, _collapse=not self._strict_exception_groups)
        finally:
            del self._pending_excs


Nursery._nested_child_finished = _nested_child_finished

# Current Trio's lock breakers (see the module comment), kept per run: the
# lots each task would break by exiting (Trio's add_parking_lot_breaker), and
# the lots already broken, with the task that broke each.
_lot_breakers = {}
_broken_lots = {}
_trio_lock_acquire_nowait = _LockImpl.acquire_nowait
_trio_lock_acquire = _LockImpl.acquire
_trio_lock_release = _LockImpl.release
_trio_task_exited = Runner.task_exited


def _lock_acquire_nowait(self):
    _trio_lock_acquire_nowait(self)
    if CURRENT:
        _lot_breakers.setdefault(self._owner, []).append(self._lot)


async def _lock_acquire(self):
    """Trio 0.22's acquire, which only parks, with current Trio's broken lot when CURRENT."""
    if not CURRENT:
        return await _trio_lock_acquire(self)
    await trio.lowlevel.checkpoint_if_cancelled()
    try:
        self.acquire_nowait()
    except trio.WouldBlock:
        if self._lot in _broken_lots:
            raise trio.BrokenResourceError(f"Owner of this lock exited without releasing: {self._owner}") from None
        await self._lot.park()
    else:
        await trio.lowlevel.cancel_shielded_checkpoint()


def _lock_release(self):
    owner = self._owner
    _trio_lock_release(self)
    if CURRENT:
        _lot_breakers[owner].remove(self._lot)
        if self._owner is not None:
            # Handed to the first waiter (a Condition's notified waiter too), now its breaker.
            _lot_breakers.setdefault(self._owner, []).append(self._lot)


def _break_lot(lot, task):
    if lot in _broken_lots:
        return
    _broken_lots[lot] = task
    for parked in lot._parked:
        trio.lowlevel.reschedule(parked, outcome.Error(trio.BrokenResourceError(f"Parking lot broken by {task}")))
    lot._parked.clear()


def _task_exited(self, task, task_outcome):
    """As current Trio: the lots a task holds break first, before its nursery hears of the exit."""
    if CURRENT:
        for lot in _lot_breakers.pop(task, ()):
            _break_lot(lot, task)
    return _trio_task_exited(self, task, task_outcome)


_LockImpl.acquire_nowait = _lock_acquire_nowait
_LockImpl.acquire = _lock_acquire
_LockImpl.release = _lock_release
Runner.task_exited = _task_exited

GLOBAL_DEADLINE = 5000


def canon(e):
    if isinstance(e, BaseExceptionGroup):
        if only_cancelled(e):
            return "Cancelled"
        return "G(" + ",".join(sorted(canon(x) for x in e.exceptions)) + ")"
    if isinstance(e, ModelError):
        return f"E{e.id}"
    if isinstance(e, trio.Cancelled):
        return "Cancelled"
    return type(e).__name__


def run_program(p):
    _lot_breakers.clear()
    _broken_lots.clear()
    clock = trio.testing.MockClock(autojump_threshold=0)
    entries = []
    timers = []
    scopes = {}
    nurseries = {}
    state = {}
    borrowers = ["b0", "b1"]

    def log(ctx, text):
        entries.append((trio.current_time(), ctx["task"], len(entries), text))

    async def block(stmts, ctx):
        for s in stmts:
            await stmt(s, ctx)

    def lim_state():
        lim = state["lim"]
        return f"ok borrowed={lim.borrowed_tokens} available={lim.available_tokens}"

    async def op(o, id):
        k = o["o"]
        sends, receives = state["sends"], state["receives"]
        if k == "send":
            h = sends[o["slot"]]
            if h is None:
                return "none"
            if o["nowait"]:
                h.send_nowait(id)
            else:
                await h.send(id)
            return "ok"
        if k == "receive":
            h = receives[o["slot"]]
            if h is None:
                return "none"
            v = h.receive_nowait() if o["nowait"] else await h.receive()
            return f"ok {v}"
        if k in ("closeSend", "closeReceive"):
            h = (sends if k == "closeSend" else receives)[o["slot"]]
            if h is None:
                return "none"
            h.close()
            return "ok"
        if k in ("cloneSend", "cloneReceive"):
            table = sends if k == "cloneSend" else receives
            h = table[o["slot"]]
            if h is None:
                return "none"
            table[o["into"]] = h.clone()
            state["all"].append(table[o["into"]])
            return "ok"
        if k == "set":
            state["events"][o["ev"]].set()
            return "ok"
        if k == "wait":
            await state["events"][o["ev"]].wait()
            return "ok"
        if k == "acquire":
            lock = state["locks"][o["lock"]]
            if o["nowait"]:
                lock.acquire_nowait()
            else:
                await lock.acquire()
            return "ok"
        if k == "release":
            state["locks"][o["lock"]].release()
            return "ok"
        sem = state["sem"]
        if k == "semAcquire":
            if o["nowait"]:
                sem.acquire_nowait()
            else:
                await sem.acquire()
            return f"ok value={sem.value}"
        if k == "semRelease":
            sem.release()
            return f"ok value={sem.value}"
        lim = state["lim"]
        if k == "limAcquire":
            b = o["borrower"]
            if CURRENT and b is not None and borrowers[b] in lim._pending_borrowers.values():
                # Ours: a borrower already waiting in another task is refused (see the module comment).
                raise RuntimeError("this borrower is already waiting for a token in another task")
            if b is None:
                if o["nowait"]:
                    lim.acquire_nowait()
                else:
                    await lim.acquire()
            elif o["nowait"]:
                lim.acquire_on_behalf_of_nowait(borrowers[b])
            else:
                await lim.acquire_on_behalf_of(borrowers[b])
            return lim_state()
        if k == "limRelease":
            b = o["borrower"]
            if b is None:
                lim.release()
            else:
                lim.release_on_behalf_of(borrowers[b])
            return lim_state()
        if k == "limTotal":
            if CURRENT and o["n"] == 0:
                # Current Trio allows 0 (see the module comment); 0.22's setter refuses it.
                lim._total_tokens = 0
                lim._wake_waiters()
            else:
                lim.total_tokens = o["n"]
            return lim_state()
        cond = state["cond"]
        if k == "condWait":
            await cond.wait()
            return "ok"
        if k == "condNotify":
            if o["n"] is None:
                cond.notify_all()
            else:
                cond.notify(o["n"])
            return "ok"
        raise ValueError(f"unknown op {k!r}")

    async def stmt(s, ctx):
        k = s["k"]
        if k == "sleep":
            timers.append(trio.current_time() + s["d"])
            await trio.sleep(s["d"])
        elif k == "raise":
            raise ModelError(s["id"])
        elif k == "cancel":
            scopes[s["target"]].cancel()
        elif k == "scope":
            deadline = math.inf
            if s["deadline"] is not None:
                deadline = trio.current_time() + s["deadline"]
                timers.append(deadline)
            scope = trio.CancelScope(deadline=deadline, shield=s["shield"])
            scopes[s["id"]] = scope
            try:
                with scope:
                    await block(s["body"], ctx)
            finally:
                log(ctx, f"scope#{s['id']} caught={'true' if scope.cancelled_caught else 'false'}")
        elif k == "timeout":
            timers.append(trio.current_time() + s["d"])
            scope = None
            try:
                with (trio.fail_after if s["fail"] else trio.move_on_after)(s["d"]) as scope:
                    await block(s["body"], ctx)
            finally:
                caught = "none" if scope is None else ("true" if scope.cancelled_caught else "false")
                log(ctx, f"timeout#{s['id']} caught={caught}")
        elif k == "nursery":
            async with trio.open_nursery() as n:
                nurseries[s["id"]] = n
                for i, child in enumerate(s["children"]):
                    n.start_soon(block, child, {"task": f"n{s['id']}.{i}", "status": None})
                await block(s["body"], ctx)
        elif k == "start":
            target = nurseries[s["nursery"]]

            async def child(task_status=trio.TASK_STATUS_IGNORED):
                await block(s["body"], {"task": f"s{s['id']}", "status": task_status})

            try:
                try:
                    v = await target.start(child)
                except BaseExceptionGroup as g:
                    # Current Trio raises the child's error unwrapped (see the module comment).
                    if CURRENT and len(g.exceptions) == 1:
                        raise g.exceptions[0] from None
                    raise
                log(ctx, f"start#{s['id']} -> {v}")
            except BaseException as e:
                log(ctx, f"start#{s['id']} err {canon(e)}")
                raise
        elif k == "started":
            try:
                ctx["status"].started(s["id"])
                log(ctx, f"started#{s['id']} ok")
            except BaseException as e:
                log(ctx, f"started#{s['id']} err {canon(e)}")
                raise
        elif k == "try":
            try:
                await block(s["body"], ctx)
            finally:
                log(ctx, f"try#{s['id']} finally")
                await block(s["fin"], ctx)
        elif k == "catch":
            try:
                await block(s["body"], ctx)
            except BaseException as e:
                if only_cancelled(e):
                    raise
                log(ctx, f"catch#{s['id']} {canon(e)}")
        elif k == "with":
            lock = state["cond"] if s["lock"] == 2 else state["locks"][s["lock"]]
            async with lock:
                log(ctx, f"with#{s['id']} in")
                await block(s["body"], ctx)
        elif k == "op":
            try:
                text = await op(s["op"], s["id"])
            except BaseException as e:
                log(ctx, f"op#{s['id']} err {canon(e)}")
                if s["swallow"] and not only_cancelled(e):
                    return
                raise
            log(ctx, f"op#{s['id']} {text}")
        else:
            raise ValueError(f"unknown statement {k!r}")

    async def main():
        s0, r0 = trio.open_memory_channel(p["buffer"])
        state["sends"] = [s0, None, None]
        state["receives"] = [r0, None, None]
        state["all"] = [s0, r0]
        state["events"] = [trio.Event(), trio.Event()]
        state["locks"] = [trio.Lock(), trio.Lock()]
        init, mx = p["sem"]
        state["sem"] = trio.Semaphore(init) if mx is None else trio.Semaphore(init, max_value=mx)
        state["lim"] = trio.CapacityLimiter(p["tokens"])
        state["cond"] = trio.Condition()
        ctx = {"task": "m", "status": None}
        timers.append(GLOBAL_DEADLINE)
        with trio.CancelScope(deadline=GLOBAL_DEADLINE) as g:
            await block(p["main"], ctx)
        if g.cancelled_caught:
            log(ctx, "deadlocked")

    result = "ok"
    try:
        trio.run(main, clock=clock, strict_exception_groups=True)
    except BaseException as e:
        for x in leaves(e):
            if not isinstance(x, Exception) and not isinstance(x, trio.Cancelled):
                raise x
        result = canon(e)
    entries.sort(key=lambda e: (e[0], e[1], e[2]))
    st = sorted(timers)
    ambiguous = any(st[i] == st[i - 1] for i in range(1, len(st)))
    end = clock.current_time()
    return {
        "log": [[num(t), task, text] for (t, task, _, text) in entries],
        "result": result,
        "endTime": num(end),
        "ambiguous": ambiguous,
    }


def num(t):
    return int(t) if t == int(t) else t


def set_current_rules(on):
    global CURRENT
    CURRENT = on


if __name__ == "__main__":
    serve(run_program, set_current_rules)

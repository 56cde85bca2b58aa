"""Runs differential asyncio programs (test/differential/asyncio/dsl.ts) in CPython.

Reads JSON lines on stdin, one program each, and writes one JSON line per
program on stdout: {"log": [...]} or {"skip": reason} (a deadlocked program's
log ends with [None, "main", "stuck"]). Every program runs on
a fresh VirtualLoop: a SelectorEventLoop whose selector never blocks and
whose time() jumps to the next timer, so a run is deterministic and instant.

Our layer follows CPython 3.12, and 3.13 for TaskGroup and Task.uncancel()
(gh-116720). Where 3.11 (the Python on the dev machine) differs for a
construct the programs use, this file uses 3.12's semantics (see "3.12
semantics": Timeout (timeout_at too), wait_for, gather, Semaphore,
Condition, the Barrier's Condition included) or 3.13's (see "3.13
semantics"), written out below, whatever Python runs it. Where
CPython leaves an order unspecified (same-instant timers, a TaskGroup's or
as_completed's set of Futures), it is pinned to ours.
"""
import asyncio
import collections
import heapq
import itertools
import json
import os
import selectors
import sys
from asyncio import events, exceptions


class Deadlock(Exception):
    pass


NOTHING_READY = "nothing ready and no timer"


class VirtualSelector(selectors._BaseSelectorImpl):
    """A selector that never waits: select(timeout) moves the loop's clock."""

    def __init__(self, loop_ref):
        super().__init__()
        self._loop_ref = loop_ref

    def select(self, timeout=None):
        loop = self._loop_ref()
        if timeout is None:
            raise Deadlock(NOTHING_READY)
        if timeout > 0:
            loop._vtime += timeout
            if loop._vtime > 10_000:
                raise Deadlock("virtual time ran past 10000 s")
        return []


class VirtualLoop(asyncio.SelectorEventLoop):
    def __init__(self):
        self._vtime = 0.0
        sel = VirtualSelector(lambda: self)
        super().__init__(sel)
        self._clock_resolution = 1e-9

    def time(self):
        return self._vtime

    def call_at(self, when, callback, *args, context=None):
        # CPython's timer heap compares deadlines only, so timers due at the
        # same instant leave it in an order set by the heap's shape, which no
        # other implementation can be asked to reproduce. Ours run them in
        # the order they were scheduled; so does this loop (ties by a counter).
        self._check_closed()
        timer = SeqTimerHandle(when, callback, args, self, context)
        heapq.heappush(self._scheduled, timer)
        timer._scheduled = True
        return timer


_timer_seq = itertools.count()


class SeqTimerHandle(events.TimerHandle):
    __slots__ = ("_seq",)

    def __init__(self, *args):
        super().__init__(*args)
        self._seq = next(_timer_seq)

    def __lt__(self, other):
        return (self._when, self._seq) < (other._when, other._seq)

    def __le__(self, other):
        return (self._when, self._seq) <= (other._when, other._seq)

    def __gt__(self, other):
        return (self._when, self._seq) > (other._when, other._seq)

    def __ge__(self, other):
        return (self._when, self._seq) >= (other._when, other._seq)


# ---- 3.12 semantics -------------------------------------------------------
# 3.11's Timeout.__aexit__ converts the CancelledError only when uncancel()
# reaches 0; 3.12 compares with the cancelling() count seen on entry.
# 3.11's wait_for runs its work in a new Task; 3.12 runs a coroutine inline
# under timeout() (timeouts <= 0 keep the cancel-at-once path).

NATIVE_312 = sys.version_info >= (3, 12)


class Timeout312:
    def __init__(self, when):
        self._when = when
        self._state = "created"
        self._handle = None
        self._task = None
        self._cancelling = 0

    async def __aenter__(self):
        self._state = "active"
        self._task = asyncio.current_task()
        self._cancelling = self._task.cancelling()
        loop = events.get_running_loop()
        if self._when is not None:
            if self._when <= loop.time():
                self._handle = loop.call_soon(self._on_timeout)
            else:
                self._handle = loop.call_at(self._when, self._on_timeout)
        return self

    async def __aexit__(self, et, ev, tb):
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if self._state == "expiring":
            self._state = "expired"
            if self._task.uncancel() <= self._cancelling and et is exceptions.CancelledError:
                raise TimeoutError from ev
        elif self._state == "active":
            self._state = "finished"
        return None

    def when(self):
        return self._when

    def expired(self):
        return self._state in ("expiring", "expired")

    def _on_timeout(self):
        self._task.cancel()
        self._state = "expiring"
        self._handle = None

    def reschedule(self, when):
        # 3.12: refused unless the block is running and the deadline has
        # not fired (3.11 asserts on a Timeout never entered instead).
        if self._state != "active":
            if self._state == "created":
                raise RuntimeError("Timeout has not been entered")
            raise RuntimeError(f"Cannot change state of {self._state} Timeout")
        self._when = when
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if when is not None:
            loop = events.get_running_loop()
            if when <= loop.time():
                self._handle = loop.call_soon(self._on_timeout)
            else:
                self._handle = loop.call_at(when, self._on_timeout)


def timeout(delay):
    if NATIVE_312:
        return asyncio.timeout(delay)
    loop = events.get_running_loop()
    return Timeout312(None if delay is None else loop.time() + delay)


def timeout_at(when):
    if NATIVE_312:
        return asyncio.timeout_at(when)
    return Timeout312(when)


async def wait_for(aw, t):
    if NATIVE_312:
        return await asyncio.wait_for(aw, t)
    if t is not None and t <= 0:
        fut = asyncio.ensure_future(aw)
        if fut.done():
            return fut.result()
        # cancel it and wait until it is really done (not cancelling it again)
        waiter = events.get_running_loop().create_future()

        def wake(_f):
            if not waiter.done():
                waiter.set_result(None)

        fut.add_done_callback(wake)
        try:
            fut.cancel()
            await waiter
        finally:
            fut.remove_done_callback(wake)
        try:
            return fut.result()
        except exceptions.CancelledError as exc:
            raise TimeoutError from exc
    async with timeout(t):
        return await aw


class GatheringFuture312(asyncio.Future):
    def __init__(self, children, loop):
        super().__init__(loop=loop)
        self._children = children
        self._cancel_requested = False

    def cancel(self, msg=None):
        if self.done():
            return False
        ret = False
        for child in self._children:
            if child.cancel(msg=msg):
                ret = True
        if ret:
            self._cancel_requested = True
        return ret


def gather(futs, return_exceptions):
    """3.12's gather, for distinct Futures (our programs pass Tasks only).

    3.11 adds its done callback to every child, so a child already done is
    counted one loop iteration later. 3.12 counts the children already done
    at once, after making the outer Future: if all are done, gather returns
    a done Future and awaiting it does not suspend. When no child is done
    yet the two agree, and the native gather runs.
    """
    if NATIVE_312 or not any(f.done() for f in futs):
        return asyncio.gather(*futs, return_exceptions=return_exceptions)
    loop = events.get_running_loop()
    children = list(futs)
    finished = 0
    outer = None

    def on_done(fut):
        nonlocal finished
        finished += 1
        if outer is None or outer.done():
            if not fut.cancelled():
                fut.exception()  # mark it retrieved
            return
        if not return_exceptions:
            if fut.cancelled():
                outer.set_exception(fut._make_cancelled_error())
                return
            exc = fut.exception()
            if exc is not None:
                outer.set_exception(exc)
                return
        if finished == len(children):
            results = []
            for f in children:
                if f.cancelled():
                    results.append(exceptions.CancelledError("" if f._cancel_message is None else f._cancel_message))
                else:
                    results.append(f.exception() or f.result())
            if outer._cancel_requested:
                # CPython takes this error from the last child in argument
                # order (its result loop rebinds the callback's variable).
                outer.set_exception(children[-1]._make_cancelled_error())
            else:
                outer.set_result(results)

    already = []
    for f in children:
        if f.done():
            already.append(f)
        else:
            f.add_done_callback(on_done)
    outer = GatheringFuture312(children, loop)
    for f in already:
        on_done(f)
    return outer


# 3.11's Semaphore.acquire, when a woken waiter is cancelled before it
# runs, hands the unit to one other waiter; 3.12 gives the unit back and,
# whatever happened, wakes as many queued waiters as there are free units.
# 3.11's Condition.wait, when it fails after being notified (cancelled while
# reacquiring), swallows the notification; 3.12 passes it to another waiter
# and re-raises the CancelledError it caught (with its message) rather
# than a new one.


class Semaphore312(asyncio.Semaphore):
    def _wake_up_next(self):
        for fut in self._waiters or ():
            if not fut.done():
                self._value -= 1
                fut.set_result(True)
                return True
        return False

    async def acquire(self):
        if not self.locked():
            self._value -= 1
            return True
        if self._waiters is None:
            self._waiters = collections.deque()
        fut = self._get_loop().create_future()
        self._waiters.append(fut)
        try:
            try:
                await fut
            finally:
                self._waiters.remove(fut)
        except exceptions.CancelledError:
            if fut.done() and not fut.cancelled():
                self._value += 1  # woken, but not taking the unit after all
            raise
        finally:
            while self._value > 0 and self._wake_up_next():
                pass
        return True


class BoundedSemaphore312(Semaphore312):
    def __init__(self, value=1):
        self._bound_value = value
        super().__init__(value)

    def release(self):
        if self._value >= self._bound_value:
            raise ValueError("BoundedSemaphore released too many times")
        super().release()


class Condition312(asyncio.Condition):
    async def wait(self):
        if not self.locked():
            raise RuntimeError("cannot wait on un-acquired lock")
        self.release()
        try:
            try:
                fut = self._get_loop().create_future()
                self._waiters.append(fut)
                try:
                    await fut
                    return True
                finally:
                    self._waiters.remove(fut)
            finally:
                last = None
                while True:
                    try:
                        await self.acquire()
                        break
                    except exceptions.CancelledError as e:
                        last = e
                if last is not None:
                    raise last
        except BaseException:
            self._wake(1)
            raise

    def _wake(self, n):
        woken = 0
        for fut in self._waiters:
            if woken >= n:
                break
            if not fut.done():
                woken += 1
                fut.set_result(False)


if NATIVE_312:
    Semaphore312 = asyncio.Semaphore  # noqa: F811
    BoundedSemaphore312 = asyncio.BoundedSemaphore  # noqa: F811
    Condition312 = asyncio.Condition  # noqa: F811


def as_completed(fs, timeout):
    """as_completed (3.11 = 3.12), with its Futures kept in argument order.

    CPython keeps them in a set, so the done callbacks of Futures already
    done are scheduled in an order set by their hashes; ours (and this one)
    follow argument order.
    """
    loop = events.get_running_loop()
    done = asyncio.Queue()
    todo = {}
    for f in fs:
        todo[asyncio.ensure_future(f)] = None
    handle = None

    def on_timeout():
        for f in list(todo):
            f.remove_done_callback(on_completion)
            done.put_nowait(None)
        todo.clear()

    def on_completion(f):
        if not todo:
            return
        del todo[f]
        done.put_nowait(f)
        if not todo and handle is not None:
            handle.cancel()

    async def wait_for_one():
        f = await done.get()
        if f is None:
            raise TimeoutError
        return f.result()

    for f in list(todo):
        f.add_done_callback(on_completion)
    if todo and timeout is not None:
        handle = loop.call_later(timeout, on_timeout)
    for _ in range(len(todo)):
        yield wait_for_one()


# ---- 3.13 semantics --------------------------------------------------------
# Our TaskGroup and Task.uncancel() follow 3.13 (gh-116720), which 3.12 did
# not take: uncancel() bringing the count to 0 also drops a cancellation not
# yet delivered; a TaskGroup withdraws its own request to cancel the parent
# after waiting for its tasks (3.11/3.12 do it before, so a child failing
# during that wait leaves cancelling() at 1 for good); and when it raises an
# ExceptionGroup while an outside cancellation is pending, it re-requests
# that one so the next await is cancelled (3.11/3.12 may swallow it).
# So, before 3.13: Tasks are the pure-Python Task with 3.13's uncancel(), and
# the group's exit is 3.13's.

NATIVE_313 = sys.version_info >= (3, 13)


class Task313(asyncio.tasks._PyTask):
    def uncancel(self):
        if self._num_cancels_requested > 0:
            self._num_cancels_requested -= 1
            if self._num_cancels_requested == 0:
                self._must_cancel = False
        return self._num_cancels_requested


def task_factory_313(loop, coro, **kwargs):
    return Task313(coro, loop=loop, **kwargs)


# ---- TaskGroup, with a deterministic order ---------------------------------
# CPython keeps a TaskGroup's tasks in a set, so the order in which an
# aborting group cancels them follows their memory addresses: unspecified.
# Our layer cancels them in creation order; so does this group.


class OrderedTaskSet:
    def __init__(self):
        self._d = {}

    def add(self, t):
        self._d[t] = None

    def discard(self, t):
        self._d.pop(t, None)

    def __iter__(self):
        return iter(list(self._d))

    def __len__(self):
        return len(self._d)

    def __bool__(self):
        return bool(self._d)


class TaskGroup(asyncio.TaskGroup):
    def __init__(self):
        super().__init__()
        assert isinstance(self._tasks, set)
        self._tasks = OrderedTaskSet()

    if not NATIVE_313:

        async def __aexit__(self, et, exc, tb):
            return await self._aexit313(et, exc)

    async def _aexit313(self, et, exc):
        # 3.13's exit (gh-116720, see "3.13 semantics" above).
        self._exiting = True
        cancelled = et is not None and issubclass(et, exceptions.CancelledError)
        propagate = exc if cancelled else None
        if et is not None and not self._aborting:
            self._abort()
        while self._tasks:
            if self._on_completed_fut is None:
                self._on_completed_fut = self._loop.create_future()
            try:
                await self._on_completed_fut
            except exceptions.CancelledError as e:
                if not self._aborting:
                    propagate = e
                    self._abort()
            self._on_completed_fut = None
        if self._base_error is not None:
            raise self._base_error
        # Withdrawn here, after the wait, so a request made during the wait
        # (a child failing while the block's end waits) is withdrawn too.
        if self._parent_cancel_requested and self._parent_task.uncancel() == 0:
            propagate = None
        if propagate is not None and not self._errors:
            raise propagate
        if et is not None and not cancelled:
            self._errors.append(exc)
        if self._errors:
            # An outside cancellation still pending must not be lost behind
            # the group: take it back and ask again (the count is unchanged,
            # the next await is cancelled).
            if self._parent_task.cancelling():
                self._parent_task.uncancel()
                self._parent_task.cancel()
            raise BaseExceptionGroup("unhandled errors in a TaskGroup", self._errors) from None
        return None


# ---- the interpreter ------------------------------------------------------


class Err(Exception):
    def __init__(self, ident):
        super().__init__(ident)
        self.ident = ident


def desc_exc(e):
    if isinstance(e, Err):
        return f"E{e.ident}"
    if isinstance(e, exceptions.CancelledError):
        return "C" if not e.args or not e.args[0] else f"C:{e.args[0]}"
    if isinstance(e, TimeoutError):
        return "T"
    if isinstance(e, BaseExceptionGroup):
        return "G[" + ",".join(desc_exc(x) for x in e.exceptions) + "]"
    return type(e).__name__


def desc_val(v):
    if isinstance(v, list):
        return [desc_val(x) for x in v]
    if isinstance(v, BaseException):
        return "!" + desc_exc(v)
    return v


class Interp:
    def __init__(self, loop):
        self.loop = loop
        self.t0 = loop.time()
        self.log = []
        self.tasks = {}
        self.events = [asyncio.Event(), asyncio.Event()]
        self.queues = [asyncio.Queue(), asyncio.Queue(1), asyncio.LifoQueue(), asyncio.PriorityQueue(2)]
        self.sems = [Semaphore312(2), BoundedSemaphore312(1)]
        self.lock = asyncio.Lock()
        self.cond = Condition312()
        self.barrier = asyncio.Barrier(2)
        # The Barrier waits on a Condition of its own: 3.12's too (Condition312).
        self.barrier._cond = Condition312()
        self.counter = 0  # what "bump" counts and "condwaitfor" waits for
        self.handles = {}
        self.timeouts = {}

    def try_log(self, who, label, f):
        try:
            v = f()
        except Exception as e:
            self.emit(who, label, desc_exc(e))
            return
        self.emit(who, label, "=", desc_val(v))

    def name_of(self, f):
        for name, t in self.tasks.items():
            if t is f:
                return name
        return "?"

    def callback(self, hname, action):
        def run():
            op = action[0]
            if op == "log":
                self.emit(hname, "cb")
            elif op == "evset":
                self.events[action[1]].set()
                self.emit(hname, "cb")
            elif op == "put":
                self.try_log(hname, "cb", lambda: self.queues[action[1]].put_nowait(action[2]))
            else:
                f = self.tasks.get(action[1])
                if f is None:
                    self.emit(hname, "cb", "missing")
                elif f.done():
                    self.emit(hname, "cb", "done")
                else:
                    if op == "setresult":
                        f.set_result(hname)
                    elif op == "setexc":
                        f.set_exception(Err(action[2]))
                    else:
                        f.cancel()
                    self.emit(hname, "cb", op)
        return run

    def emit(self, who, *what):
        t = round((self.loop.time() - self.t0) * 64)
        self.log.append([t, who, *what])

    def spawn(self, name, block):
        t = self.loop.create_task(self.block_task(name, block))
        self.tasks[name] = t
        return t

    async def block(self, block, who):
        for st in block["s"]:
            await self.stmt(st, who)
        return block["r"]

    async def outcome(self, who, label, aw):
        try:
            v = await aw
        except BaseException as e:
            self.emit(who, label, desc_exc(e))
            raise
        self.emit(who, label, "=", desc_val(v))
        return v

    async def stmt(self, st, who):
        op = st[0]
        if op == "sleep":
            await asyncio.sleep(st[1] / 64)
            self.emit(who, "slept")
        elif op == "log":
            self.emit(who, "log", st[1])
        elif op == "raise":
            raise Err(st[1])
        elif op == "spawn":
            self.spawn(st[1], st[2])
        elif op == "cancel":
            t = self.tasks.get(st[1])
            if t is None:
                self.emit(who, "cancel", st[1], "missing")
                return
            args = () if st[2] is None else (st[2],)
            self.emit(who, "cancel", st[1], t.cancel(*args))
        elif op == "await":
            t = self.tasks.get(st[1])
            if t is None:
                self.emit(who, "await", st[1], "missing")
                return
            await self.outcome(who, "await " + st[1], t)
        elif op == "gather":
            futs = []
            for item in st[1]:
                if item[0] == "task":
                    t = self.tasks.get(item[1])
                    if t is not None:
                        futs.append(t)
                else:
                    futs.append(self.spawn(item[1], item[2]))
            await self.outcome(who, "gather", gather(futs, st[2]))
        elif op == "waitfor":
            await self.outcome(who, "waitfor", wait_for(self.block(st[1], who), st[2] / 64))
        elif op == "shield":
            inner = self.spawn(st[1], st[2])
            await self.outcome(who, "shield", asyncio.shield(inner))
        elif op == "timeout":
            async def body():
                cm = timeout(st[1] / 64)
                if len(st) > 3:
                    self.timeouts[st[3]] = cm
                async with cm:
                    return await self.block(st[2], who)
            await self.outcome(who, "timeout", body())
        elif op == "tg":
            async def body():
                async with TaskGroup() as tg:
                    for name, b in st[1]:
                        self.tasks[name] = tg.create_task(self.block_task(name, b))
                    return await self.block(st[2], who)
            await self.outcome(who, "tg", body())
        elif op == "evset":
            self.events[st[1]].set()
        elif op == "evwait":
            await self.outcome(who, "evwait", self.events[st[1]].wait())
        elif op == "put":
            await self.outcome(who, "put", self.queues[st[1]].put(st[2]))
        elif op == "get":
            await self.outcome(who, "get", self.queues[st[1]].get())
        elif op == "uncancel":
            self.emit(who, "uncancel", asyncio.current_task().uncancel())
        elif op == "cancelling":
            self.emit(who, "cancelling", asyncio.current_task().cancelling())
        elif op == "try":
            _, body, catch, fin = st
            try:
                await self.block(body, who)
            except exceptions.CancelledError as e:
                if catch in ("cancel", "cancel_re"):
                    self.emit(who, "caught", desc_exc(e))
                    if catch == "cancel_re":
                        raise
                else:
                    raise
            except Exception as e:
                if catch == "exc":
                    self.emit(who, "caught", desc_exc(e))
                else:
                    raise
            finally:
                if fin is not None:
                    await self.block(fin, who)
        elif op == "wait":
            fs = [self.tasks[n] for n in st[1] if n in self.tasks]
            rw = {"FC": asyncio.FIRST_COMPLETED, "FE": asyncio.FIRST_EXCEPTION, "AC": asyncio.ALL_COMPLETED}[st[2]]
            try:
                done, pending = await asyncio.wait(fs, timeout=None if st[3] is None else st[3] / 64, return_when=rw)
            except BaseException as e:
                self.emit(who, "wait", desc_exc(e))
                raise
            self.emit(who, "wait", sorted(self.name_of(f) for f in done), sorted(self.name_of(f) for f in pending))
        elif op == "ascompleted":
            fs = [self.tasks[n] for n in st[1] if n in self.tasks]
            for nxt in as_completed(fs, None if st[2] is None else st[2] / 64):
                try:
                    await self.outcome(who, "next", nxt)
                except Exception:
                    pass
        elif op == "waitfortask":
            t = self.tasks.get(st[1])
            if t is None:
                self.emit(who, "waitfortask", st[1], "missing")
                return
            await self.outcome(who, "waitfor " + st[1], wait_for(t, st[2] / 64))
        elif op == "lock":
            async def body():
                async with self.lock:
                    self.emit(who, "locked")
                    return await self.block(st[1], who)
            await self.outcome(who, "lock", body())
        elif op == "sem":
            i = st[1]
            async def body():
                async with self.sems[i]:
                    self.emit(who, f"acquired{i}")
                    return await self.block(st[2], who)
            await self.outcome(who, f"sem{i}", body())
        elif op == "semrelease":
            self.try_log(who, f"release{st[1]}", self.sems[st[1]].release)
        elif op == "cond":
            async def body():
                async with self.cond:
                    self.emit(who, "condlocked")
                    if st[1] == "wait":
                        await self.outcome(who, "condwait", self.cond.wait())
                    elif st[1] == "notify":
                        self.cond.notify()
                    else:
                        self.cond.notify_all()
                    return await self.block(st[2], who)
            await self.outcome(who, "cond", body())
        elif op == "barrier":
            await self.outcome(who, "barrier", self.barrier.wait())
        elif op == "barrierabort":
            await self.outcome(who, "barrierabort", self.barrier.abort())
        elif op == "evclear":
            self.events[st[1]].clear()
        elif op == "join":
            await self.outcome(who, "join", self.queues[st[1]].join())
        elif op == "taskdone":
            self.try_log(who, "taskdone", self.queues[st[1]].task_done)
        elif op == "future":
            self.tasks[st[1]] = self.loop.create_future()
        elif op == "later":
            self.handles[st[1]] = self.loop.call_later(st[2] / 64, self.callback(st[1], st[3]))
        elif op == "at":
            self.handles[st[1]] = self.loop.call_at(self.t0 + st[2] / 64, self.callback(st[1], st[3]))
        elif op == "hcancel":
            h = self.handles.get(st[1])
            if h is None:
                self.emit(who, "hcancel", st[1], "missing")
                return
            h.cancel()
        elif op == "reschedule":
            cm = self.timeouts.get(st[1])
            if cm is None:
                self.emit(who, "reschedule", st[1], "missing")
                return
            d = st[2]
            self.try_log(who, "reschedule " + st[1], lambda: cm.reschedule(None if d is None else self.loop.time() + d / 64))
        elif op == "waitcoro":
            # 3.11 and later refuse a coroutine (TypeError), before awaiting anything
            fs = [self.tasks[n] for n in st[1] if n in self.tasks]
            coro = self.block(st[2], who)
            fs.append(coro)
            try:
                done, pending = await asyncio.wait(fs)
            except BaseException as e:
                self.emit(who, "waitcoro", desc_exc(e))
                raise
            finally:
                coro.close()  # never started: no "never awaited" warning
            self.emit(who, "waitcoro", len(done), len(pending))
        elif op == "barrierreset":
            await self.outcome(who, "barrierreset", self.barrier.reset())
        elif op == "barrierstate":
            self.emit(who, "barrierstate", self.barrier.n_waiting, self.barrier.broken)
        elif op == "condwaitfor":
            n = st[1]
            async def body():
                async with self.cond:
                    self.emit(who, "condlocked")
                    await self.outcome(who, "condwaitfor", self.cond.wait_for(lambda: self.counter >= n))
                    return await self.block(st[2], who)
            await self.outcome(who, "cond", body())
        elif op == "bump":
            self.counter += 1
            self.emit(who, "bump", self.counter)
        elif op == "timeoutat":
            async def body():
                cm = timeout_at(self.t0 + st[1] / 64)
                self.timeouts[st[3]] = cm
                async with cm:
                    return await self.block(st[2], who)
            await self.outcome(who, "timeout", body())
        elif op == "expired":
            cm = self.timeouts.get(st[1])
            if cm is None:
                self.emit(who, "expired", st[1], "missing")
                return
            w = cm.when()
            self.emit(who, "expired", st[1], cm.expired(), None if w is None else round((w - self.t0) * 64))
        else:
            raise ValueError(f"unknown op {op!r}")

    async def block_task(self, name, block):
        try:
            r = await self.block(block, name)
        except BaseException as e:
            self.emit(name, "end", desc_exc(e))
            raise
        self.emit(name, "end", "=", r)
        return r

    async def main(self, prog):
        try:
            r = await self.block(prog["main"], "main")
            self.emit("main", "end", "=", r)
        except BaseException as e:
            self.emit("main", "end", desc_exc(e))
        # Wind down: cancel what is still pending (in creation order), then
        # retrieve every task's outcome so nothing is reported as unretrieved;
        # again while tasks spawned meanwhile (in a finally) are pending, so
        # that no task outlives the log (ours would run on, CPython's not).
        # Until no task was spawned meanwhile: each one is awaited once done.
        while True:
            for name, t in list(self.tasks.items()):
                if not t.done():
                    self.emit("main", "cancel", name, t.cancel())
            seen = len(self.tasks)
            for name, t in list(self.tasks.items()):
                try:
                    await t
                except BaseException:
                    pass
            if len(self.tasks) == seen and all(t.done() for t in self.tasks.values()):
                break
        # Loop callbacks still scheduled would run after the log ends.
        for h in self.handles.values():
            h.cancel()
        self.emit("main", "done")


_graveyard = []


def run_program(prog):
    loop = VirtualLoop()
    if not NATIVE_313:
        loop.set_task_factory(task_factory_313)
    try:
        interp = Interp.__new__(Interp)
        asyncio.set_event_loop(loop)

        async def top():
            Interp.__init__(interp, loop)
            await interp.main(prog)

        loop.run_until_complete(top())
        left = asyncio.all_tasks(loop)
        if left:
            # Tasks spawned during the wind-down are still pending: keep them
            # alive too (see below), the log ends at "done" all the same.
            _graveyard.append((loop, interp, left))
        return {"log": interp.log}
    except Deadlock as e:
        if str(e) == NOTHING_READY:
            # Deadlocked: the log so far is compared, ended by a marker line
            # (ours notices the deadlock with a far-off watchdog timer).
            result = {"log": interp.log + [[None, "main", "stuck"]]}
        else:
            result = {"skip": str(e)}
        # The deadlocked tasks stay pending. Finalizing them once the loop is
        # closed makes CPython 3.11 crash in the garbage collector after a
        # few thousand programs (a segfault, seen with --deep), so they are
        # kept alive instead: a small leak per skipped program.
        _graveyard.append((loop, interp, asyncio.all_tasks(loop)))
        return result
    finally:
        try:
            loop.close()
        except Exception:
            pass
        asyncio.set_event_loop(None)


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        out = run_program(json.loads(line))
        sys.stdout.write(json.dumps(out, separators=(",", ":")) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
    # Skip finalizing the graveyard (noise on stderr, at best).
    sys.stdout.flush()
    os._exit(0)

"""Runs differential asyncio programs (test/differential/asyncio/dsl.ts) in CPython.

Reads JSON lines on stdin, one program each, and writes one JSON line per
program on stdout: {"log": [...]} or {"skip": reason}. Every program runs on
a fresh VirtualLoop: a SelectorEventLoop whose selector never blocks and
whose time() jumps to the next timer, so a run is deterministic and instant.

Our layer follows CPython 3.12. Where 3.11 (the Python on the dev machine)
differs for a construct the programs use, this file uses 3.12's semantics,
written out below (see "3.12 semantics"), whatever Python runs it.
"""
import asyncio
import heapq
import itertools
import json
import selectors
import sys
from asyncio import events, exceptions


class Deadlock(Exception):
    pass


class VirtualSelector(selectors._BaseSelectorImpl):
    """A selector that never waits: select(timeout) moves the loop's clock."""

    def __init__(self, loop_ref):
        super().__init__()
        self._loop_ref = loop_ref

    def select(self, timeout=None):
        loop = self._loop_ref()
        if timeout is None:
            raise Deadlock("nothing ready and no timer")
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

    def _on_timeout(self):
        self._task.cancel()
        self._state = "expiring"
        self._handle = None


def timeout(delay):
    if NATIVE_312:
        return asyncio.timeout(delay)
    loop = events.get_running_loop()
    return Timeout312(None if delay is None else loop.time() + delay)


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
        self.queues = [asyncio.Queue(), asyncio.Queue(1)]

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
                async with timeout(st[1] / 64):
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
        # retrieve every task's outcome so nothing is reported as unretrieved.
        for name, t in list(self.tasks.items()):
            if not t.done():
                self.emit("main", "cancel", name, t.cancel())
        for name, t in list(self.tasks.items()):
            try:
                await t
            except BaseException:
                pass
        self.emit("main", "done")


def run_program(prog):
    loop = VirtualLoop()
    try:
        interp = Interp.__new__(Interp)
        asyncio.set_event_loop(loop)

        async def top():
            Interp.__init__(interp, loop)
            await interp.main(prog)

        loop.run_until_complete(top())
        return {"log": interp.log}
    except Deadlock as e:
        return {"skip": str(e)}
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

"""Runs model programs (test/model/program.ts) on real Trio and prints their outcomes.

Reads one JSON program per line on stdin and writes one JSON outcome per line
on stdout, in the shape of test/model/model.ts's Outcome. Each statement maps
to the Trio API exactly as test/model/runtime.ts maps it to ours:

  sleep    -> trio.sleep(d)
  mark     -> record the id
  raise    -> raise ModelError(id)
  cancel   -> scope.cancel() / nursery.cancel_scope.cancel()
  move     -> scope.deadline = trio.current_time() + d
  scope    -> with trio.CancelScope(deadline=now + d, shield=...): body
  nursery  -> async with trio.open_nursery() as n: n.start_soon(child) ...; body
  try      -> try: body finally: count; fin
  catch    -> try: body except BaseException: rethrow a Cancelled, else record leaves

Time is virtual (trio.testing.MockClock(autojump_threshold=0)), so endTime is
exact. Nurseries are strict (strict_exception_groups=True): ours always raise
an ExceptionGroup (docs/semantics.md, "Nurseries and errors", rule 4).

Deliberate differences from Trio that this interpreter accounts for, each named
after its entry in docs/semantics.md:

* "Nurseries and errors", rule 6: when every error a nursery collected is a
  Cancelled, ours raises one plain Cancelled where Trio raises a group of them.
  So `catch` treats a group whose leaves are all Cancelled as a Cancelled.

And one difference between Trio releases. Trio 0.22 (what Debian packages,
and what this script was run with) makes the end of a nursery block a cancel
point: if children remain, a cancellation of the waiting parent adds a
Cancelled to the nursery's errors; if none remain, it runs a full checkpoint
whose Cancelled joins them too. Later Trio releases dropped that
(python-trio/trio#1457, "a nursery might inject a Cancelled even when none of
the tasks received a Cancelled"; PR #1696): the parent's wait ignores
Cancelled and an empty block runs only a cancel-shielded schedule point. Ours
follows current Trio (docs/semantics.md, "Checkpoints", the row "end of
`openNursery`"). Every program is therefore run twice: as Trio 0.22 runs it
("trio"), and with the nursery's exit shielded ("ours": current Trio's rule,
which gives the same outcomes). The second is written only when it differs.
The test checks our runtime and model against "ours", and that they differ
from "trio" there, so a change that brings back 0.22's behaviour is caught.

Run: python3 scripts/differential/trio/interp.py < programs.jsonl
Each line out: {"trio": Outcome, "ours"?: Outcome} or {"crash": message}.
"""

import os
import sys

import trio
import trio.testing
from trio._core._run import Nursery

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from jsonl_driver import serve  # noqa: E402 (after the path it is found on)
from trio_errors import ModelError, leaves, only_cancelled  # noqa: E402

# See the module comment: when set, the end of a nursery block is no cancel
# point (current Trio's rule, and ours). Implemented by shielding Trio's own exit wait,
# so that Trio's code runs unchanged otherwise.
OUR_NURSERY_EXIT = False
_trio_nested_child_finished = Nursery._nested_child_finished


async def _nested_child_finished(self, nested_child_exc):
    if not OUR_NURSERY_EXIT:
        return await _trio_nested_child_finished(self, nested_child_exc)
    with trio.CancelScope(shield=True):
        return await _trio_nested_child_finished(self, nested_child_exc)


Nursery._nested_child_finished = _nested_child_finished


def run_program(program):
    clock = trio.testing.MockClock(autojump_threshold=0)
    scopes = {}
    nursery_scopes = {}
    outcome = {
        "ok": True,
        "errors": [],
        "cancelledEscaped": False,
        "finallies": {},
        "caught": {},
        "marks": [],
        "swallowed": {},
        "endTime": 0,
    }

    async def block(stmts):
        for s in stmts:
            await stmt(s)

    async def stmt(s):
        k = s["k"]
        if k == "sleep":
            await trio.sleep(s["d"])
        elif k == "mark":
            outcome["marks"].append(s["id"])
        elif k == "raise":
            raise ModelError(s["id"])
        elif k == "cancel":
            (nursery_scopes if s["nursery"] else scopes)[s["target"]].cancel()
        elif k == "move":
            scopes[s["target"]].deadline = trio.current_time() + s["d"]
        elif k == "scope":
            deadline = float("inf") if s["deadline"] is None else trio.current_time() + s["deadline"]
            scope = trio.CancelScope(deadline=deadline, shield=s["shield"])
            scopes[s["id"]] = scope
            try:
                with scope:
                    await block(s["body"])
            finally:
                outcome["caught"][str(s["id"])] = scope.cancelled_caught
        elif k == "nursery":
            async with trio.open_nursery() as n:
                nursery_scopes[s["id"]] = n.cancel_scope
                for child in s["children"]:
                    n.start_soon(block, child)
                await block(s["body"])
        elif k == "try":
            try:
                await block(s["body"])
            finally:
                key = str(s["id"])
                outcome["finallies"][key] = outcome["finallies"].get(key, 0) + 1
                await block(s["fin"])
        elif k == "catch":
            try:
                await block(s["body"])
            except BaseException as e:
                # docs/semantics.md, "Nurseries and errors", rule 6: a group of
                # Cancelled only is a plain Cancelled in ours.
                if only_cancelled(e):
                    raise
                ids = sorted(x.id for x in leaves(e) if isinstance(x, ModelError))
                if ids:
                    outcome["swallowed"][str(s["id"])] = ids
        else:
            raise ValueError(f"unknown statement {k!r}")

    async def main():
        await block(program)

    try:
        trio.run(main, clock=clock, strict_exception_groups=True)
    except BaseException as e:
        ls = leaves(e)
        strays = [x for x in ls if not isinstance(x, (trio.Cancelled, ModelError))]
        if strays:
            raise strays[0]
        outcome["ok"] = False
        outcome["cancelledEscaped"] = any(isinstance(x, trio.Cancelled) for x in ls)
        outcome["errors"] = sorted(x.id for x in ls if isinstance(x, ModelError))
    outcome["endTime"] = clock.current_time()
    outcome["marks"].sort()
    return outcome


def set_current_rules(on):
    global OUR_NURSERY_EXIT
    OUR_NURSERY_EXIT = on


if __name__ == "__main__":
    serve(run_program, set_current_rules)

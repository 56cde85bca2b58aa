"""
The driver both Trio interpreters share (scripts/differential/trio and
trio-sync): each reads programs as JSON lines on stdin and writes one result
line per program, running it twice: as installed Trio 0.22 runs it, and with
the rules that later Trio changed ("ours" is written only when it differs).
A crash of the interpreter is reported for that program, not the batch.
"""

import json
import sys


def run_twice(run_program, set_current_rules, program):
    """{"trio": outcome} with Trio 0.22's rules, plus "ours" under current Trio's where it differs."""
    set_current_rules(False)
    result = {"trio": run_program(program)}
    set_current_rules(True)
    try:
        ours = run_program(program)
    finally:
        set_current_rules(False)
    if ours != result["trio"]:
        result["ours"] = ours
    return result


def serve(run_program, set_current_rules):
    """Answers each JSON line of stdin with a JSON line on stdout."""
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            result = run_twice(run_program, set_current_rules, json.loads(line))
        except BaseException as e:  # a bug of the interpreter, reported per program
            result = {"crash": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()

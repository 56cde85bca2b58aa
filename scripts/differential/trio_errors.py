"""
The error helpers both Trio interpreters share (scripts/differential/trio and
trio-sync): the error a program's `raise` statement raises, and reading the
leaves of the exception groups Trio's strict nurseries raise.
"""

import trio


class ModelError(Exception):
    """What a program's `raise` statement raises: an error known by its id."""

    def __init__(self, id):
        super().__init__(f"model error #{id}")
        self.id = id


def leaves(exc):
    """The errors of `exc`, groups flattened, in order."""
    if isinstance(exc, BaseExceptionGroup):
        out = []
        for e in exc.exceptions:
            out.extend(leaves(e))
        return out
    return [exc]


def only_cancelled(exc):
    """True if every leaf of `exc` is a Cancelled (ours raises one plain Cancelled there)."""
    return all(isinstance(e, trio.Cancelled) for e in leaves(exc))

"""The one base class for bad usage or bad input; the CLI maps it to exit code 2 in one place.

Each subsystem raises its own subclass (CatalogError, TargetError, IndexConfigError) with a
message naming what is wrong; ``advice`` is an optional second line saying what to do instead.
"""

from __future__ import annotations


class UsageError(Exception):
    """Bad usage or bad input: exit 2, with the message (and advice) on stderr, never a traceback."""

    advice: str = ""

    def __init__(self, message: str, advice: str = "") -> None:
        super().__init__(message)
        if advice:
            self.advice = advice

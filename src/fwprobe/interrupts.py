"""Ctrl-C held back while fwprobe loads modules, and taken once it has.

A KeyboardInterrupt that lands inside a module's import can surface as another error (a
RuntimeError from a dataclass field), or make CPython end by SIGINT instead of exit 130 (on
3.11 one raised inside ``exec()`` of a string, as dataclasses do, is flagged unhandled even
when caught). ``__main__`` holds it back while fwprobe loads (children may already run then,
fwprobe.early), ``core.scan`` while the rest of fwprobe loads beside its children.
Stdlib only, and little of it: ``__main__`` imports this before anything else.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold back Ctrl-C (SIGINT) for the block, then take it (a KeyboardInterrupt as usual)."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is None:
        yield  # only the main thread sets Python's signal handlers; None: a handler not from Python
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught:
            signal.raise_signal(signal.SIGINT)  # now handled as it would have been (KeyboardInterrupt)

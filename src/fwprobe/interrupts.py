"""Ctrl-C, SIGTERM and SIGHUP: each ends a run the same way, and none lands while fwprobe loads.

SIGTERM (a CI system's cancel, ``timeout``) and SIGHUP (a closed terminal or SSH session) kill
a Python process at once by default: no ``finally`` runs, so probe processes and the work dir
would stay. ``install`` turns them into ``Terminated``, a KeyboardInterrupt, so that the clean-up
written for Ctrl-C (process groups killed, escaped processes swept, work dir removed) runs for
them too; ``exit_status`` then gives 128 + the signal (143, 129), as a shell reports it. A second
signal while that clean-up runs ends fwprobe at once.

A KeyboardInterrupt that lands inside a module's import can surface as another error (a
RuntimeError from a dataclass field), or make CPython end by SIGINT instead of exit 130 (on
3.11 one raised inside ``exec()`` of a string, as dataclasses do, is flagged unhandled even
when caught). ``__main__`` holds signals back while fwprobe loads (children may already run
then, fwprobe.early), ``core.scan`` while the rest of fwprobe loads beside its children.
Stdlib only, and little of it: ``__main__`` imports this before anything else.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

# the signals that end a run; SIGHUP does not exist on Windows
ENDING = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
_received: list[int] = []  # the first SIGTERM/SIGHUP taken, if any


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where Ctrl-C's KeyboardInterrupt would be."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _terminate(signum: int, frame: FrameType | None) -> None:
    if _received:  # a second signal while the first one's clean-up runs: end now
        os._exit(128 + _received[0])
    _received.append(signum)
    raise Terminated(signum)


def install() -> None:
    """SIGTERM and SIGHUP raise ``Terminated`` from now on (main thread only; a handler someone
    else set, or an ignored signal, e.g. under ``nohup``, is left as it is)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in ENDING:
        if sig != signal.SIGINT and signal.getsignal(sig) == signal.SIG_DFL:
            signal.signal(sig, _terminate)


def terminated() -> bool:
    """Whether a SIGTERM or SIGHUP was taken."""
    return bool(_received)


def exit_status(default: int) -> int:
    """128 + the SIGTERM/SIGHUP that ended the run (143, 129), else ``default``."""
    return 128 + _received[0] if _received else default


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold back Ctrl-C, SIGTERM and SIGHUP for the block, then take the first one caught as
    its handler would have (a KeyboardInterrupt as usual, ``Terminated`` once installed)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread sets Python's signal handlers
        return
    caught: list[int] = []
    previous = {}
    for sig in ENDING:
        handler = signal.getsignal(sig)
        # None: a handler not set from Python; SIG_DFL/SIG_IGN: nothing of ours would run anyway
        if callable(handler):
            previous[sig] = signal.signal(sig, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if caught:
            signal.raise_signal(caught[0])  # now handled as it would have been

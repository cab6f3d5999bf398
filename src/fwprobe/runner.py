"""The one wrapper for every child process fwprobe starts.

Every child gets an explicit timeout, a clean environment (no PYTHONPATH/PYTHONHOME unless
asked, UTF-8 I/O), its own process group (so a timeout kills the whole tree), and output
redirected to a file so that a child printing megabytes can neither block on a full pipe nor
fill fwprobe's memory.

Each child has a waiter thread blocked in ``waitpid``: its exit is seen the moment it happens
(``Popen.wait(timeout)`` polls with sleeps of up to 50 ms, which added tens of milliseconds to
every probe), and ``wait_any`` sleeps until a child exits or a deadline passes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

OUTPUT_TAIL = 4000  # characters of a child's output kept for error messages
_EXITS = threading.Condition()  # notified by every waiter thread when its child exits


class RunnerError(Exception):
    """A child process could not be started at all (missing, not executable, not a program)."""


def child_env(extra: Mapping[str, str] | None = None, keep_pythonpath: bool = False) -> dict[str, str]:
    """os.environ for a child: UTF-8 I/O, no PYTHONPATH/PYTHONHOME unless kept."""
    env = dict(os.environ)
    if not keep_pythonpath:
        env.pop("PYTHONPATH", None)
        env.pop("PYTHONHOME", None)
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONUTF8"] = "1"
    if extra:
        env.update(extra)
    return env


@dataclass(frozen=True)
class Finished:
    """How a child ended: exactly one of exited (returncode), signalled or timed_out is the cause."""

    argv: tuple[str, ...]
    returncode: int | None  # None when timed out
    timed_out: bool
    seconds: float
    output_tail: str  # last OUTPUT_TAIL characters of stdout+stderr

    @property
    def signal(self) -> int | None:
        if self.returncode is not None and self.returncode < 0:
            return -self.returncode
        return None

    @property
    def signal_name(self) -> str | None:
        if self.signal is None:
            return None
        try:
            return signal.Signals(self.signal).name
        except ValueError:
            return f"signal {self.signal}"


def _tail(handle: IO[bytes]) -> str:
    handle.flush()
    size = handle.seek(0, os.SEEK_END)
    handle.seek(max(0, size - OUTPUT_TAIL * 4))
    return handle.read().decode("utf-8", "replace")[-OUTPUT_TAIL:]


class Child:
    """A started child process; ``poll()``/``finish()`` give a ``Finished``, never raise on exit."""

    def __init__(self, argv: Sequence[str], timeout: float, env: Mapping[str, str] | None = None,
                 cwd: str | Path | None = None) -> None:
        self.argv = tuple(argv)
        self.timeout = timeout
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the child; closed in _done
        self.started = time.monotonic()
        try:
            self._proc = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
                env=dict(env) if env is not None else child_env(), cwd=cwd,
                start_new_session=(os.name == "posix"),
            )
        except OSError as exc:
            self._log.close()
            raise RunnerError(f"cannot run {self.argv[0]}: {exc.strerror or exc}") from exc
        self.result: Finished | None = None
        self.exited = False
        threading.Thread(target=self._wait, name=f"wait-{self._proc.pid}", daemon=True).start()

    def _wait(self) -> None:
        self._proc.wait()  # blocks in waitpid until the child exits (or is killed)
        with _EXITS:
            self.exited = True
            _EXITS.notify_all()

    @property
    def deadline(self) -> float:
        return self.started + self.timeout

    def _kill(self) -> None:
        try:
            if os.name == "posix":
                os.killpg(self._proc.pid, signal.SIGKILL)
            else:  # pragma: no cover - Windows
                self._proc.kill()
        except (ProcessLookupError, PermissionError):
            pass

    def _done(self, timed_out: bool) -> Finished:
        if not timed_out:
            self._kill()  # the child's own children (same process group) end with it
        elapsed = time.monotonic() - self.started
        tail = _tail(self._log)
        self._log.close()
        self.result = Finished(self.argv, None if timed_out else self._proc.returncode, timed_out,
                               round(elapsed, 3), tail)
        return self.result

    def poll(self) -> Finished | None:
        """The result if the child has ended (or was just killed for its timeout), else None."""
        if self.result is not None:
            return self.result
        if self.exited:
            return self._done(False)
        if time.monotonic() >= self.deadline:
            self._kill()
            self._proc.wait()
            return self._done(True)
        return None

    def finish(self) -> Finished:
        """Wait for the child up to its deadline, killing it past that."""
        while (done := self.poll()) is None:
            wait_any([self])
        return done

    def cancel(self) -> None:
        """Kill the child (and its process group) unless it has ended already."""
        if self.result is None:
            self._kill()
            self._proc.wait()
            self._done(True)

    def __enter__(self) -> Child:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cancel()


def wait_any(children: Iterable[Child]) -> None:
    """Sleep until one of ``children`` has exited or reached its deadline (then ``poll()`` it)."""
    waiting = list(children)
    with _EXITS:
        while waiting and not any(c.exited for c in waiting):
            left = min(c.deadline for c in waiting) - time.monotonic()
            if left <= 0:
                return
            _EXITS.wait(left)


def run(argv: Sequence[str], timeout: float, env: Mapping[str, str] | None = None,
        cwd: str | Path | None = None) -> Finished:
    """Run a child to completion (or its timeout). Raises RunnerError only if it cannot start."""
    return Child(argv, timeout, env, cwd).finish()


"""Leave no process behind: every process a probe starts carries this run's token in its
environment, and ``sweep`` ends each one still alive, however it escaped (a fork holding
stdout, a daemon that called setsid).

On Linux fwprobe also becomes a child subreaper for the duration of a scan
(``prctl(PR_SET_CHILD_SUBREAPER)``), so orphans are reparented to fwprobe instead of init and
their exit is reaped here. Elsewhere, each probe's process group is still killed when the probe
ends (runner.Child), which covers every child that did not start a session of its own.
"""

from __future__ import annotations

import os
import signal
import sys
import time

TOKEN_VAR = "FWPROBE_RUN"
_PR_SET_CHILD_SUBREAPER = 36


def new_token() -> str:
    return os.urandom(8).hex()  # unguessable enough to mark our processes; `secrets` costs 5 ms to import


def set_subreaper(on: bool) -> bool:
    """Make this process a child subreaper (Linux); False where the platform has none."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_CHILD_SUBREAPER, 1 if on else 0, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _carriers(token: str) -> list[tuple[int, int]]:
    """(pid, ppid) of every process whose environment holds ``FWPROBE_RUN=token`` (Linux /proc)."""
    marker = f"{TOKEN_VAR}={token}".encode()
    found: list[tuple[int, int]] = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as handle:
                if marker not in handle.read().split(b"\0"):
                    continue
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue  # gone already, or not ours to read
        fields = stat.rsplit(b")", 1)[-1].split()
        if fields and fields[0] == b"Z":
            ppid = int(fields[1])
            if ppid == os.getpid():
                _reap(int(entry))
            continue
        found.append((int(entry), int(fields[1]) if len(fields) > 1 else 0))
    return found


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    except OSError:
        pass


def sweep(token: str, rounds: int = 20) -> int:
    """Kill every process carrying ``token``; returns how many were killed. Never raises."""
    killed = 0
    for _ in range(rounds):
        alive = _carriers(token)
        if not alive:
            break
        for pid, ppid in alive:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except OSError:
                continue
            if ppid == os.getpid():
                try:
                    os.waitpid(pid, 0)
                except OSError:
                    pass
        time.sleep(0.02)  # let reparenting and exits settle before looking again
    return killed

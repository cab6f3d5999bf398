"""The process plumbing a scan's start-up rests on: exits seen as they happen, children started
before the rest of fwprobe loads, Ctrl-C held back while it does."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

from fakes.frameworks import FAKE_TORCH_CPU, write_module
from fwprobe.core import ScanOptions, scan
from fwprobe.interrupts import interrupts_deferred
from fwprobe.runner import Child, wait_any


def test_wait_any_returns_when_the_first_child_exits() -> None:
    with Child([sys.executable, "-c", "import time; time.sleep(60)"], timeout=120) as slow, \
            Child([sys.executable, "-c", "pass"], timeout=120) as quick:
        wait_any([slow, quick])
        done = quick.poll()
        assert done is not None and done.returncode == 0 and not done.timed_out
        assert slow.poll() is None  # still running: wait_any woke for the quick one
    assert slow.result is not None and slow.result.timed_out  # the with block killed it


def test_a_child_past_its_deadline_is_killed_and_says_so() -> None:
    done = Child([sys.executable, "-c", "import time; time.sleep(60)"], timeout=0.5).finish()
    assert done.timed_out and done.returncode is None


def test_ctrl_c_is_held_back_during_the_block_and_taken_after_it() -> None:
    reached_end_of_block = False
    with pytest.raises(KeyboardInterrupt), interrupts_deferred():
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):  # bytecode boundaries at which a pending interrupt would surface
            pass
        reached_end_of_block = True
    assert reached_end_of_block


def test_outside_the_main_thread_ctrl_c_is_left_alone() -> None:
    """Python sets signal handlers only in the main thread (a Ray worker may scan in another)."""
    import threading

    outcome: list[str] = []

    def body() -> None:
        try:
            with interrupts_deferred():
                outcome.append("ran")
        except ValueError as exc:  # what signal.signal raises outside the main thread
            outcome.append(f"raised {exc}")

    worker = threading.Thread(target=body)
    worker.start()
    worker.join()
    assert outcome == ["ran"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_index_client_is_made_while_the_named_probe_runs(site: Path, fake_catalog, tmp_path: Path,
                                                             monkeypatch) -> None:
    """`-f torch`: the probe starts with the inventory, before the index client (and the rest of
    fwprobe) loads. The fake torch's import waits for a file that only the client factory writes."""
    gate = tmp_path / "gate"
    monkeypatch.setenv("FAKE_GATE", str(gate))
    waits = "import os as _o, time as _t\nwhile not _o.path.exists(_o.environ['FAKE_GATE']): _t.sleep(0.01)\n"
    write_module(site, "torch", waits + FAKE_TORCH_CPU, "torch", "2.5.1+cpu")
    seen: list[bool] = []

    def make_client() -> None:
        seen.append(_probe_child_alive("torch"))
        gate.touch()
        return None

    report = scan(fake_catalog, ScanOptions(python=sys.executable, frameworks=("torch",), keep_pythonpath=True,
                                            timeout=60), index=make_client)
    assert seen == [True]
    assert report.frameworks[0].probe is not None and report.frameworks[0].probe.outcome.value == "ok"


def _probe_child_alive(module: str) -> bool:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            status = (entry / "status").read_text()
        except OSError:
            continue
        if b"probe" in argv and module.encode() in argv and f"PPid:\t{os.getpid()}\n" in status:
            return True
    return False

"""SIGTERM (a CI cancel, `timeout`) and SIGHUP (a closed terminal) end a run as Ctrl-C does:
probes and whatever they started gone, the work dir removed, exit 128 + the signal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fakes.catalogs import FAKE_CATALOG
from fakes.frameworks import FAKE_TORCH_CPU, HANG, write_module
from fakes.terminal import alive

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

# forks a child that keeps the probe's process group and a grandchild that escapes with setsid,
# then hangs in its import; each writes its pid where the test finds it
FORKS_THEN_HANGS = FAKE_TORCH_CPU + r'''
import os as _os, time as _time
_pids = _os.environ["FAKE_PIDS"]
if _os.fork() == 0:
    open(_pids + "/child", "w").write(str(_os.getpid()))
    _time.sleep(600)
    _os._exit(0)
if _os.fork() == 0:
    _os.setsid()
    if _os.fork() == 0:
        open(_pids + "/daemon", "w").write(str(_os.getpid()))
        _time.sleep(600)
        _os._exit(0)
    _os._exit(0)
while True:
    _time.sleep(1)
'''


def _tagged(marker: str, probes_only: bool = False) -> list[int]:
    """Live processes whose environment carries ``marker`` (fwprobe and all it started)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (marker.encode() in (entry / "environ").read_bytes() and alive(int(entry.name))
                        and (not probes_only or b"\x00probe\x00" in (entry / "cmdline").read_bytes())):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _wait_for(condition, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds  # a bound against a hang, not a measurement
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.parametrize("signum, status", [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
@pytest.mark.parametrize("module", ["hang", "forks"])
def test_a_signal_ends_the_run_and_leaves_nothing(signum: int, status: int, module: str, tmp_path: Path,
                                                  site: Path) -> None:
    pids = tmp_path / "pids"
    pids.mkdir()
    private_tmp = tmp_path / "tmp"  # the work dir lands here: empty again after the run
    private_tmp.mkdir()
    write_module(site, "torch", HANG if module == "hang" else FORKS_THEN_HANGS, "torch", "2.5.1+cpu")
    catalog = tmp_path / "cat.toml"
    catalog.write_text(FAKE_CATALOG)
    marker = f"fwprobe-signal-{os.getpid()}-{signum}-{module}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "fwprobe", "scan", "--no-index", "--keep-pythonpath", "--catalog", str(catalog),
         "-f", "torch", "--timeout", "120", "--format", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "FWPROBE_TAG": marker, "TMPDIR": str(private_tmp), "FAKE_PIDS": str(pids)})
    try:
        wanted = (lambda: _tagged(marker, probes_only=True) != []) if module == "hang" else (
            lambda: (pids / "child").exists() and (pids / "daemon").exists())
        assert _wait_for(wanted), "the probe never started"
        time.sleep(1)  # well into the scan: fwprobe has loaded and waits on its probe
        proc.send_signal(signum)
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == status, err.decode()
    assert b"Traceback" not in err
    assert _wait_for(lambda: _tagged(marker) == [], 10), f"left running: {_tagged(marker)}"
    if module == "forks":
        for name in ("child", "daemon"):
            assert not alive(int((pids / name).read_text())), f"the {name} survived"
    assert list(private_tmp.iterdir()) == [], "the work dir stayed"


def test_a_second_signal_during_clean_up_ends_at_once() -> None:
    """The handler's second call leaves at once with the first signal's status (no clean-up)."""
    code = ("import os, signal, sys\n"
            "from fwprobe import interrupts\n"
            "interrupts.install()\n"
            "try:\n"
            "    os.kill(os.getpid(), signal.SIGTERM)\n"
            "    raise SystemExit('not interrupted')\n"
            "except interrupts.Terminated:\n"
            "    os.kill(os.getpid(), signal.SIGHUP)  # during the clean-up\n"
            "    raise SystemExit('the second signal did not end it')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 143, done.stderr


def test_signals_held_back_while_deferred_are_taken_after() -> None:
    code = ("import os, signal\n"
            "from fwprobe import interrupts\n"
            "interrupts.install()\n"
            "reached = False\n"
            "try:\n"
            "    with interrupts.interrupts_deferred():\n"
            "        os.kill(os.getpid(), signal.SIGHUP)\n"
            "        reached = True\n"
            "except interrupts.Terminated as exc:\n"
            "    assert reached and exc.signum == signal.SIGHUP\n"
            "    raise SystemExit(interrupts.exit_status(130))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 129, done.stderr


def test_an_ignored_signal_stays_ignored() -> None:
    """Under nohup SIGHUP is ignored: fwprobe keeps it so."""
    code = ("import signal\n"
            "signal.signal(signal.SIGHUP, signal.SIG_IGN)\n"
            "from fwprobe import interrupts\n"
            "interrupts.install()\n"
            "assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN\n"
            "assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr

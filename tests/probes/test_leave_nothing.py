"""A scan leaves the machine as it found it: no process a probe started survives fwprobe, no temp
file of a framework stays, nothing is written into the home directory."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import pytest

from fakes.frameworks import FAKE_TORCH_CPU, write_module
from fakes.terminal import alive
from fwprobe.catalog import load_catalog
from fwprobe.core import ScanOptions, scan

CATALOG = load_catalog()

# a framework that forks a child holding its stdout, and a grandchild that escapes with setsid;
# each writes its pid where the test can find it, then sleeps far longer than any test
FORKS = FAKE_TORCH_CPU + r'''
import os as _os, sys as _sys, time as _time
_pids = _os.environ["FAKE_PIDS"]
if _os.fork() == 0:  # a child holding stdout, in the probe's process group
    open(_pids + "/child", "w").write(str(_os.getpid()))
    _time.sleep(600)
    _os._exit(0)
if _os.fork() == 0:
    _os.setsid()  # escapes the process group
    if _os.fork() == 0:
        open(_pids + "/daemon", "w").write(str(_os.getpid()))
        _sys.stdout.flush()
        _time.sleep(600)
        _os._exit(0)
    _os._exit(0)
_time.sleep(0.3)
'''

# a framework that leaves files in the temp dir, as Theano does (theano_compilation_error_*)
LITTERS = FAKE_TORCH_CPU + r'''
import os as _os, tempfile as _tempfile
_d = _tempfile.mkdtemp(prefix="theano_compilation_error_")
open(_os.path.join(_d, "mod.cpp"), "w").write("int main;")
open(_os.environ["FAKE_PIDS"] + "/tmpdir", "w").write(_tempfile.gettempdir())
'''

# keras-shaped: creates $KERAS_HOME/keras.json (or ~/.keras/keras.json) on import when missing
KERAS_LIKE = r'''
import json as _json, os as _os
__version__ = "3.15.1"
_home = _os.environ.get("KERAS_HOME") or _os.path.join(_os.path.expanduser("~"), ".keras")
_path = _os.path.join(_home, "keras.json")
if not _os.path.exists(_path):
    _os.makedirs(_home, exist_ok=True)
    _json.dump({"backend": "tensorflow"}, open(_path, "w"))
class config:
    @staticmethod
    def backend(): return _json.load(open(_path))["backend"]
'''


def _scan(*frameworks: str, timeout: float = 20):
    return scan(CATALOG, ScanOptions(python=sys.executable, frameworks=frameworks, keep_pythonpath=True,
                                     timeout=timeout))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_forked_and_setsid_processes_do_not_outlive_the_scan(site: Path, tmp_path: Path, monkeypatch) -> None:
    pids = tmp_path / "pids"
    pids.mkdir()
    monkeypatch.setenv("FAKE_PIDS", str(pids))
    write_module(site, "torch", FORKS, "torch", "2.5.1+cpu")
    report = _scan("torch")
    assert report.frameworks[0].probe.outcome.value == "ok"
    for _ in range(50):  # the pid files are written by the escaped processes themselves
        if (pids / "child").exists() and (pids / "daemon").exists():
            break
        time.sleep(0.1)
    child, daemon = int((pids / "child").read_text()), int((pids / "daemon").read_text())
    assert not alive(child), "the forked child holding stdout survived"
    assert not alive(daemon), "the setsid daemon survived"


def test_temp_files_of_frameworks_go_with_the_private_work_dir(site: Path, tmp_path: Path, monkeypatch) -> None:
    pids = tmp_path / "pids"
    pids.mkdir()
    monkeypatch.setenv("FAKE_PIDS", str(pids))
    write_module(site, "torch", LITTERS, "torch", "2.5.1+cpu")
    before = set(Path(tempfile.gettempdir()).glob("theano_compilation_error_*"))
    _scan("torch")
    used = (pids / "tmpdir").read_text()
    assert used != tempfile.gettempdir() and not os.path.exists(used)
    assert set(Path(tempfile.gettempdir()).glob("theano_compilation_error_*")) == before


def test_keras_writes_no_keras_json_into_the_home(site: Path, tmp_path: Path, monkeypatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("KERAS_HOME", raising=False)
    write_module(site, "keras", KERAS_LIKE, "keras", "3.15.1")
    assert _scan("keras").frameworks[0].probe.details["keras_backend"] == "tensorflow"
    assert not (home / ".keras").exists()


def test_the_users_own_keras_json_still_decides_the_backend(site: Path, tmp_path: Path, monkeypatch) -> None:
    home = tmp_path / "home"
    (home / ".keras").mkdir(parents=True)
    (home / ".keras" / "keras.json").write_text('{"backend": "jax"}')
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("KERAS_HOME", raising=False)
    write_module(site, "keras", KERAS_LIKE, "keras", "3.15.1")
    p = _scan("keras").frameworks[0].probe
    assert p.details["keras_backend"] == "jax"
    assert str(home / ".keras" / "keras.json") in p.details["keras_backend_source"]["source"]


def test_the_agent_runs_as_a_file_and_survives_a_framework_that_breaks_json(site: Path) -> None:
    breaks = FAKE_TORCH_CPU + "\nimport json, builtins\njson.dump = None\nbuiltins.print = None\n"
    write_module(site, "torch", breaks, "torch", "2.5.1+cpu")
    p = _scan("torch").frameworks[0].probe
    assert p.outcome.value == "ok" and p.version == "2.5.1+cpu"


# theano-shaped: compiles into base_compiledir from THEANO_FLAGS, else ~/.theano (created on import)
THEANO_LIKE = r'''
import os as _os
__version__ = "1.0.5"
_flags = dict(f.split("=", 1) for f in _os.environ.get("THEANO_FLAGS", "").split(",") if "=" in f)
_base = _flags.get("base_compiledir") or _os.path.join(_os.path.expanduser("~"), ".theano")
_os.makedirs(_os.path.join(_base, "compiledir_Linux"), exist_ok=True)
class config:
    device = "cpu"
    floatX = "float64"
    cxx = "g++"
    mode = "Mode"
    compiledir = _os.path.join(_base, "compiledir_Linux")
'''


def test_theano_creates_no_compile_cache_in_the_home(site: Path, tmp_path: Path, monkeypatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("THEANO_FLAGS", "floatX=float32")
    write_module(site, "theano", THEANO_LIKE, "theano", "1.0.5")
    p = _scan("theano").frameworks[0].probe
    assert p.outcome.value == "ok" and not (home / ".theano").exists()
    (home / ".theano").mkdir()  # the user's own cache, once it exists, is the one used
    p = _scan("theano").frameworks[0].probe
    assert p.details["theano_config"]["compiledir"] == str(home / ".theano" / "compiledir_Linux")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_child_that_exits_takes_its_process_group_with_it(tmp_path: Path) -> None:
    from fwprobe.runner import run

    pid_file = tmp_path / "pid"
    # the child leaves a background sleep in its own process group and exits at once
    done = run(["/bin/sh", "-c", f"sleep 600 & echo $! > {pid_file}; exit 0"], timeout=20)
    assert done.returncode == 0 and not done.timed_out
    pid = int(pid_file.read_text())
    for _ in range(100):  # SIGKILL was sent to the group; give the kernel a moment to deliver it
        if not alive(pid):
            break
        time.sleep(0.05)
    assert not alive(pid)

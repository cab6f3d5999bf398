"""Which interpreter a scan targets without --python: the environment the user is in."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from fwprobe.target import TargetError, select_python


def _env(root: Path, name: str) -> Path:
    """A fake environment directory with an executable bin/python."""
    python = root / name / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("#!/bin/sh\n")
    python.chmod(python.stat().st_mode | stat.S_IEXEC)
    return root / name


def _bin_with(tmp_path: Path, *names: str) -> str:
    d = tmp_path / "pathbin"
    d.mkdir()
    for n in names:
        (d / n).write_text("#!/bin/sh\n")
        (d / n).chmod(0o755)
    return str(d)


def test_each_rule_in_order(tmp_path: Path) -> None:
    venv, conda, project = _env(tmp_path, "venv"), _env(tmp_path, "conda"), tmp_path / "project"
    _env(project, ".venv")
    deep = project / "src" / "pkg"
    deep.mkdir(parents=True)
    path = _bin_with(tmp_path, "python3", "python")
    env = {"VIRTUAL_ENV": str(venv), "CONDA_PREFIX": str(conda), "PATH": path}
    assert select_python(None, env, deep) == (str(venv / "bin" / "python"), f"active virtualenv (VIRTUAL_ENV={venv})")
    del env["VIRTUAL_ENV"]
    assert select_python(None, env, deep) == (str(conda / "bin" / "python"),
                                               f"active conda environment (CONDA_PREFIX={conda})")
    del env["CONDA_PREFIX"]
    assert select_python(None, env, deep) == (str(project / ".venv" / "bin" / "python"), f".venv found in {project}")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert select_python(None, env, elsewhere) == (os.path.join(path, "python3"), "python3 on PATH")
    os.remove(os.path.join(path, "python3"))
    assert select_python(None, env, elsewhere) == (os.path.join(path, "python"), "python on PATH")
    env["PATH"] = str(tmp_path / "empty")
    assert select_python(None, env, elsewhere)[0] == sys.executable


def test_a_stale_virtual_env_falls_through(tmp_path: Path) -> None:
    env = {"VIRTUAL_ENV": str(tmp_path / "deleted"), "PATH": _bin_with(tmp_path, "python3")}
    assert select_python(None, env, tmp_path)[1] == "python3 on PATH"


def test_explicit_choices(tmp_path: Path) -> None:
    assert select_python("self", {}) == (sys.executable, "--python self (fwprobe's own interpreter)")
    venv = _env(tmp_path, "v")
    assert select_python(str(venv), {"VIRTUAL_ENV": "/elsewhere"}) == (str(venv / "bin" / "python"), "--python")
    with pytest.raises(TargetError):
        select_python(str(tmp_path / "nope"), {})


@pytest.mark.skipif(os.name != "posix", reason="a deleted working directory is a POSIX case")
def test_a_deleted_working_directory_skips_the_venv_walk_with_a_note(tmp_path: Path) -> None:
    """The shell's cwd was removed (a build dir wiped under a terminal): no traceback."""
    import json
    import shlex
    import subprocess

    gone = tmp_path / "gone"
    gone.mkdir()
    cmd = (f"cd {shlex.quote(str(gone))} && rmdir {shlex.quote(str(gone))} && "
           f"{shlex.quote(sys.executable)} -m fwprobe scan --no-import --no-index --format json")
    done = subprocess.run(["/bin/sh", "-c", cmd], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    chosen = json.loads(done.stdout)["target"]["selected_by"]
    assert "the working directory no longer exists" in chosen

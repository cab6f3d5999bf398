"""Inventory from metadata only, in this and other interpreters."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fakes.frameworks import RAISES, write_dist, write_module
from fwprobe.inventory import read_inventory
from fwprobe.target import TargetError, Workdir, resolve_python


def test_two_distributions_of_one_framework_are_both_reported(site: Path, fake_catalog) -> None:
    write_dist(site, "tensorflow", "2.15.0")
    write_dist(site, "tensorflow_cpu", "2.15.0")  # the spelling of 2.21's metadata dir
    with Workdir() as w:
        inv = read_inventory(sys.executable, fake_catalog, w, keep_pythonpath=True)
    tf = fake_catalog.get("tensorflow")
    assert sorted(d.name for d in inv.installed(tf)) == ["tensorflow", "tensorflow_cpu"]
    assert all(d.location == str(site) for d in inv.installed(tf))


def test_inventory_never_imports_a_framework(site: Path, fake_catalog) -> None:
    write_module(site, "raisefw", RAISES + "open(__file__ + '.imported', 'w')\n", "raisefw", "1.0")
    with Workdir() as w:
        inv = read_inventory(sys.executable, fake_catalog, w, keep_pythonpath=True)
    assert [d.version for d in inv.of(("raisefw",))] == ["1.0"]
    assert not list(site.glob("raisefw/*.imported"))


def test_a_second_copy_later_on_sys_path_is_marked_shadowed(tmp_path: Path, monkeypatch, fake_catalog) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    write_dist(first, "torch", "2.5.0")
    write_dist(second, "torch", "2.1.0")
    monkeypatch.setenv("PYTHONPATH", f"{first}:{second}")
    with Workdir() as w:
        inv = read_inventory(sys.executable, fake_catalog, w, keep_pythonpath=True)
    dists = inv.of(("torch",))
    assert [(d.version, d.shadowed) for d in dists] == [("2.5.0", False), ("2.1.0", True)]
    assert [d.version for d in inv.of(("torch",)) if not d.shadowed] == ["2.5.0"]


def test_pythonpath_is_dropped_unless_kept(site: Path, fake_catalog) -> None:
    write_dist(site, "torch", "2.5.0")
    with Workdir() as w:
        assert read_inventory(sys.executable, fake_catalog, w).of(("torch",)) == ()


def test_python_option_accepts_an_environment_directory_or_a_relative_path(tmp_path: Path, monkeypatch,
                                                                          fake_catalog) -> None:
    env = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    write_dist(Path(next(env.glob("lib/python*/site-packages"))), "torch", "2.5.0")
    assert resolve_python(str(env)) == str(env / "bin" / "python")
    monkeypatch.chdir(tmp_path)
    python = resolve_python("venv/bin/python")
    assert python == str(env / "bin" / "python")
    with Workdir() as w:
        inv = read_inventory(python, fake_catalog, w)
    assert inv.interpreter.virtualenv and inv.interpreter.prefix == str(env)
    assert [d.version for d in inv.of(("torch",)) if not d.shadowed] == ["2.5.0"]


@pytest.mark.parametrize("bad", ["/nonexistent/python", "__surely_not_a_command__"])
def test_missing_interpreter_is_a_target_error(bad: str) -> None:
    with pytest.raises(TargetError, match="no such file"):
        resolve_python(bad)


def test_a_program_that_is_not_python_is_a_target_error(fake_catalog) -> None:
    with Workdir() as w, pytest.raises(TargetError, match="does not look like a Python"):
        read_inventory(shutil.which("true") or "/bin/true", fake_catalog, w)


def _pyenv(version_prefix: str) -> str | None:
    pyenv = shutil.which("pyenv")
    if not pyenv:
        return None
    out = subprocess.run([pyenv, "versions", "--bare"], capture_output=True, text=True).stdout.split()
    for v in out:
        if v.startswith(version_prefix):
            prefix = subprocess.run([pyenv, "prefix", v], capture_output=True, text=True).stdout.strip()
            exe = Path(prefix) / "bin" / "python"
            if exe.exists():
                return str(exe)
    return None


@pytest.mark.parametrize("version", ["3.6.", "3.7.", "2.7."])
def test_agent_runs_on_old_interpreters(version: str, site: Path, fake_catalog) -> None:
    python = _pyenv(version)
    if python is None:
        pytest.skip(f"no Python {version}x from pyenv")
    from fakes.frameworks import FAKE_TORCH_CUDA
    from fwprobe.probes.results import run_probes

    write_module(site, "torch", FAKE_TORCH_CUDA, "torch", "2.5.1")
    with Workdir() as w:
        inv = read_inventory(python, fake_catalog, w, keep_pythonpath=True)
        assert inv.interpreter.version.startswith(version)
        assert [d.version for d in inv.of(("torch",)) if not d.shadowed] == ["2.5.1"]
        r = run_probes(python, [fake_catalog.get("pytorch")], 30, w, keep_pythonpath=True)["pytorch"]
    assert r.outcome.value == "ok" and len(r.accelerators) == 2


def test_an_editable_install_with_its_egg_info_in_the_source_tree_is_one_installation(
        tmp_path: Path, fake_catalog) -> None:
    """A real `pip install -e` of a src-layout setuptools project: the build leaves
    src/raisefw.egg-info, and the editable .pth puts src/ on sys.path beside the dist-info."""
    project = tmp_path / "proj"
    (project / "src" / "raisefw").mkdir(parents=True)
    (project / "src" / "raisefw" / "__init__.py").write_text("x = 1\n")
    (project / "pyproject.toml").write_text('[build-system]\nrequires = ["setuptools>=64"]\n'
                                            'build-backend = "setuptools.build_meta"\n'
                                            '[project]\nname = "raisefw"\nversion = "1.0"\n')
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = str(venv / "bin" / "python")
    done = subprocess.run([python, "-m", "pip", "install", "-q", "-e", str(project)], capture_output=True,
                          text=True, timeout=300)
    if done.returncode != 0:
        pytest.skip(f"pip install -e failed here: {done.stderr[-300:]}")
    assert (project / "src" / "raisefw.egg-info").is_dir()  # the case itself: the build left it
    with Workdir() as w:
        inv = read_inventory(python, fake_catalog, w)
    dists = inv.of(("raisefw",))
    assert [(d.version, d.editable, d.shadowed) for d in dists] == [("1.0", True, False)]

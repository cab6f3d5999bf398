"""Run fwprobe's agent inside the target interpreter and read its answer from a result file."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from fwprobe.errors import UsageError
from fwprobe.runner import Child, Finished, RunnerError, child_env


class TargetError(UsageError):
    """The target interpreter cannot be used (missing, not Python, too old, broken)."""

    advice = "pass --python a Python 3.6+ executable or a virtualenv/conda environment directory"


AGENT_NAME = "fwprobe_agent.py"


@lru_cache(maxsize=1)
def agent_source() -> str:
    """The agent's source, written into the private work dir so fwprobe need not be installed
    in the target (and `ps` shows `python .../fwprobe_agent.py probe torch`)."""
    return (Path(__file__).parent / "probes" / "agent.py").read_text(encoding="utf-8")


def _env_python(prefix: str) -> str | None:
    for candidate in ("bin/python", "bin/python3", "Scripts/python.exe", "python.exe"):
        path = Path(prefix) / candidate
        if path.is_file() and os.access(path, os.X_OK):
            return str(path.absolute())
    return None


def select_python(python: str | None, environ: Mapping[str, str] | None = None,
                  cwd: Path | None = None) -> tuple[str, str]:
    """(interpreter, why it was chosen): ``--python``; else the environment the user is in:
    VIRTUAL_ENV, CONDA_PREFIX, a .venv in the cwd or a parent, python3 (or python) on PATH,
    then fwprobe's own interpreter. ``--python self`` is fwprobe's own.

    Raises TargetError when ``--python`` names nothing executable.
    """
    env = os.environ if environ is None else environ
    if python == "self":
        return sys.executable, "--python self (fwprobe's own interpreter)"
    if python:
        return resolve_python(python), "--python"
    if env.get("VIRTUAL_ENV") and (found := _env_python(env["VIRTUAL_ENV"])):
        return found, f"active virtualenv (VIRTUAL_ENV={env['VIRTUAL_ENV']})"
    if env.get("CONDA_PREFIX") and (found := _env_python(env["CONDA_PREFIX"])):
        return found, f"active conda environment (CONDA_PREFIX={env['CONDA_PREFIX']})"
    note = ""
    try:
        here: Path | None = (cwd or Path.cwd()).absolute()
    except OSError:  # the working directory was deleted under the shell
        here, note = None, " (the working directory no longer exists: no .venv looked for)"
    for folder in (here, *here.parents) if here is not None else ():
        if (folder / ".venv").is_dir() and (found := _env_python(str(folder / ".venv"))):
            return found, f".venv found in {folder}"
    for name in ("python3", "python"):
        on_path = shutil.which(name, path=env.get("PATH"))
        if on_path:
            return on_path, f"{name} on PATH{note}"
    return sys.executable, f"fwprobe's own interpreter (no active environment found){note}"


def resolve_python(python: str | None) -> str:
    """The target interpreter path: ``--python`` (a file, a venv/conda dir, or a command name).

    Raises TargetError when nothing executable is there.
    """
    if not python:
        return sys.executable
    # absolute, not resolved: the agent runs in a temp cwd, and a venv's python is a symlink
    # whose own path is what makes it the venv's interpreter
    path = Path(python).expanduser().absolute()
    if path.is_dir():
        for candidate in ("bin/python", "bin/python3", "Scripts/python.exe", "python.exe"):
            if (path / candidate).is_file():
                return str(path / candidate)
        raise TargetError(f"{python} is a directory with no bin/python in it; "
                          "pass the interpreter or a virtualenv/conda environment directory")
    if path.is_file():
        if not os.access(path, os.X_OK):
            raise TargetError(f"{python} is not executable")
        return str(path)
    found = shutil.which(python)
    if found:
        return found
    raise TargetError(f"{python}: no such file, directory or command")


class Workdir:
    """A private temporary cwd for agents, so nothing in the user's cwd shadows a module.

    It holds the agent file, the result files, and the probe children's temp dir (TMPDIR), and,
    where the user has none yet, KERAS_HOME and Theano's / PyTensor's compile dirs; everything in
    it goes with ``close()``.
    """

    def __init__(self) -> None:
        self.path = tempfile.mkdtemp(prefix="fwprobe-")
        self.tmp = os.path.join(self.path, "tmp")
        os.mkdir(self.tmp)
        self.agent = os.path.join(self.path, AGENT_NAME)
        with open(self.agent, "w", encoding="utf-8") as handle:
            handle.write(agent_source())

    def child_env(self, environ: Mapping[str, str]) -> dict[str, str]:
        """What the probe children get so they leave nothing behind: temp files in here, and
        KERAS_HOME in here when Keras would otherwise create ~/.keras/keras.json."""
        extra = {"TMPDIR": self.tmp, "TEMP": self.tmp, "TMP": self.tmp}
        home = Path(environ.get("HOME") or Path.home())
        if not environ.get("KERAS_HOME") and not (home / ".keras" / "keras.json").is_file():
            extra["KERAS_HOME"] = os.path.join(self.path, "keras")
        # Theano and PyTensor compile into ~/.theano, ~/.pytensor: a cache the user keeps when it
        # exists, never created by fwprobe when it does not
        for flags, cache in (("THEANO_FLAGS", ".theano"), ("PYTENSOR_FLAGS", ".pytensor")):
            current = environ.get(flags, "")
            if "compiledir" not in current and not (home / cache).exists():
                extra[flags] = ",".join(x for x in (current, f"base_compiledir={os.path.join(self.path, cache)}") if x)
        return extra

    def result_path(self, name: str) -> str:
        return os.path.join(self.path, f"{name}.json")

    def close(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self) -> Workdir:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def start_agent(python: str, args: list[str], timeout: float, workdir: Workdir,
                keep_pythonpath: bool = False, extra_env: dict[str, str] | None = None) -> Child:
    """Start the agent file in ``python``; raises RunnerError if the program cannot start at all."""
    # FWPROBE_PARENT_PID: the agent ends with fwprobe, even when fwprobe is killed (agent.py)
    extra = {**workdir.child_env(os.environ), **(extra_env or {}), "FWPROBE_PARENT_PID": str(os.getpid())}
    return Child([python, workdir.agent, *args], timeout,
                 env=child_env(extra, keep_pythonpath=keep_pythonpath), cwd=workdir.path)


def read_result(path: str) -> dict[str, Any] | None:
    """The agent's JSON answer, or None when it wrote none (or a torn one)."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def start_inventory(python: str, names: list[str], timeout: float, workdir: Workdir,
                    keep_pythonpath: bool = False, extra_env: dict[str, str] | None = None) -> Child:
    """Start the metadata scan of ``python``: interpreter facts and the installed distributions
    among ``names``; it never imports them. ``inventory_answer`` reads it.

    Raises TargetError when ``python`` cannot be run at all.
    """
    try:
        return start_agent(python, ["inventory", workdir.result_path("inventory"), ",".join(names)],
                           timeout, workdir, keep_pythonpath, extra_env)
    except RunnerError as exc:
        raise TargetError(f"{python} is not a runnable program: {exc}") from exc


def inventory_answer(python: str, child: Child, workdir: Workdir) -> dict[str, Any]:
    """Wait for the inventory child and return its answer.

    Raises TargetError when ``python`` is not a working Python interpreter.
    """
    done: Finished = child.finish()
    data = read_result(workdir.result_path("inventory"))
    if data is None:
        why = "timed out" if done.timed_out else f"exit status {done.returncode}"
        tail = done.output_tail.strip().splitlines()[-3:]
        detail = (": " + " | ".join(tail)) if tail else ""
        raise TargetError(f"{python} does not look like a Python 3.6+ interpreter "
                          f"({why}{detail})")
    return data

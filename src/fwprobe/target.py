"""Run fwprobe's agent inside the target interpreter and read its answer from a result file."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from fwprobe.errors import UsageError
from fwprobe.runner import Child, Finished, RunnerError, child_env


class TargetError(UsageError):
    """The target interpreter cannot be used (missing, not Python, too old, broken)."""

    advice = "pass --python a Python 3.6+ executable or a virtualenv/conda environment directory"


@lru_cache(maxsize=1)
def agent_source() -> str:
    """The agent's source, sent with ``python -c`` so fwprobe need not be installed there."""
    return (Path(__file__).parent / "probes" / "agent.py").read_text(encoding="utf-8")


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
    """A private temporary cwd for agents, so nothing in the user's cwd shadows a module."""

    def __init__(self) -> None:
        self.path = tempfile.mkdtemp(prefix="fwprobe-")

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
    """Start the agent in ``python``; raises RunnerError if the program cannot start at all."""
    return Child([python, "-c", agent_source(), *args], timeout,
                 env=child_env(extra_env, keep_pythonpath=keep_pythonpath), cwd=workdir.path)


def read_result(path: str) -> dict[str, Any] | None:
    """The agent's JSON answer, or None when it wrote none (or a torn one)."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def run_inventory(python: str, names: list[str], timeout: float, workdir: Workdir,
                  keep_pythonpath: bool = False) -> dict[str, Any]:
    """Interpreter facts and the installed distributions among ``names``; never imports them.

    Raises TargetError when ``python`` is not a working Python interpreter.
    """
    result = workdir.result_path("inventory")
    try:
        child = start_agent(python, ["inventory", result, ",".join(names)], timeout, workdir,
                            keep_pythonpath)
    except RunnerError as exc:
        raise TargetError(f"{python} is not a runnable program: {exc}") from exc
    done: Finished = child.finish()
    data = read_result(result)
    if data is None:
        why = "timed out" if done.timed_out else f"exit status {done.returncode}"
        tail = done.output_tail.strip().splitlines()[-3:]
        detail = (": " + " | ".join(tail)) if tail else ""
        raise TargetError(f"{python} does not look like a Python 3.6+ interpreter "
                          f"({why}{detail})")
    return data

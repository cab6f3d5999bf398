"""Probes: import each framework in its own subprocess of the target interpreter, in parallel.

The code that runs inside the target is ``agent.py`` (stdlib only, Python 2.7/3.6+). This module
starts one child per framework, enforces each one's timeout, and turns how it ended into a
``ProbeResult``: ok, failed (raised on import), crashed (signal or no answer), or timeout.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, Protocol

from fwprobe.catalog import Framework
from fwprobe.model import Build, Device, Exercise, Outcome, ProbeResult
from fwprobe.parsers import loaded_libraries
from fwprobe.runner import Child, Finished, RunnerError
from fwprobe.target import Workdir, read_result, start_agent

POLL_SECONDS = 0.02


class Progress(Protocol):
    """Observer for long work; the CLI gives a rich one, the library a silent one."""

    def start(self, total: int, label: str) -> None: ...
    def advance(self, item: str, detail: str) -> None: ...
    def stop(self) -> None: ...


class NoProgress:
    def start(self, total: int, label: str) -> None:
        pass

    def advance(self, item: str, detail: str) -> None:
        pass

    def stop(self) -> None:
        pass


# Probe children never take the GPU away from others; a user's own setting wins.
NO_PREALLOCATION = {"TF_FORCE_GPU_ALLOW_GROWTH": "true", "XLA_PYTHON_CLIENT_PREALLOCATE": "false"}


def probe_env(environ: dict[str, str]) -> dict[str, str]:
    """The variables fwprobe sets for its probe children: those of NO_PREALLOCATION unset here."""
    return {k: v for k, v in NO_PREALLOCATION.items() if k not in environ}


def run_probes(python: str, frameworks: Sequence[Framework], timeout: float, workdir: Workdir,
               progress: Progress | None = None, keep_pythonpath: bool = False,
               exercise: bool = False, extra_env: dict[str, str] | None = None) -> dict[str, ProbeResult]:
    """Probe every framework at once (and with ``exercise``, compute on each device it lists);
    returns a ProbeResult per framework id. Never raises for what a framework does (hang, crash,
    exception, noise)."""
    progress = progress or NoProgress()
    children: dict[str, tuple[Child, str]] = {}
    results: dict[str, ProbeResult] = {}
    for fw in frameworks:
        path = workdir.result_path(f"probe-{fw.id}")
        try:
            args = ["probe", fw.probe, fw.import_name, path] + (["exercise"] if exercise else [])
            child = start_agent(python, args, timeout, workdir, keep_pythonpath, extra_env)
        except RunnerError as exc:
            results[fw.id] = ProbeResult(Outcome.CRASHED, error_type="RunnerError",
                                         error_message=str(exc))
            continue
        children[fw.id] = (child, path)
    progress.start(len(children), "probing " + ", ".join(children))
    try:
        while children:
            for fw_id in list(children):
                child, path = children[fw_id]
                done = child.poll()
                if done is None:
                    continue
                del children[fw_id]
                results[fw_id] = interpret(done, read_result(path))
                progress.advance(fw_id, f"{results[fw_id].outcome.value} in {done.seconds:.1f} s")
            if children:
                time.sleep(POLL_SECONDS)
    finally:
        for child, _ in children.values():  # only on an interrupt: leave no orphan behind
            child.cancel()
        progress.stop()
    return {fw.id: results[fw.id] for fw in frameworks if fw.id in results}


def interpret(done: Finished, answer: dict[str, Any] | None) -> ProbeResult:
    """A ProbeResult from how the child ended and what (if anything) it wrote. Pure."""
    base: dict[str, Any] = {"seconds": done.seconds, "output_tail": done.output_tail or None}
    fields = _fields(answer) if answer else {}
    if answer is not None and answer.get("phase") == "exercise":
        # devices were listed; the exercise in flight hung or crashed: that device is unusable
        why = (f"no result within {done.seconds:.0f} s (the computation hung)" if done.timed_out
               else f"the process was {'killed by ' + str(done.signal_name) if done.signal else 'ended'} "
                    f"during this computation (exit status {done.returncode})")
        runs = list(fields["exercise"])
        if runs and runs[-1].seconds is None:
            last = runs[-1]
            runs[-1] = Exercise(last.kind, last.index, False, None, "Timeout" if done.timed_out else "Crashed", why)
        return ProbeResult(Outcome.OK, **{**base, **fields, "exercise": tuple(runs), "phase": "exercise"})
    if done.timed_out:
        phase = (answer or {}).get("phase", "import")
        where = "while importing" if phase == "import" else "after importing, while querying devices"
        return ProbeResult(Outcome.TIMEOUT, **{**base, **fields, "phase": phase,
                                               "error_message": f"no answer within {done.seconds:.0f} s ({where})"})
    if done.signal is not None:
        return ProbeResult(Outcome.CRASHED, signal=done.signal_name,
                           **{**base, **fields, "error_message": f"killed by {done.signal_name}"})
    if answer is None or answer.get("status") not in ("ok", "failed"):
        msg = f"exited with status {done.returncode} without finishing"
        return ProbeResult(Outcome.CRASHED, exit_code=done.returncode,
                           **{**base, **fields, "error_message": msg})
    if answer["status"] == "failed":
        return ProbeResult(Outcome.FAILED, exit_code=done.returncode, **{**base, **fields})
    return ProbeResult(Outcome.OK, **{**base, **fields, "output_tail": None})


# Keys of the agent's answer that ProbeResult holds in fields of its own; every other key a
# probe writes (keras_backend, theano_config, plugins, ...) is kept in ``details``.
_FIELD_KEYS = frozenset({"probe", "module", "phase", "status", "python", "notes", "import_seconds",
                         "version", "module_file", "error", "build", "devices", "execution", "exercise",
                         "mapped_libraries", "arch_list"})


def _fields(answer: dict[str, Any]) -> dict[str, Any]:
    build = answer.get("build") or {}
    error = answer.get("error") or {}
    devices = []
    for d in answer.get("devices") or []:
        if isinstance(d, dict):
            mem = d.get("memory_bytes")
            devices.append(Device(kind=str(d.get("kind", "?")), index=int(d.get("index") or 0),
                                  name=None if d.get("name") is None else str(d["name"]),
                                  memory_bytes=int(mem) if isinstance(mem, int) else None,
                                  capability=_str(d.get("capability"))))
    runs = []
    for e in answer.get("exercise") or []:
        if isinstance(e, dict):
            secs = e.get("seconds")
            runs.append(Exercise(kind=str(e.get("kind", "?")), index=int(e.get("index") or 0),
                                 passed=e.get("passed") is True,
                                 seconds=float(secs) if isinstance(secs, (int, float)) else None,
                                 error_type=_str(e.get("error_type")), error_message=_str(e.get("error_message"))))
    arch = answer.get("arch_list")
    return {
        "version": answer.get("version"),
        "module_file": answer.get("module_file"),
        "import_seconds": answer.get("import_seconds"),
        "phase": answer.get("phase"),
        "error_type": error.get("type"),
        "error_message": error.get("message"),
        "build": Build(cuda=_str(build.get("cuda")), cudnn=_str(build.get("cudnn")),
                       rocm=_str(build.get("rocm")), cpu_only=build.get("cpu_only")),
        "devices": tuple(devices),
        "exercise": tuple(runs),
        "libraries": loaded_libraries(answer.get("mapped_libraries") or ()),
        "arch_list": tuple(str(a) for a in arch) if isinstance(arch, list) else (),
        "execution": dict(answer.get("execution") or {}),
        "details": {k: v for k, v in answer.items() if k not in _FIELD_KEYS and v is not None},
        "notes": tuple(str(n) for n in answer.get("notes") or ()),
    }


def _str(value: Any) -> str | None:
    return None if value in (None, "") else str(value)

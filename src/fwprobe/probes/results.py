"""Probe outcomes as ``ProbeResult``s: ok, failed (raised on import), crashed (signal or no
answer), or timeout, from how each child ended (``probes.launch``) and what it wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from fwprobe.catalog import Framework
from fwprobe.model import Build, CompanionProbe, Device, Exercise, Outcome, ProbeResult
from fwprobe.parsers import loaded_libraries
from fwprobe.probes.launch import NoProgress, ProbeChildren, Progress, RawProbe
from fwprobe.runner import Finished
from fwprobe.target import Workdir


def collect(children: ProbeChildren, progress: Progress) -> dict[str, ProbeResult]:
    """Every started probe's result, reporting each to ``progress`` as it ends."""
    results: dict[str, ProbeResult] = {}
    progress.start(len(children.running) + len(children.unstarted), "probing " + ", ".join(children.running))
    try:
        for fw_id, raw in children.ended():
            results[fw_id] = probe_result(raw)
            seconds = raw.finished.seconds if raw.finished is not None else 0.0
            progress.advance(fw_id, f"{results[fw_id].outcome.value} in {seconds:.1f} s")
    finally:
        progress.stop()
    return results


def run_probes(python: str, frameworks: Sequence[Framework], timeout: float, workdir: Workdir,
               progress: Progress | None = None, keep_pythonpath: bool = False, exercise: bool = False,
               extra_env: dict[str, str] | None = None, evidence: bool = False) -> dict[str, ProbeResult]:
    """Probe every framework at once (with ``exercise``, compute on each device it lists; with
    ``evidence``, measure the claims that cost a computation); a ProbeResult per framework id.
    Never raises for what a framework does (hang, crash, exception, noise)."""
    with ProbeChildren(python, workdir, timeout, keep_pythonpath=keep_pythonpath, exercise=exercise,
                       evidence=evidence, extra_env=extra_env) as children:
        children.start(frameworks)
        results = collect(children, progress or NoProgress())
    return {fw.id: results[fw.id] for fw in frameworks if fw.id in results}


def probe_result(raw: RawProbe) -> ProbeResult:
    if raw.finished is None:
        return ProbeResult(Outcome.CRASHED, error_type="RunnerError", error_message=raw.start_error)
    return interpret(raw.finished, raw.answer)


def interpret(done: Finished, answer: dict[str, Any] | None) -> ProbeResult:
    """A ProbeResult from how the child ended and what (if anything) it wrote. Pure."""
    base: dict[str, Any] = {"seconds": done.seconds, "output_tail": done.output_tail or None}
    fields = _fields(answer) if answer else {}
    if answer is not None and answer.get("phase") == "companions":
        # the framework answered; the companion in flight hung or took the process with it
        why = (f"no answer within {done.seconds:.0f} s (the import or its operation hung)" if done.timed_out
               else f"the process was {'killed by ' + str(done.signal_name) if done.signal else 'ended'} "
                    f"while importing it (exit status {done.returncode})")
        companions = list(fields["companions"])
        if companions and companions[-1].seconds is None:
            last = companions[-1]
            companions[-1] = replace(last, outcome=Outcome.TIMEOUT if done.timed_out else Outcome.CRASHED,
                                     error_type="Timeout" if done.timed_out else "Crashed", error_message=why)
        return ProbeResult(Outcome.OK, **{**base, **fields, "companions": tuple(companions), "output_tail": None})
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
                         "mapped_libraries", "arch_list", "companions"})

_COMPANION_OUTCOMES = {"ok": Outcome.OK, "failed": Outcome.FAILED, "timeout": Outcome.TIMEOUT}


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
    companions = []
    for c in answer.get("companions") or []:
        if isinstance(c, dict) and c.get("distribution"):
            secs, err = c.get("seconds"), c.get("error") or {}
            companions.append(CompanionProbe(
                distribution=str(c["distribution"]), module=str(c.get("module") or ""),
                # "running": the answer was cut there (interpret() says how)
                outcome=_COMPANION_OUTCOMES.get(str(c.get("status")), Outcome.CRASHED),
                op=_str(c.get("op")), step=_str(c.get("step")), version=_str(c.get("version")),
                seconds=float(secs) if isinstance(secs, (int, float)) else None,
                error_type=_str(err.get("type")) if isinstance(err, dict) else None,
                error_message=_str(err.get("message")) if isinstance(err, dict) else None,
                output_tail=_str(c.get("output_tail"))))
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
        "companions": tuple(companions),
    }


def _str(value: Any) -> str | None:
    return None if value in (None, "") else str(value)

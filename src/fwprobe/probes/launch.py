"""Start the probe children of one scan and wait for them.

Stdlib and process plumbing only (no fwprobe data model): a scan starts its children first and
loads the rest of fwprobe while they import their frameworks (see ``fwprobe.core``). What a
child wrote and how it ended come back raw, as a ``RawProbe``; ``probes.results`` turns that
into a ``ProbeResult``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from fwprobe.runner import Child, Finished, RunnerError, wait_any
from fwprobe.target import Workdir, read_result, start_agent

if TYPE_CHECKING:
    from fwprobe.catalog import Framework


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


def companion_args(fw: Framework) -> list[str]:
    """The agent's ``companion=DIST:MODULE:OP`` arguments: each companion it imports after the
    framework (those not installed are skipped there, by module)."""
    return [f"companion={c.distribution}:{c.module}:{c.op}" for c in fw.companion_checks]


@dataclass(frozen=True)
class RawProbe:
    """How one probe child ended and what it wrote (``answer``), or why it never started."""

    finished: Finished | None
    answer: dict[str, Any] | None
    start_error: str | None = None


class ProbeChildren:
    """One agent child per framework, each started the moment the framework is known to be
    wanted; ``ended()`` yields each one as it ends. Leaving the ``with`` block kills whatever
    still runs (on an interrupt)."""

    def __init__(self, python: str, workdir: Workdir, timeout: float, *, keep_pythonpath: bool = False,
                 exercise: bool = False, evidence: bool = False,
                 extra_env: dict[str, str] | None = None) -> None:
        self.python, self.workdir, self.timeout = python, workdir, timeout
        self.keep_pythonpath = keep_pythonpath
        self.flags = ["exercise"] * exercise + ["evidence"] * evidence
        self.extra_env = extra_env
        self.running: dict[str, tuple[Child, str]] = {}  # framework id -> (child, result path)
        self.unstarted: dict[str, RawProbe] = {}  # framework id -> why its child could not start

    def start(self, frameworks: Iterable[Framework]) -> None:
        """Start a probe for each framework not started yet."""
        for fw in frameworks:
            if fw.id in self.running or fw.id in self.unstarted:
                continue
            path = self.workdir.result_path(f"probe-{fw.id}")
            try:
                child = start_agent(self.python, ["probe", fw.probe, fw.import_name, path, *self.flags,
                                                  f"timeout={self.timeout:g}", *companion_args(fw)],
                                    self.timeout, self.workdir, self.keep_pythonpath, self.extra_env)
            except RunnerError as exc:
                self.unstarted[fw.id] = RawProbe(None, None, str(exc))
                continue
            self.running[fw.id] = (child, path)

    def drop(self, fw_ids: Iterable[str]) -> None:
        """Stop and forget these probes (their framework turned out not to be installed)."""
        for fw_id in fw_ids:
            if fw_id in self.running:
                self.running.pop(fw_id)[0].cancel()
            self.unstarted.pop(fw_id, None)

    def ended(self) -> Iterator[tuple[str, RawProbe]]:
        """(framework id, outcome) for every probe, each as soon as its child ends (or is killed
        at its timeout)."""
        while self.unstarted:
            yield self.unstarted.popitem()
        while self.running:
            wait_any(child for child, _ in self.running.values())
            for fw_id, (child, path) in list(self.running.items()):
                finished = child.poll()
                if finished is not None:
                    del self.running[fw_id]
                    yield fw_id, RawProbe(finished, read_result(path))

    def cancel(self) -> None:
        for child, _ in self.running.values():
            child.cancel()
        self.running.clear()

    def __enter__(self) -> ProbeChildren:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cancel()

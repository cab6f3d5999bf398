"""What decides a scan's children, and the children themselves: the ground floor under
``early`` (which starts them before the CLI loads), ``core`` (the pipeline) and ``assemble``.

Imports only what starting the children needs (catalog, target, runner, probes/launch), so the
path to the first probe stays short (bench/bench_scan.py).
"""

from __future__ import annotations

import os
import time
from contextlib import ExitStack
from dataclasses import dataclass

from fwprobe import reaper
from fwprobe.catalog import Catalog, Framework
from fwprobe.options import DEFAULT_TIMEOUT
from fwprobe.probes.launch import ProbeChildren, probe_env
from fwprobe.target import Workdir, select_python, start_inventory


@dataclass(frozen=True)
class ScanOptions:
    python: str | None = None
    frameworks: tuple[str, ...] = ()
    do_import: bool = True
    timeout: float = DEFAULT_TIMEOUT
    keep_pythonpath: bool = False
    exercise: bool = False  # compute on every device each framework lists
    evidence: bool = False  # also measure the claims that cost a computation (status --python)


@dataclass(frozen=True)
class Plan:
    """Everything that decides a scan's children: two equal plans start the same children."""

    options: ScanOptions
    python: str
    selected_by: str
    inventory_names: tuple[str, ...]
    chosen: tuple[Framework, ...]
    env_set: tuple[tuple[str, str], ...]  # set for the probe children by fwprobe; in the report

    @property
    def first(self) -> tuple[Framework, ...]:
        """Probes started with the inventory: those of the frameworks named with -f."""
        return self.chosen if self.options.do_import and self.options.frameworks else ()


def make_plan(catalog: Catalog, options: ScanOptions) -> Plan:
    """Raises TargetError (bad --python) and CatalogError (unknown --framework)."""
    chosen = catalog.select(list(options.frameworks))
    python, selected_by = select_python(options.python)
    env_set = probe_env(dict(os.environ)) if options.do_import else {}  # never overriding the user's own
    return Plan(options, python, selected_by, tuple(catalog.inventory_names()), chosen,
                tuple(sorted(env_set.items())))


class Children:
    """A scan's children, started at once (the inventory, and the probes of ``plan.first``), and
    everything they may leave behind: ``close()`` kills them, removes the work dir and ends any
    process a probe started (the reaper token; on Linux fwprobe is their subreaper meanwhile).
    """

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.started = time.monotonic()  # the scan's duration counts from here (options.scan_seconds)
        self._stack = ExitStack()
        try:
            token = reaper.new_token()
            subreaper = reaper.set_subreaper(True)
            self._stack.callback(_release, token, subreaper)  # last out: after the kills below
            env = {**dict(plan.env_set), reaper.TOKEN_VAR: token}
            opts = plan.options
            self.workdir = self._stack.enter_context(Workdir())
            self.probes = self._stack.enter_context(
                ProbeChildren(plan.python, self.workdir, opts.timeout, keep_pythonpath=opts.keep_pythonpath,
                              exercise=opts.exercise, evidence=opts.evidence, extra_env=env))
            # named: no need to wait for the inventory to say they exist; the longest work starts first
            self.probes.start(plan.first)
            self.inventory = self._stack.enter_context(
                start_inventory(plan.python, list(plan.inventory_names), opts.timeout, self.workdir,
                                opts.keep_pythonpath, env))
        except BaseException:
            self._stack.close()
            raise

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> Children:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _release(token: str, subreaper: bool) -> None:
    reaper.sweep(token)  # whatever a probe started and left running ends here
    if subreaper:
        reaper.set_subreaper(False)



def status_names(frameworks: tuple[Framework, ...]) -> list[str]:
    """Distributions `status` asks the index about: each framework's canonical one, its forks and
    the ecosystem distributions its claims name (Framework.index_names)."""
    names: list[str] = []
    for fw in frameworks:
        names += fw.index_names  # canonical, forks, and what its index-status claims name
    return list(dict.fromkeys(names))

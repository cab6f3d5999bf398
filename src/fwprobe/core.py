"""The pipeline, with no knowledge of the CLI: catalog + target interpreter (+ index) -> Report.

A scan starts its children first (``Children``): the inventory and, for frameworks named with
``-f``, the probes, at once. Only then does it import the rest of fwprobe (the data model, the
assessment, host and system facts): this module's own imports are just what starting the
children needs, so loading the rest (~70 ms) overlaps the frameworks' imports
(bench/bench_scan.py). `fwprobe scan` starts them even sooner, before the CLI loads
(``fwprobe.early``); ``scan`` adopts those when their ``Plan`` is its own.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from contextlib import ExitStack
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable

from fwprobe import __version__, reaper
from fwprobe.catalog import Catalog, Framework
from fwprobe.clock import now_utc
from fwprobe.interrupts import interrupts_deferred
from fwprobe.probes.launch import NoProgress, ProbeChildren, Progress, probe_env
from fwprobe.target import Workdir, select_python, start_inventory

if TYPE_CHECKING:
    from fwprobe.index import IndexClient
    from fwprobe.model import Report

DEFAULT_TIMEOUT = 90.0  # TensorFlow's first import on a cold disk can take tens of seconds


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


def scan(catalog: Catalog, options: ScanOptions,
         index: IndexClient | Callable[[], IndexClient | None] | None = None,
         progress: Progress | None = None, today: dt.datetime | None = None,
         early: Children | None = None) -> Report:
    """Build a Report for the target interpreter. ``index`` may be a function that makes the
    client: it is called once the children run (a client loads requests and fwprobe's model).
    ``early``: children started before the options were parsed (``fwprobe.early``): used when
    started for this same plan, killed otherwise (their owner closes them in any case).

    Raises TargetError (bad --python) and CatalogError (unknown --framework); everything a
    framework, the machine or the index does wrong is data in the report.
    """
    plan = make_plan(catalog, options)
    if early is not None and early.plan != plan:
        early.close()
        early = None
    with early or Children(plan) as children:
        with interrupts_deferred():  # the rest of fwprobe loads now, while they run
            from fwprobe.assemble import assemble

            index = index() if callable(index) else index

        report = assemble(catalog, plan.chosen, options, plan.python, plan.selected_by, index,
                          progress or NoProgress(), today or now_utc(), children.workdir, children.inventory,
                          children.probes, dict(plan.env_set))
        return replace(report, options={**report.options,
                                        "scan_seconds": round(time.monotonic() - children.started, 3)})


def status_names(frameworks: tuple[Framework, ...]) -> list[str]:
    """Distributions `status` asks the index about: each framework's canonical one and its forks."""
    names: list[str] = []
    for fw in frameworks:
        names += [fw.distributions[0], *fw.forks]
    return list(dict.fromkeys(names))


def status_report(catalog: Catalog, index: IndexClient, frameworks: list[str] | None = None,
                  progress: Progress | None = None, today: dt.datetime | None = None,
                  pythons: tuple[str, ...] = (), probe_timeout: float = DEFAULT_TIMEOUT) -> Report:
    """The catalog's frameworks against the index, each claim judged; with ``pythons``, also on
    probe evidence from the frameworks installed in those interpreters.

    Raises CatalogError for an unknown framework name and TargetError for a bad interpreter;
    index failures are ``unknown`` statuses and ``unverified`` claims.
    """
    from concurrent.futures import ThreadPoolExecutor

    from fwprobe import assess
    from fwprobe.assess.claims import ProbeEvidence, judge_claims
    from fwprobe.model import FrameworkResult, Report

    progress = progress or NoProgress()
    chosen = catalog.select(frameworks)
    when = today or now_utc()
    names = status_names(chosen)
    evidence: dict[str, list[ProbeEvidence]] = {fw.id: [] for fw in chosen}
    with ThreadPoolExecutor(max_workers=1) as pool:
        releases_f = pool.submit(index.fetch_many, names, True)
        for python in pythons:  # the probes run while the index answers
            scanned = scan(catalog, ScanOptions(python=python, frameworks=tuple(frameworks or ()),
                                                timeout=probe_timeout, evidence=True), progress=progress, today=when)
            for r in scanned.frameworks:
                if r.probe is not None and r.installed and scanned.target is not None:
                    dist = r.active_distribution
                    evidence[r.id].append(ProbeEvidence(r.probe, dist.version if dist else None,
                                                        scanned.target.executable))
        progress.start(len(names), f"asking {index.display_url}")
        try:
            releases = releases_f.result()
        finally:
            progress.stop()
    day = when.date().isoformat()
    results = tuple(
        replace(assess.with_status(FrameworkResult(id=fw.id, name=fw.name, claim=fw.claim,
                                                   claimed_status=fw.claimed_status, installed=False),
                                   fw, catalog, releases, when),
                claims=judge_claims(fw, releases, evidence[fw.id], day))
        for fw in chosen)
    report = Report(generated_at=when.isoformat(timespec="seconds"), fwprobe_version=__version__,
                    target=None, system=None, frameworks=results, index_url=index.display_url,
                    options={"frameworks": [fw.id for fw in chosen], "offline": index.offline,
                             "pythons": list(pythons)})
    return replace(report, diagnoses=assess.diagnose(report, catalog))

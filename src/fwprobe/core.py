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
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Callable

from fwprobe import __version__
from fwprobe.catalog import Catalog
from fwprobe.clock import now_utc
from fwprobe.interrupts import interrupts_deferred
from fwprobe.options import DEFAULT_TIMEOUT
from fwprobe.plan import Children, Plan, ScanOptions, make_plan, status_names
from fwprobe.probes.launch import NoProgress, Progress

if TYPE_CHECKING:
    from fwprobe.index import ReleaseSource
    from fwprobe.model import Report

# the pipeline's vocabulary, for callers of the library (``from fwprobe.core import ScanOptions, scan``)
__all__ = ["DEFAULT_TIMEOUT", "Children", "Plan", "ScanOptions", "make_plan", "scan", "status_names",
           "status_report"]


def scan(catalog: Catalog, options: ScanOptions,
         index: ReleaseSource | Callable[[], ReleaseSource | None] | None = None,
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

        report = assemble(catalog, plan, children, index, progress or NoProgress(), today or now_utc())
        return replace(report, options={**report.options,
                                        "scan_seconds": round(time.monotonic() - children.started, 3)})


def status_report(catalog: Catalog, index: ReleaseSource, frameworks: list[str] | None = None,
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

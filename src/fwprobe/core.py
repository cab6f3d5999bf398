"""The pipeline, with no knowledge of the CLI: catalog + target interpreter (+ index) -> Report."""

from __future__ import annotations

import datetime as dt
import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from fwprobe import __version__, reaper
from fwprobe.catalog import Catalog, Framework, normalize
from fwprobe.clock import now_utc
from fwprobe.host import read_host
from fwprobe.inventory import Inventory, read_inventory
from fwprobe.model import DistRelease, FrameworkResult, Outcome, ProbeResult, Report, System
from fwprobe.probes import NoProgress, Progress, probe_env, run_probes
from fwprobe.system import read_system
from fwprobe.target import Workdir, select_python

if TYPE_CHECKING:
    from fwprobe.index import IndexClient

DEFAULT_TIMEOUT = 90.0  # TensorFlow's first import on a cold disk can take tens of seconds


@dataclass(frozen=True)
class ScanOptions:
    python: str | None = None
    frameworks: tuple[str, ...] = ()
    do_import: bool = True
    timeout: float = DEFAULT_TIMEOUT
    keep_pythonpath: bool = False
    exercise: bool = False  # compute on every device each framework lists


def scan(catalog: Catalog, options: ScanOptions, index: IndexClient | None = None,
         progress: Progress | None = None, today: dt.datetime | None = None) -> Report:
    """Build a Report for the target interpreter.

    Raises TargetError (bad --python) and CatalogError (unknown --framework); everything a
    framework, the machine or the index does wrong is data in the report.
    """
    from fwprobe import assess

    progress = progress or NoProgress()
    chosen = catalog.select(list(options.frameworks))
    python, selected_by = select_python(options.python)
    when = today or now_utc()
    token = reaper.new_token()
    # set for the probe children by fwprobe (never overriding the user's own); in the report
    env_set = probe_env(dict(os.environ)) if options.do_import else {}
    subreaper = reaper.set_subreaper(True)
    try:
        with Workdir() as workdir, ThreadPoolExecutor(max_workers=2) as pool:
            inv, probes, system, releases = _gather(catalog, chosen, options, python, index, progress,
                                                    workdir, pool, {**env_set, reaper.TOKEN_VAR: token})
    finally:
        reaper.sweep(token)  # whatever a probe started and left running ends here
        if subreaper:
            reaper.set_subreaper(False)
    results = tuple(_framework_result(fw, inv, probes.get(fw.id), options.do_import)
                    for fw in chosen)
    if index is not None:
        results = tuple(assess.with_status(r, fw, catalog, releases, when)
                        for r, fw in zip(results, chosen))
    report = Report(
        generated_at=when.isoformat(timespec="seconds"),
        fwprobe_version=__version__,
        target=replace(inv.interpreter, selected_by=selected_by),
        system=system,
        frameworks=results,
        host=read_host(),
        index_url=index.display_url if index is not None else None,
        options={"python": python, "import": options.do_import, "timeout": options.timeout,
                 "exercise": options.exercise, "frameworks": [fw.id for fw in chosen],
                 "probe_env": env_set},
    )
    return replace(report, diagnoses=assess.diagnose(report, catalog, inv))


def _gather(catalog: Catalog, chosen: tuple[Framework, ...], options: ScanOptions, python: str,
            index: IndexClient | None, progress: Progress, workdir: Workdir, pool: ThreadPoolExecutor,
            child_env: dict[str, str]) -> tuple[Inventory, dict[str, ProbeResult], System, dict[str, DistRelease]]:
    """Inventory, probes, system facts and index answers, the slow parts side by side."""
    system_f: Future[System] = pool.submit(read_system)
    inv = read_inventory(python, catalog, workdir, timeout=options.timeout,
                         keep_pythonpath=options.keep_pythonpath)
    installed = [fw for fw in chosen if inv.installed(fw)]
    index_f: Future[dict[str, DistRelease]] | None = None
    if index is not None:
        names = _index_names(chosen, inv)
        index_f = pool.submit(index.fetch_many, names)
    probes: dict[str, ProbeResult] = {}
    if options.do_import and installed:
        probes = run_probes(python, installed, options.timeout, workdir, progress,
                            options.keep_pythonpath, options.exercise, child_env)
    system = system_f.result()
    releases = index_f.result() if index_f is not None else {}
    return inv, probes, system, releases


def _index_names(chosen: tuple[Framework, ...], inv: Inventory) -> list[str]:
    """What `status` asks for, plus the spellings installed here (tensorflow-cpu...)."""
    names = status_names(chosen)
    for fw in chosen:
        names += [normalize(d.name) for d in inv.installed(fw)]
    return list(dict.fromkeys(names))


def _framework_result(fw: Framework, inv: Inventory, probe: ProbeResult | None,
                      do_import: bool) -> FrameworkResult:
    dists = inv.installed(fw)
    if probe is None and dists:
        probe = ProbeResult(Outcome.SKIPPED, error_message="--no-import" if not do_import else None)
    return FrameworkResult(
        id=fw.id, name=fw.name, claim=fw.claim, claimed_status=fw.claimed_status,
        installed=bool(dists), distributions=dists, companions=inv.of(fw.companions), probe=probe,
    )


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
    from fwprobe import assess
    from fwprobe.assess.claims import ProbeEvidence, judge_claims

    progress = progress or NoProgress()
    chosen = catalog.select(frameworks)
    when = today or now_utc()
    names = status_names(chosen)
    evidence: dict[str, list[ProbeEvidence]] = {fw.id: [] for fw in chosen}
    with ThreadPoolExecutor(max_workers=1) as pool:
        releases_f = pool.submit(index.fetch_many, names, True)
        for python in pythons:  # the probes run while the index answers
            scanned = scan(catalog, ScanOptions(python=python, frameworks=tuple(fw.id for fw in chosen),
                                                timeout=probe_timeout), progress=progress, today=when)
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

"""The second half of a scan: its children (started by ``core.scan``) answer -> a Report.

``core`` imports this module only once the children run, so loading it, the data model and the
assessment overlaps the frameworks' own imports.
"""

from __future__ import annotations

import datetime as dt
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING

from fwprobe import __version__, assess
from fwprobe.catalog import Catalog, Framework, normalize
from fwprobe.host import read_host
from fwprobe.inventory import Inventory, on_pythonpath, parse_inventory
from fwprobe.model import FrameworkResult, Outcome, ProbeResult, Report
from fwprobe.plan import Children, Plan, ScanOptions
from fwprobe.probes.launch import Progress
from fwprobe.probes.results import collect
from fwprobe.system import read_system
from fwprobe.target import inventory_answer

if TYPE_CHECKING:
    from fwprobe.index import ReleaseSource


def assemble(catalog: Catalog, plan: Plan, children: Children, index: ReleaseSource | None, progress: Progress,
             when: dt.datetime) -> Report:
    """The inventory's answer decides which probes run (those not started yet start now; those
    of frameworks not installed are dropped); system facts and index answers come side by side
    with the probes; then the report and its diagnoses."""
    chosen, options, python, probes = plan.chosen, plan.options, plan.python, children.probes
    with ThreadPoolExecutor(max_workers=2) as pool:
        system_f = pool.submit(read_system)
        inv = parse_inventory(inventory_answer(python, children.inventory, children.workdir))
        installed = [fw for fw in chosen if inv.installed(fw)]
        probes.drop(fw.id for fw in chosen if fw not in installed)
        releases_f = pool.submit(index.fetch_many, _index_names(chosen, inv)) if index is not None else None
        if options.do_import:
            probes.start(installed)
        probed = collect(probes, progress)
        system = system_f.result()
        releases = releases_f.result() if releases_f is not None else {}
    results = tuple(_framework_result(fw, inv, probed.get(fw.id), options) for fw in chosen)
    if index is not None:
        results = tuple(assess.with_status(r, fw, catalog, releases, when) for r, fw in zip(results, chosen))
    report = Report(
        generated_at=when.isoformat(timespec="seconds"),
        fwprobe_version=__version__,
        target=replace(inv.interpreter, selected_by=plan.selected_by),
        system=system,
        frameworks=results,
        host=read_host(),
        index_url=index.display_url if index is not None else None,
        options={"python": python, "import": options.do_import, "timeout": options.timeout,
                 "exercise": options.exercise, "frameworks": [fw.id for fw in chosen],
                 "probe_env": dict(plan.env_set)},
    )
    return replace(report, diagnoses=assess.diagnose(report, catalog, inv))


def _index_names(chosen: tuple[Framework, ...], inv: Inventory) -> list[str]:
    """What a scan's status needs: each framework's canonical distribution and its forks, plus
    the spellings installed here (tensorflow-cpu...). Not the distributions only the catalog's
    ecosystem claims name (torchtext...): a scan judges no claim, `status` asks for those."""
    names: list[str] = []
    for fw in chosen:
        names += [fw.distributions[0], *fw.forks, *(normalize(d.name) for d in inv.installed(fw))]
    return list(dict.fromkeys(names))


def _framework_result(fw: Framework, inv: Inventory, probe: ProbeResult | None,
                      options: ScanOptions) -> FrameworkResult:
    dists = inv.installed(fw)
    if probe is None and dists:
        probe = ProbeResult(Outcome.SKIPPED, error_message="--no-import" if not options.do_import else None)
    # what the user's shell imports through PYTHONPATH, which the target was scanned without
    hidden = on_pythonpath(fw, os.environ) if not dists and not options.keep_pythonpath else None
    return FrameworkResult(
        id=fw.id, name=fw.name, claim=fw.claim, claimed_status=fw.claimed_status,
        installed=bool(dists), distributions=dists, companions=inv.of(fw.companions), probe=probe,
        pythonpath=hidden,
    )

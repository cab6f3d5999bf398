"""Rules about what is installed: duplicate distributions, yanked releases, dead projects."""

from __future__ import annotations

from collections.abc import Iterator

from fwprobe.assess.diagnoses.registry import Context, Finding, Subject, rule
from fwprobe.catalog import normalize
from fwprobe.model import Severity, Status


@rule("conflicting-distributions", Severity.ERROR)
def conflicting_distributions(ctx: Context, s: Subject) -> Iterator[Finding]:
    """One framework installed from two distributions at once (tensorflow + tensorflow-cpu):
    they write the same files, so what imports is whichever was installed last."""
    distinct = sorted({normalize(d.name) for d in s.live})
    if len(distinct) > 1:
        listed = " + ".join(f"{d.name} {d.version}" for d in s.live)
        yield Finding(f"{s.fw.name} is installed from {len(distinct)} distributions at once ({listed}); "
                      "they write the same files, so what imports is whichever was installed last",
                      f"pip uninstall -y {' '.join(distinct)} && pip install {distinct[0]} (keep exactly one)")


@rule("yanked-installed", Severity.WARNING)
def yanked_installed(ctx: Context, s: Subject) -> Iterator[Finding]:
    """The installed release is yanked on the package index (with the index's reason)."""
    if s.result.status is None:
        return
    for dist in s.live:
        if dist.yanked:
            yield Finding(f"{dist.name} {dist.version} is yanked on the index"
                          + (f": {dist.yanked_reason}" if dist.yanked_reason else ""),
                          f"pip install --upgrade '{dist.name}!={dist.version}'")


@rule("unmaintained-installed", Severity.WARNING)
def unmaintained_installed(ctx: Context, s: Subject) -> Iterator[Finding]:
    """An installed framework whose project is unmaintained, archived or deprecated on the index;
    the hint names an active fork when the catalog lists one."""
    status = s.result.status
    if status is None or status.observed not in (Status.UNMAINTAINED, Status.ARCHIVED, Status.DEPRECATED):
        return
    active = s.result.active_distribution
    fork = next((f for f in status.forks if f.status is Status.ACTIVE), None)
    yield Finding(f"{s.fw.name} {active.version if active else ''} is installed, but the project is "
                  f"{status.observed.value}: {status.headline}",
                  "plan a move to a maintained alternative"
                  + (f" such as {fork.distribution} (pip install {fork.distribution})" if fork else ""))


@rule("pythonpath-only", Severity.WARNING, installed_only=False)
def pythonpath_only(ctx: Context, s: Subject) -> Iterator[Finding]:
    """A framework not installed in the target but on PYTHONPATH, which fwprobe drops for the
    target unless --keep-pythonpath: the shell imports it, the scan reports "not installed"."""
    if not s.result.installed and s.result.pythonpath:
        yield Finding(f"{s.fw.name} is not installed in the target, but PYTHONPATH provides it "
                      f"({s.result.pythonpath}); fwprobe scans without PYTHONPATH by default",
                      "rerun with --keep-pythonpath to probe it as your shell imports it, or install it "
                      "into the environment")

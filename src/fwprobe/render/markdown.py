"""Markdown: the catalog's comparison table regenerated with verified status, for maintainers."""

from __future__ import annotations

from fwprobe.catalog import Catalog
from fwprobe.model import FrameworkResult, Report, Verdict


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _observed(r: FrameworkResult) -> str:
    s = r.status
    if s is None:
        return "not checked"
    if s.newest is None:
        return s.observed.value
    return f"{s.observed.value} (newest {s.newest_distribution} {s.newest.version}, {s.newest.day or ''})"


def render(report: Report, catalog: Catalog | None = None) -> str:
    """The status-refresh report; ``catalog`` supplies the seed's descriptive columns."""
    day = report.generated_at[:10]
    lines = [
        "# Framework status refresh",
        "",
        f"Checked {day} against `{report.index_url or 'no index'}` by fwprobe {report.fwprobe_version}.",
        "",
        "| Framework | Distinct features | Execution model | Typical use cases | Maintainer | Claimed status "
        "| Observed | Verdict | Evidence | Checked |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report.frameworks:
        fw = catalog.get(r.id) if catalog is not None else None
        seed = [fw.features, fw.execution, fw.use_cases, fw.maintainer] if fw is not None else ["", "", "", ""]
        s = r.status
        verdict = s.verdict.value if s else "unverified"
        evidence = s.evidence if s else ""
        lines.append(f"| {_cell(r.name)} | " + " | ".join(_cell(c) for c in seed) + f" | {_cell(r.claim)} | "
                     f"{_cell(_observed(r))} | **{verdict}** | {_cell(evidence)} | {day} |")
    lines.append("")
    stale = [r for r in report.frameworks if r.status and r.status.verdict is Verdict.CONTRADICTED]
    unverified = [r for r in report.frameworks if not r.status or r.status.verdict is Verdict.UNVERIFIED]
    lines.append("## Claims that need updating")
    lines.append("")
    if stale:
        for r in stale:
            assert r.status is not None
            lines.append(f"- **{r.name}**: the catalog says \"{r.claim}\"; the index shows "
                         f"{r.status.observed.value}: {r.status.evidence}.")
    else:
        lines.append("- None: every checked claim is confirmed or unverified.")
    if unverified:
        lines += ["", "## Could not verify", ""]
        for r in unverified:
            lines.append(f"- **{r.name}**: {r.status.evidence if r.status else 'no index data'}")
    forks = [(r, f) for r in report.frameworks if r.status for f in r.status.forks]
    if forks:
        lines += ["", "## Forks", "", "| Framework | Fork | Status | Newest | Date |", "|---|---|---|---|---|"]
        for r, f in forks:
            lines.append(f"| {r.name} | {f.distribution} | {f.status.value} | {f.newest or ''} | "
                         f"{f.date or ''} |")
    lines.append("")
    return "\n".join(lines)

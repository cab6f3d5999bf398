"""`fwprobe status --format markdown`: the seed's comparison table regenerated for maintainers.

Every cell keeps the catalog's wording; fwprobe only marks it: ✓ confirmed, ✗ contradicted (with a
footnote giving the evidence, its source and date), ? unverified (no evidence could reach it).
A "what changed" list gathers the contradicted claims.
"""

from __future__ import annotations

from fwprobe.catalog import Catalog
from fwprobe.model import ClaimVerdict, FrameworkResult, Report, Verdict
from fwprobe.render import escape

_MARK = {Verdict.CONFIRMED: "✓", Verdict.CONTRADICTED: "✗", Verdict.UNVERIFIED: "?"}
COLUMNS = (("features", "Distinct features"), ("execution", "Execution model"), ("use_cases", "Typical use cases"),
           ("claim", "Current status / backend"), ("maintainer", "Maintainer"))


def _status_claim(r: FrameworkResult, day: str) -> ClaimVerdict | None:
    s = r.status
    if s is None:
        return None
    return ClaimVerdict("status", "claim", f"status: {r.claim}", s.verdict,
                        f"observed {s.observed.value}: {s.evidence}", "index", day)


def render(report: Report, catalog: Catalog | None = None) -> str:
    """The status-refresh document; ``catalog`` supplies the seed's wording for each cell."""
    day = report.generated_at[:10]
    pythons = report.options.get("pythons") or []
    lines = [
        "# Framework status refresh",
        "",
        f"Checked {day} against {escape.md_code(report.index_url or 'no index')} by fwprobe {report.fwprobe_version}"
        + (f", with probes of {', '.join(escape.md_code(p) for p in pythons)}" if pythons else "") + ".",
        "Marks: ✓ confirmed, ✗ contradicted (see the note), ? unverified (no evidence reaches it).",
        "",
        "| Framework | " + " | ".join(title for _, title in COLUMNS) + " |",
        "|---|" + "---|" * len(COLUMNS),
    ]
    notes: list[str] = []
    changed: list[str] = []
    unverified: list[str] = []
    for r in report.frameworks:
        fw = catalog.get(r.id) if catalog is not None else None
        wording = {"features": fw.features if fw else "", "execution": fw.execution if fw else "",
                   "use_cases": fw.use_cases if fw else "", "claim": r.claim, "maintainer": fw.maintainer if fw else ""}
        claims = list(r.claims)
        status = _status_claim(r, day)
        if status is not None:
            claims.insert(0, status)
        cells = []
        for column, _ in COLUMNS:
            mine = [c for c in claims if c.column == column]
            marks = []
            for c in mine:
                if c.verdict is Verdict.CONTRADICTED:
                    notes.append(f"[^{len(notes) + 1}]: " + escape.md(f"{r.name}, \"{c.statement}\": {c.evidence} "
                                                                      f"({c.source}, {c.checked})"))
                    marks.append(f"✗[^{len(notes)}]")
                    changed.append(f"- **{escape.md(r.name)}** — "
                                   + escape.md(f"{c.statement}: contradicted. {c.evidence} ({c.source}, {c.checked})."))
                else:
                    marks.append(_MARK[c.verdict])
                    if c.verdict is Verdict.UNVERIFIED:
                        unverified.append(f"- {escape.md(r.name)} — " + escape.md(f"{c.statement}: {c.evidence}"))
            text = wording[column]
            cells.append(escape.md(text) + (" " + " ".join(marks) if marks else (" ?" if text else "")))
        lines.append(f"| {escape.md(r.name)} | " + " | ".join(cells) + " |")
    lines += ["", "## What changed", ""]
    lines += changed or ["- Nothing: no claim is contradicted by the evidence."]
    if unverified:
        lines += ["", "## Could not verify", "", *unverified]
    forks = [(r, f) for r in report.frameworks if r.status for f in r.status.forks]
    if forks:
        lines += ["", "## Forks", "", "| Framework | Fork | Status | Newest | Date |", "|---|---|---|---|---|"]
        for r, f in forks:
            lines.append(f"| {escape.md(r.name)} | {escape.md(f.distribution)} | {f.status.value} | "
                         f"{escape.md(f.newest or '')} | {escape.md(f.date or '')} |")
    if notes:
        lines += ["", "## Notes", "", *notes]
    lines.append("")
    return "\n".join(lines)

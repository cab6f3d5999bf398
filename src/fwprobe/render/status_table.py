"""Rich table for `fwprobe status`."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from fwprobe.model import Report
from fwprobe.render.table import _STATUS_STYLE


def render(report: Report) -> RenderableType:
    t = Table(show_lines=True, title=f"Release status from {report.index_url}", title_justify="left")
    for col in ("Framework", "Claim", "Observed", "Newest", "Last 365 d", "Verdict", "Evidence"):
        t.add_column(col)
    for r in report.frameworks:
        s = r.status
        if s is None:
            t.add_row(r.name, r.claim, "", "", "", "", "")
            continue
        newest = f"{s.newest_distribution} {s.newest.version}\n{(s.newest.date or '')[:10]}" if s.newest else ""
        verdict_style = {"confirmed": "green", "contradicted": "bold red"}.get(s.verdict.value, "dim")
        t.add_row(r.name, r.claim, Text(s.observed.value, style=_STATUS_STYLE[s.observed]), newest,
                  str(s.releases_last_365_days), Text(s.verdict.value, style=verdict_style), s.evidence)
    return Group(t)

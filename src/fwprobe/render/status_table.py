"""Rich table for `fwprobe status`: one row per framework, evidence beneath the table."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from fwprobe.catalog import Catalog
from fwprobe.model import Report
from fwprobe.render import escape
from fwprobe.render.scan_table import _STATUS_STYLE

_VERDICT_STYLE = {"confirmed": "green", "contradicted": "bold red", "unverified": "dim"}


def render(report: Report, catalog: Catalog | None = None) -> RenderableType:
    t = Table(show_lines=False, title=escape.text(f"Release status from {report.index_url}"), title_justify="left")
    t.add_column("Framework", no_wrap=True)
    t.add_column("Observed", no_wrap=True)
    t.add_column("Newest", no_wrap=True)
    t.add_column("365 d", justify="right", no_wrap=True)
    t.add_column("Verdict", no_wrap=True)
    evidence = Text()
    for r in report.frameworks:
        s = r.status
        if s is None:
            t.add_row(escape.text(r.name), "", "", "", "")
            continue
        newest = f"{s.newest.version} {s.newest.day or ''}" if s.newest else ""
        t.add_row(escape.text(r.name), Text(s.observed.value, style=_STATUS_STYLE[s.observed]), escape.text(newest),
                  str(s.releases_last_365_days), Text(s.verdict.value, style=_VERDICT_STYLE[s.verdict.value]))
        evidence.append(escape.terminal(r.name), style="bold")
        evidence.append(escape.terminal(f" (claim: {r.claim}; {s.verdict.value}): "), style="dim")
        evidence.append(escape.terminal(s.evidence) + "\n")
        for c in r.claims:
            if c.verdict.value == "unverified":
                continue
            mark = "✓" if c.verdict.value == "confirmed" else "✗"
            evidence.append(escape.terminal(f"  {mark} {c.statement}: "), style=_VERDICT_STYLE[c.verdict.value])
            evidence.append(escape.terminal(f"{c.evidence} ({c.source})") + "\n", style="dim")
        unverified = [c for c in r.claims if c.verdict.value == "unverified"]
        if unverified:
            evidence.append(escape.terminal(f"  ? {len(unverified)} claim(s) unverified: "
                                            + "; ".join(c.statement for c in unverified)) + "\n", style="dim")
    return Group(t, evidence)

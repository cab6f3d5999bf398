"""`fwprobe merge` outputs: a rich table, JSON (fwprobe.fleet/1) and Markdown. Return, never print.

rich loads only for the table: JSON and Markdown of 10,000 nodes need none of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fwprobe.fleet.model import FleetReport, Node
from fwprobe.render import escape

if TYPE_CHECKING:
    from rich.console import RenderableType

_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _fw_cell(node: Node, fid: str) -> str:
    f = next((x for x in node.frameworks if x.id == fid), None)
    if f is None:
        return "-"
    text = f"{f.version or '?'} {f.outcome or ''}".strip()
    if f.accelerators:
        text += f", {f.accelerators} {f.accelerator_kind}"
    if f.exercise:
        text += f", {f.exercise}"
    return text


def table(report: FleetReport, catalog: Any = None) -> RenderableType:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    fids = [f.id for f in report.frameworks]
    t = Table(title=f"{len(report.nodes)} node(s)", title_justify="left", show_lines=False)
    for col in ("Host", "Driver", "GPUs", *fids, "Errors"):
        t.add_column(escape.text(col))
    for n in report.nodes:
        t.add_row(escape.text(n.host), escape.text(n.driver_version or "-"), escape.text(n.gpus),
                  *[escape.text(_fw_cell(n, f)) for f in fids],
                  escape.text(", ".join(n.error_codes), style="red") if n.error_codes else Text("-", style="green"))
    parts: list[RenderableType] = [t]
    if report.diagnoses:
        d_table = Table(title="Fleet diagnoses", title_justify="left", show_lines=True)
        for col in ("Severity", "Code", "Finding and fix"):
            d_table.add_column(col)
        for d in report.diagnoses:
            d_table.add_row(Text(d.severity.value, style=_SEVERITY_STYLE[d.severity.value]), escape.text(d.code),
                            escape.text(d.message, multiline=True) + Text("\nfix: ", style="bold")
                            + escape.text(d.hint, multiline=True))
        parts.append(d_table)
    else:
        parts.append(Text("No fleet problems found.", style="green"))
    if report.skipped:
        parts.append(Text("Skipped:\n" + "\n".join(escape.terminal(f"  {s.source}: {s.reason}") for s in report.skipped),
                          style="dim"))
    return Group(*parts)


def json(report: FleetReport, catalog: Any = None) -> str:
    return report.to_json()


def markdown(report: FleetReport, catalog: Any = None) -> str:
    fids = [f.id for f in report.frameworks]
    lines = [f"### Fleet: {len(report.nodes)} node(s)", "",
             "| Host | Driver | GPUs | " + " | ".join(escape.md(f) for f in fids) + " | Errors |",
             "|---|---|---|" + "---|" * len(fids) + "---|"]
    for n in report.nodes:
        lines.append(f"| {escape.md(n.host)} | {escape.md(n.driver_version or '-')} | {escape.md(n.gpus)} | "
                     + " | ".join(escape.md(_fw_cell(n, f)) for f in fids)
                     + f" | {escape.md(', '.join(n.error_codes) or '-')} |")
    lines += ["", "**Fleet diagnoses**", ""]
    lines += [f"- **{d.severity.value}** {escape.md_code(d.code)}: {escape.md(d.message)}  \n  fix: {escape.md(d.hint)}"
              for d in report.diagnoses] or ["- none"]
    if report.skipped:
        lines += ["", "<details><summary>Skipped inputs</summary>", ""]
        lines += [f"- {escape.md_code(s.source)}: {escape.md(s.reason)}" for s in report.skipped]
        lines += ["", "</details>"]
    lines += ["", f"<sub>fwprobe {report.fwprobe_version}, {report.generated_at}</sub>", ""]
    return "\n".join(lines)

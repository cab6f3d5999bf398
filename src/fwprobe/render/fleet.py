"""`fwprobe merge` outputs: a rich table, JSON (fwprobe.fleet/1) and Markdown. Return, never print."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from fwprobe.fleet.model import FleetReport, Node

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
    fids = [f.id for f in report.frameworks]
    t = Table(title=f"{len(report.nodes)} node(s)", title_justify="left", show_lines=False)
    for col in ("Host", "Driver", "GPUs", *fids, "Errors"):
        t.add_column(col)
    for n in report.nodes:
        t.add_row(n.host, n.driver_version or "-", str(n.gpus), *[_fw_cell(n, f) for f in fids],
                  Text(", ".join(n.error_codes), style="red") if n.error_codes else Text("-", style="green"))
    parts: list[RenderableType] = [t]
    if report.diagnoses:
        d_table = Table(title="Fleet diagnoses", title_justify="left", show_lines=True)
        for col in ("Severity", "Code", "Finding and fix"):
            d_table.add_column(col)
        for d in report.diagnoses:
            d_table.add_row(Text(d.severity.value, style=_SEVERITY_STYLE[d.severity.value]), d.code,
                            Text(d.message) + Text("\nfix: ", style="bold") + Text(d.hint))
        parts.append(d_table)
    else:
        parts.append(Text("No fleet problems found.", style="green"))
    if report.skipped:
        parts.append(Text("Skipped:\n" + "\n".join(f"  {s.source}: {s.reason}" for s in report.skipped), style="dim"))
    return Group(*parts)


def json(report: FleetReport, catalog: Any = None) -> str:
    return report.to_json()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(report: FleetReport, catalog: Any = None) -> str:
    fids = [f.id for f in report.frameworks]
    lines = [f"### Fleet: {len(report.nodes)} node(s)", "",
             "| Host | Driver | GPUs | " + " | ".join(fids) + " | Errors |",
             "|---|---|---|" + "---|" * len(fids) + "---|"]
    for n in report.nodes:
        lines.append(f"| {_cell(n.host)} | {n.driver_version or '-'} | {n.gpus} | "
                     + " | ".join(_cell(_fw_cell(n, f)) for f in fids) + f" | {', '.join(n.error_codes) or '-'} |")
    lines += ["", "**Fleet diagnoses**", ""]
    lines += [f"- **{d.severity.value}** `{d.code}`: {d.message}  \n  fix: {d.hint}" for d in report.diagnoses] or ["- none"]
    if report.skipped:
        lines += ["", "<details><summary>Skipped inputs</summary>", ""]
        lines += [f"- `{s.source}`: {s.reason}" for s in report.skipped]
        lines += ["", "</details>"]
    lines += ["", f"<sub>fwprobe {report.fwprobe_version}, {report.generated_at}</sub>", ""]
    return "\n".join(lines)

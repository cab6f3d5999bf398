"""Rich table for people at a terminal."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from fwprobe.catalog import Catalog
from fwprobe.model import Diagnosis, FrameworkResult, Outcome, Report, Severity, Status
from fwprobe.render.text import build_summary, device_lines, exercise_summary

_OUTCOME_STYLE = {Outcome.OK: "green", Outcome.FAILED: "red", Outcome.CRASHED: "bold red",
                  Outcome.TIMEOUT: "yellow", Outcome.SKIPPED: "dim"}
_STATUS_STYLE = {Status.ACTIVE: "green", Status.STALE: "yellow", Status.UNMAINTAINED: "red",
                 Status.ARCHIVED: "red", Status.DEPRECATED: "red", Status.UNKNOWN: "dim"}
_SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def _gib(n: int | None) -> str:
    return f" {n / 2**30:.0f} GiB" if n else ""


def _installed(r: FrameworkResult) -> Text:
    if not r.installed:
        return Text("not installed", style="dim")
    out = Text()
    for i, d in enumerate(r.distributions):
        if i:
            out.append("\n")
        out.append(f"{d.name} {d.version}", style="dim strike" if d.shadowed else "")
        if d.yanked:
            out.append(" (yanked)", style="red")
    return out


def _import(r: FrameworkResult) -> Text:
    p = r.probe
    if p is None:
        return Text("")
    out = Text(p.outcome.value, style=_OUTCOME_STYLE[p.outcome])
    if p.outcome is Outcome.OK and p.import_seconds is not None:
        out.append(f" {p.import_seconds:.1f}s", style="dim")
    elif p.outcome is Outcome.FAILED:
        out.append(f"\n{p.error_type}", style="red")
    elif p.outcome is Outcome.CRASHED and p.signal:
        out.append(f"\n{p.signal}", style="red")
    return out


def _build(r: FrameworkResult) -> str:
    p = r.answered
    if p is None:
        return ""
    details = p.details
    if "keras_backend" in details:
        src = (details.get("keras_backend_source") or {}).get("source", "")
        return f"backend {details['keras_backend']}" + (f"\n({src})" if src else "")
    if "theano_config" in details:  # PyTensor 3 has no device option: only what is set
        config = details["theano_config"] or {}
        return " ".join(f"{key}={config[key]}" for key in ("device", "floatX") if config.get(key))
    return build_summary(p.build)


def _devices(r: FrameworkResult) -> str:
    p = r.answered
    if p is None:
        return ""
    if "keras_backend" in p.details:
        return f"via {p.details['keras_backend']}"
    lines = device_lines(p.devices, lambda d: f"{d.name or d.kind}{_gib(d.memory_bytes)}")
    if not lines:
        return "-"
    if p.exercise:
        passed, failed = exercise_summary(p.exercise)
        lines.append(f"computes on {passed}/{len(p.exercise)}"
                     + (f"; FAILED on {', '.join(failed)}" if failed else ""))
    return "\n".join(lines)


def _status(r: FrameworkResult) -> Text:
    s = r.status
    if s is None:
        return Text("")
    out = Text(s.observed.value, style=_STATUS_STYLE[s.observed])
    if s.newest is not None:
        out.append(f"\n{s.newest.version} {s.newest.day or ''}", style="dim")
    if s.installed_behind:
        out.append(f"\n{s.installed_behind} behind", style="yellow")
    out.append(f"\nclaim {s.verdict.value}", style="red" if s.verdict.value == "contradicted" else "dim")
    return out


def diagnoses_table(diagnoses: tuple[Diagnosis, ...]) -> RenderableType:
    t = Table(title="Diagnoses", title_justify="left", show_lines=True, expand=False)
    t.add_column("Severity")
    t.add_column("Code")
    t.add_column("Finding and fix")
    for d in diagnoses:
        t.add_row(Text(d.severity.value, style=_SEVERITY_STYLE[d.severity]), d.code,
                  Text(d.message) + Text("\nfix: ", style="bold") + Text(d.hint))
    return t


def render(report: Report, catalog: Catalog | None = None) -> RenderableType:
    parts: list[RenderableType] = []
    if report.host is not None:
        h = report.host
        where = f", in {h.container}" if h.container else (", WSL" if h.wsl else "")
        mem = f", {h.memory_bytes / 2**30:.0f} GiB" if h.memory_bytes else ""
        parts.append(Text(f"{h.hostname}: {' '.join(x for x in (h.os, h.os_version) if x) or '?'}, kernel "
                          f"{h.kernel or '?'}, {h.cpu or '?'} x{h.logical_cores or '?'}{mem}{where}", style="bold"))
    if report.target is not None:
        t = report.target
        env = " (conda)" if t.conda else " (virtualenv)" if t.virtualenv else ""
        parts.append(Text(f"Python {t.version} {t.executable}{env}", style="bold"))
        if t.selected_by:
            parts.append(Text(f"  chosen by: {t.selected_by}", style="dim"))
    if report.system is not None:
        for fact in report.system.facts:
            parts.append(Text("  " + fact, style="dim"))
        for gpu in report.system.gpus:
            mem = f", {gpu.memory_mib} MiB" if gpu.memory_mib else ""
            parts.append(Text(f"  GPU {gpu.index}: {gpu.name}{mem}", style="dim"))
    if report.index_url:
        parts.append(Text(f"  package index: {report.index_url}", style="dim"))
    table = Table(show_lines=True)
    table.add_column("Framework", style="bold")
    table.add_column("Installed")
    table.add_column("Import")
    table.add_column("Build")
    table.add_column("Devices")
    with_status = any(r.status is not None for r in report.frameworks)
    if with_status:
        table.add_column("Release status")
    for r in report.frameworks:
        row: list[RenderableType] = [r.name, _installed(r), _import(r), _build(r), _devices(r)]
        if with_status:
            row.append(_status(r))
        table.add_row(*row)
    parts.append(table)
    if report.diagnoses:
        parts.append(diagnoses_table(report.diagnoses))
    else:
        parts.append(Text("No problems found.", style="green"))
    return Group(*parts)

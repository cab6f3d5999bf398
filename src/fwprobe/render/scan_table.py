"""Rich table for people at a terminal."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from fwprobe.catalog import Catalog
from fwprobe.model import Diagnosis, FrameworkResult, Outcome, Report, Severity, Status
from fwprobe.render import escape
from fwprobe.render.text import build_summary, companion_line, device_lines, exercise_summary

_OUTCOME_STYLE = {Outcome.OK: "green", Outcome.FAILED: "red", Outcome.CRASHED: "bold red",
                  Outcome.TIMEOUT: "yellow", Outcome.SKIPPED: "dim"}
_STATUS_STYLE = {Status.ACTIVE: "green", Status.STALE: "yellow", Status.UNMAINTAINED: "red",
                 Status.ARCHIVED: "red", Status.DEPRECATED: "red", Status.UNKNOWN: "dim"}
_SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def _gib(n: int | None) -> str:
    return f" {n / 2**30:.0f} GiB" if n else ""


def _installed(r: FrameworkResult) -> Text:
    if not r.installed:
        return Text("not installed", style="dim") + (Text("\n(on PYTHONPATH:\n--keep-pythonpath)", style="yellow")
                                                     if r.pythonpath else Text(""))
    out = Text()
    for i, d in enumerate(r.distributions):
        if i:
            out.append("\n")
        out.append(escape.terminal(f"{d.name} {d.version}"), style="dim strike" if d.shadowed else "")
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
        out.append("\n" + escape.terminal(p.error_type), style="red")
    elif p.outcome is Outcome.CRASHED and p.signal:
        out.append("\n" + escape.terminal(p.signal), style="red")
    for c in p.companions:  # a short line each, under the framework's own outcome
        out.append("\n+ " + escape.terminal(companion_line(c)), style="dim" if c.outcome is Outcome.OK else "red")
    return out


def _build(r: FrameworkResult) -> Text:
    p = r.answered
    if p is None:
        return Text("")
    details = p.details
    if "keras_backend" in details:
        src = (details.get("keras_backend_source") or {}).get("source", "")
        return escape.text(f"backend {details['keras_backend']}") + (escape.text(f"\n({src})", multiline=True)
                                                                     if src else Text(""))
    if "theano_config" in details:  # PyTensor 3 has no device option: only what is set
        config = details["theano_config"] or {}
        return escape.text(" ".join(f"{key}={config[key]}" for key in ("device", "floatX") if config.get(key)))
    return escape.text(build_summary(p.build))


def _devices(r: FrameworkResult) -> Text:
    p = r.answered
    if p is None:
        return Text("")
    if "keras_backend" in p.details:
        return escape.text(f"via {p.details['keras_backend']}")
    # each device name on its own line at most: a line break inside a name is shown, not made
    lines = device_lines(p.devices, lambda d: escape.terminal(f"{d.name or d.kind}{_gib(d.memory_bytes)}"))
    if not lines:
        return Text("-")
    if p.exercise:
        passed, failed = exercise_summary(p.exercise)
        lines.append(f"computes on {passed}/{len(p.exercise)}"
                     + (f"; FAILED on {', '.join(failed)}" if failed else ""))
    return escape.text("\n".join(lines), multiline=True)


def _status(r: FrameworkResult) -> Text:
    s = r.status
    if s is None:
        return Text("")
    out = Text(s.observed.value, style=_STATUS_STYLE[s.observed])
    if s.newest is not None:
        out.append("\n" + escape.terminal(f"{s.newest.version} {s.newest.day or ''}"), style="dim")
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
        t.add_row(Text(d.severity.value, style=_SEVERITY_STYLE[d.severity]), escape.text(d.code),
                  escape.text(d.message, multiline=True) + Text("\nfix: ", style="bold")
                  + escape.text(d.hint, multiline=True))
    return t


def render(report: Report, catalog: Catalog | None = None) -> RenderableType:
    parts: list[RenderableType] = []
    if report.host is not None:
        h = report.host
        where = f", in {h.container}" if h.container else (", WSL" if h.wsl else "")
        mem = f", {h.memory_bytes / 2**30:.0f} GiB" if h.memory_bytes else ""
        parts.append(escape.text(f"{h.hostname}: {' '.join(x for x in (h.os, h.os_version) if x) or '?'}, kernel "
                                 f"{h.kernel or '?'}, {h.cpu or '?'} x{h.logical_cores or '?'}{mem}{where}",
                                 style="bold"))
    if report.target is not None:
        t = report.target
        env = " (conda)" if t.conda else " (virtualenv)" if t.virtualenv else ""
        parts.append(escape.text(f"Python {t.version} {t.executable}{env}", style="bold"))
        if t.selected_by:
            parts.append(escape.text(f"  chosen by: {t.selected_by}", style="dim"))
    if report.system is not None:
        for fact in report.system.facts:
            parts.append(escape.text("  " + fact, style="dim"))
        for gpu in report.system.gpus:
            mem = f", {gpu.memory_mib} MiB" if gpu.memory_mib else ""
            parts.append(escape.text(f"  GPU {gpu.index}: {gpu.name}{mem}", style="dim"))
            for m in (m for m in report.system.mig_devices if m.gpu_index == gpu.index):
                parts.append(escape.text(f"    MIG device {m.index}: {m.profile or '?'}, {m.memory_mib or '?'} MiB "
                                         f"{m.uuid or ''}".rstrip(), style="dim"))
    if report.index_url:
        parts.append(escape.text(f"  package index: {report.index_url}", style="dim"))
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
        row: list[RenderableType] = [escape.text(r.name), _installed(r), _import(r), _build(r), _devices(r)]
        if with_status:
            row.append(_status(r))
        table.add_row(*row)
    parts.append(table)
    if report.diagnoses:
        parts.append(diagnoses_table(report.diagnoses))
    else:
        parts.append(Text("No problems found.", style="green"))
    return Group(*parts)

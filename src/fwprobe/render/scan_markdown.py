"""`fwprobe scan --format markdown`: a compact report to paste into a bug report.

Host, Python, driver and GPUs, one row per installed framework, diagnoses with fixes, and the
fwprobe version; long parts (environment variables, probe notes) fold into <details> blocks.
Paths under the home directory are shown as ``~``.
"""

from __future__ import annotations

import os

from fwprobe.catalog import Catalog
from fwprobe.model import FrameworkResult, Outcome, Report
from fwprobe.render import escape
from fwprobe.render.text import build_summary, companion_line, device_lines, exercise_summary


def _home(text: str, home: str) -> str:
    if home and home != "/":
        return text.replace(home.rstrip("/") + "/", "~/")
    return text


def _build(r: FrameworkResult) -> str:
    p = r.answered
    if p is None:
        return ""
    if "keras_backend" in p.details:
        return f"backend {p.details['keras_backend']}"
    return build_summary(p.build)


def _devices(r: FrameworkResult) -> str:
    p = r.answered
    if p is None:
        return ""
    text = "; ".join(device_lines(p.devices, lambda d: d.name or d.kind))
    if p.exercise:
        passed, failed = exercise_summary(p.exercise)
        text += f" (computes on {passed}/{len(p.exercise)}" + (
            f"; fails on {', '.join(failed)})" if failed else ")")
    return text


def _import(r: FrameworkResult) -> str:
    p = r.probe
    if p is None:
        return ""
    if p.outcome is Outcome.OK:
        return f"ok ({p.import_seconds:.1f} s)" if p.import_seconds is not None else "ok"
    detail = p.error_type or p.signal or p.error_message or ""
    return f"**{p.outcome.value}**" + (f": {escape.md(detail)}" if detail else "")


def render(report: Report, catalog: Catalog | None = None, home: str | None = None) -> str:
    home = os.path.expanduser("~") if home is None else home
    lines = ["### fwprobe report", ""]
    facts = []
    if report.host is not None:
        h = report.host
        os_text = " ".join(x for x in (h.os, h.os_version) if x)
        where = f", in {h.container}" if h.container else (", WSL" if h.wsl else "")
        mem = f", {h.memory_bytes / 2**30:.0f} GiB" if h.memory_bytes else ""
        facts.append("- **Host**: " + escape.md(f"{os_text or '?'}, kernel {h.kernel or '?'}"
                                                 + (f", {h.libc} {h.libc_version}" if h.libc else "")
                                                 + f"; {h.cpu or 'CPU ?'} ({h.logical_cores or '?'} cores){mem}{where}"))
    if report.target is not None:
        t = report.target
        kind = " (conda)" if t.conda else " (virtualenv)" if t.virtualenv else ""
        facts.append(f"- **Python**: {escape.md(t.version)} {escape.md_code(_home(t.executable, home))}{kind}"
                     + (f", chosen by: {escape.md(_home(t.selected_by, home))}" if t.selected_by else ""))
    if report.system is not None:
        s = report.system
        if s.nvidia_error and s.nvidia_smi:  # present but failing is not "none found"
            facts.append("- **NVIDIA driver**: " + escape.md("nvidia-smi failed: " + " / ".join(s.nvidia_error.splitlines())))
        elif s.driver_version:
            facts.append("- **NVIDIA driver**: " + escape.md(f"{s.driver_version} (CUDA {s.cuda_driver_version or '?'})"))
        else:
            facts.append("- **NVIDIA driver**: none found" + (f" ({escape.md(s.nvidia_error)})" if s.nvidia_error else ""))
        facts += ["- **nvidia-smi warning**: " + escape.md(w) for w in s.nvidia_warnings]
        for g in s.gpus:
            cap = f", compute {g.compute_capability}" if g.compute_capability else ""
            mem = f", {g.memory_mib} MiB" if g.memory_mib else ""
            mig = ", MIG enabled" if g.mig_mode == "Enabled" else ""
            facts.append(f"- **GPU {escape.md(g.index)}**: " + escape.md(f"{g.name}{mem}{cap}{mig}"))
            for m in (m for m in s.mig_devices if m.gpu_index == g.index):
                facts.append(f"  - MIG device {escape.md(m.index)}: " + escape.md(
                    f"{m.profile or '?'}, {m.memory_mib or '?'} MiB") + (f" {escape.md_code(m.uuid)}" if m.uuid else ""))
        if s.cuda_visible_devices is not None:
            facts.append(f"- **CUDA_VISIBLE_DEVICES**: {escape.md_code(s.cuda_visible_devices)}")
    lines += [*facts, "", "| Framework | Version | Build | Devices | Import |", "|---|---|---|---|---|"]
    installed = [r for r in report.frameworks if r.installed]
    for r in installed:
        dist = r.active_distribution
        version = f"{dist.name} {dist.version}" if dist else ""
        lines.append(f"| {escape.md(r.name)} | {escape.md(version)} | {escape.md(_build(r))} | "
                     f"{escape.md(_devices(r))} | {_import(r)} |")
    companions = [(r.name, c) for r in installed if r.probe is not None for c in r.probe.companions]
    if companions:
        lines += ["", "Companions, imported after their framework:", ""]
        lines += [f"- {escape.md(name)}: " + (escape.md(companion_line(c)) if c.outcome is Outcome.OK else
                                              f"**{escape.md(companion_line(c))}** "
                                              f"({escape.md(_home(c.error_message or '', home))})")
                  for name, c in companions]
    missing = [r.name for r in report.frameworks if not r.installed]
    if missing:
        lines += ["", f"Not installed: {escape.md(', '.join(missing))}."]
    lines += ["", "**Diagnoses**", ""]
    if report.diagnoses:
        for d in report.diagnoses:
            lines.append(f"- **{d.severity.value}** {escape.md_code(d.code)}: {escape.md(_home(d.message, home))}  \n"
                         f"  fix: {escape.md(_home(d.hint, home))}")
    else:
        lines.append("- none")
    notes = [(r.name, n) for r in installed if r.probe for n in r.probe.notes]
    if notes:
        lines += ["", "<details><summary>Probe notes</summary>", ""]
        lines += [f"- {escape.md(name)}: {escape.md(_home(note, home))}" for name, note in notes]
        lines += ["", "</details>"]
    if report.host is not None and report.host.env:
        lines += ["", "<details><summary>Environment variables that steer frameworks</summary>", ""]
        lines += [f"- {escape.md_code(f'{k}={_home(v, home)}')}" for k, v in report.host.env.items()]
        lines += ["", "</details>"]
    lines += ["", f"<sub>fwprobe {report.fwprobe_version}, {report.generated_at}</sub>", ""]
    return "\n".join(lines)

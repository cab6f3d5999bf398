"""Prometheus text exposition format (0.0.4): one scan's facts as gauges, for node_exporter's
textfile collector (``fwprobe scan --format prometheus -o DIR/fwprobe.prom``).

Written by hand, not with ``prometheus_client``: the format is a few lines of text, and the
client costs an import of its HTTP server stack on every run (bench/bench_prometheus.py).
Conventions: a ``fwprobe_`` prefix, seconds for time, ``_info`` gauges of value 1 carrying facts
in labels, one series per state for an enumeration (1 for the state it is in, 0 for the
others), no sample timestamps (the textfile collector rejects them), and no unbounded text as a
label: messages, hints, paths of libraries and errors stay in the JSON report. Every label value
passes through ``escape.prom_label``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fwprobe.model import Device, FrameworkResult, Outcome, Report, Severity, Status
from fwprobe.render.escape import prom_label

if TYPE_CHECKING:
    from fwprobe.catalog import Catalog

Labels = tuple[tuple[str, str], ...]


@dataclass
class _Family:
    name: str
    help: str
    samples: dict[Labels, float] = field(default_factory=dict)

    def set(self, value: float, **labels: object) -> None:
        """One series; a second with the same labels replaces it (a family never repeats a
        series: promtool and the textfile collector reject that)."""
        self.samples[_key(labels)] = value

    def add(self, value: float, **labels: object) -> None:
        """Counts: a second series with the same labels adds to the first."""
        key = _key(labels)
        self.samples[key] = self.samples.get(key, 0) + value


def _key(labels: dict[str, object]) -> Labels:
    return tuple((k, "" if v is None else str(v)) for k, v in labels.items())


class _Metrics:
    def __init__(self) -> None:
        self.families: dict[str, _Family] = {}

    def __call__(self, name: str, help: str) -> _Family:
        return self.families.setdefault(name, _Family(name, help))

    def text(self) -> str:
        out: list[str] = []
        for fam in self.families.values():
            if not fam.samples:
                continue
            out += [f"# HELP {fam.name} {fam.help}", f"# TYPE {fam.name} gauge"]
            for labels, value in fam.samples.items():
                inner = ",".join(f'{k}="{prom_label(v)}"' for k, v in labels)
                out.append(f"{fam.name}{{{inner}}} {_number(value)}" if inner else f"{fam.name} {_number(value)}")
        return "\n".join(out) + "\n"


def _number(value: float) -> str:
    if float(value).is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(float(value))


def _bool(value: bool | None) -> str:
    return "" if value is None else str(value).lower()


def render(report: Report, catalog: Catalog | None = None) -> str:
    """The report as text exposition: HELP and TYPE lines, one family after another, each
    sample on one line. Never raises on outside text (versions, device names: escaped)."""
    m = _Metrics()
    when = _timestamp(report.generated_at)
    if when is not None:
        m("fwprobe_scan_timestamp_seconds", "Unix time the scan ran.").set(when.timestamp())
    seconds = report.options.get("scan_seconds")
    if isinstance(seconds, (int, float)) and not isinstance(seconds, bool):
        m("fwprobe_scan_duration_seconds", "How long the scan took, probes included.").set(seconds)
    target = report.target
    m("fwprobe_scan_info", "fwprobe's version and the interpreter it scanned.").set(
        1, fwprobe_version=report.fwprobe_version, python=target.executable if target else None,
        python_version=target.version if target else None)
    for r in report.frameworks:
        _framework(m, r)
    for r in report.frameworks:
        _release(m, r, when)
    _system(m, report)
    for sev in Severity:
        m("fwprobe_diagnoses", "Diagnoses of this severity in the scan.").set(
            sum(d.severity is sev for d in report.diagnoses), severity=sev.value)
    for d in report.diagnoses:
        m("fwprobe_diagnosis", "Diagnoses by code, severity and framework (empty: the environment); "
                               "messages and hints are in the JSON report.").add(
            1, code=d.code, severity=d.severity.value, framework=d.framework)
    if report.checks:
        for c in report.checks:
            m("fwprobe_check_passed", "1 when this check of fwprobe check passed, else 0.").set(
                int(c.passed), check=c.name)
        m("fwprobe_check_success", "1 when every check passed (fwprobe check's exit status 0), else 0.").set(
            int(all(c.passed for c in report.checks)))
    return m.text()


def _timestamp(text: str) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.timezone.utc)


def _framework(m: _Metrics, r: FrameworkResult) -> None:
    fw = r.id
    m("fwprobe_framework_installed", "1 when the framework is installed in the scanned environment, else 0.").set(
        int(r.installed), framework=fw)
    probe = r.probe
    build = probe.build if probe is not None else None
    for dist in r.distributions:
        if dist.shadowed:  # a copy import never finds
            continue
        m("fwprobe_framework_info", "An installed distribution of the framework (version from its metadata) "
                                    "and the build its probe reported.").set(
            1, framework=fw, distribution=dist.name, version=dist.version,
            cuda=build.cuda if build else None, cudnn=build.cudnn if build else None,
            rocm=build.rocm if build else None, cpu_only=_bool(build.cpu_only if build else None))
    if probe is None:
        return
    for outcome in Outcome:
        m("fwprobe_framework_import", "How the framework's import probe ended: 1 for its outcome, 0 for the others.").set(
            int(probe.outcome is outcome), framework=fw, outcome=outcome.value)
    if probe.import_seconds is not None:
        m("fwprobe_framework_import_duration_seconds", "How long importing the framework took.").set(
            probe.import_seconds, framework=fw)
    if probe.outcome is not Outcome.OK:
        return
    m("fwprobe_framework_accelerators", "Accelerators (devices other than cpu) the framework sees.").set(
        len(probe.accelerators), framework=fw)
    names: dict[tuple[str, int], Device] = {}
    for dev in probe.devices:
        names[(dev.kind, dev.index)] = dev
        m("fwprobe_device_visible", "A device the framework lists.").set(
            1, framework=fw, kind=dev.kind, index=dev.index, name=dev.name)
    for run in probe.exercise:
        dev_of = names.get((run.kind, run.index))
        m("fwprobe_device_usable", "1 when a tiny computation on the device gave the exact result "
                                   "(--exercise), else 0.").set(
            int(run.passed), framework=fw, kind=run.kind, index=run.index, name=dev_of.name if dev_of else None)


def _release(m: _Metrics, r: FrameworkResult, when: dt.datetime | None) -> None:
    status = r.status
    if status is None:  # the index was not asked
        return
    fw = r.id
    for state in Status:
        m("fwprobe_framework_release_status", "Release status observed on the package index: "
                                              "1 for the framework's status, 0 for the others.").set(
            int(status.observed is state), framework=fw, status=state.value)
    newest = status.newest
    if newest is None:
        return
    m("fwprobe_framework_newest_release_info", "The newest release on the package index, pre-releases included "
                                               "(they count as activity).").set(
        1, framework=fw, distribution=status.newest_distribution, version=newest.version,
        prerelease=_bool(newest.prerelease))
    age: float | None = None
    if newest.date is not None and when is not None:
        age = max(0.0, (when - newest.date).total_seconds())
    elif status.days_since_release is not None:
        age = status.days_since_release * 86400
    if age is not None:
        m("fwprobe_framework_release_age_seconds", "Time from the newest release's first upload to the scan.").set(
            age, framework=fw)
    m("fwprobe_framework_recent_releases", "Releases in the 365 days before the scan.").set(
        status.releases_last_365_days, framework=fw)
    if status.installed_behind is not None:
        m("fwprobe_framework_releases_behind", "Releases between the installed version and the newest.").set(
            status.installed_behind, framework=fw)


def _system(m: _Metrics, report: Report) -> None:
    system = report.system
    if system is None:  # `status`: no machine was looked at
        return
    if system.nvidia_smi is not None:
        m("fwprobe_nvidia_smi_ok", "1 when nvidia-smi answered, 0 when it failed (absent: no series).").set(
            int(system.nvidia_error is None))
    if system.driver_version is not None:
        m("fwprobe_nvidia_driver_info", "The NVIDIA driver and the newest CUDA it supports.").set(
            1, driver_version=system.driver_version, cuda_version=system.cuda_driver_version)
    m("fwprobe_nvidia_gpus", "GPUs nvidia-smi lists (0 without nvidia-smi).").set(len(system.gpus))
    for gpu in system.gpus:
        m("fwprobe_nvidia_gpu_info", "A GPU nvidia-smi lists.").set(
            1, gpu=gpu.index, name=gpu.name, uuid=gpu.uuid, compute_capability=gpu.compute_capability,
            mig_mode=gpu.mig_mode)
    for mig in system.mig_devices:
        m("fwprobe_nvidia_mig_device_info", "A MIG device nvidia-smi lists, under its GPU.").set(
            1, gpu=mig.gpu_index, mig_device=mig.index, profile=mig.profile, uuid=mig.uuid)

"""A builder for reports, so that a diagnosis rule gets a unit test without any subprocess.

    report = ReportBuilder(gpus=2).framework("pytorch", "torch", "2.5.1+cpu", cpu_only=True).build()
    codes(diagnose(report, CATALOG))
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fwprobe.catalog import Catalog, load_catalog
from fwprobe.model import (
    Build,
    CompanionProbe,
    Device,
    Distribution,
    FrameworkResult,
    Gpu,
    Interpreter,
    Outcome,
    ProbeResult,
    Report,
    StatusAssessment,
    System,
)

SITE = "/envs/test/lib/python3.11/site-packages"
CATALOG = load_catalog()


class ReportBuilder:
    """Builds a Report for the shipped catalog (or ``catalog``), one framework at a time."""

    def __init__(self, gpus: int = 0, cuda_driver: str | None = "12.4", catalog: Catalog = CATALOG,
                 cuda_visible_devices: str | None = None) -> None:
        self.catalog = catalog
        gpu_list = tuple(Gpu(i, "NVIDIA A100-SXM4-80GB", 81920, f"GPU-{i:08d}") for i in range(gpus))
        self.system = System(nvidia_smi="/usr/bin/nvidia-smi" if gpus else None,
                             driver_version="550.54.15" if gpus else None,
                             cuda_driver_version=cuda_driver if gpus else None, gpus=gpu_list,
                             cuda_visible_devices=cuda_visible_devices)
        self.results: list[FrameworkResult] = []

    def framework(self, key: str, dist: str | None = None, version: str = "1.0", *,
                  outcome: Outcome | None = Outcome.OK, devices: tuple[str, ...] = ("cpu",),
                  cuda: str | None = None, cpu_only: bool | None = None, error: str | None = None,
                  details: dict[str, Any] | None = None, status: StatusAssessment | None = None,
                  extra_dists: tuple[tuple[str, str], ...] = (), companions: tuple[Distribution, ...] = (),
                  companion_probes: tuple[CompanionProbe, ...] = ()) -> ReportBuilder:
        """Add framework ``key`` installed as ``dist`` ``version`` (not installed when dist is None);
        ``companions``: its installed companions, ``companion_probes``: how each imported in the probe."""
        fw = self.catalog.get(key)
        assert fw is not None, key
        dists = ((Distribution(dist, version, SITE),) if dist else ()) + tuple(
            Distribution(n, v, SITE) for n, v in extra_dists)
        probe = None
        if dist and outcome is not None:
            probe = ProbeResult(
                outcome, version=version if outcome is Outcome.OK else None, phase="done",
                error_type="ImportError" if error else None, error_message=error,
                build=Build(cuda=cuda, cpu_only=cpu_only),
                devices=tuple(Device(kind, i, "NVIDIA A100-SXM4-80GB" if kind == "cuda" else kind)
                              for i, kind in enumerate(devices)),
                details=details or {}, companions=companion_probes)
        self.results.append(FrameworkResult(fw.id, fw.name, fw.claim, fw.claimed_status, bool(dists),
                                            dists, companions=companions, probe=probe, status=status))
        return self

    def build(self) -> Report:
        return Report(generated_at="2026-11-23T12:00:00+00:00", fwprobe_version="test",
                      target=Interpreter("/envs/test/bin/python", "3.11.7", "cpython", "linux", "x86_64",
                                         "/envs/test", True, False),
                      system=self.system, frameworks=tuple(self.results))


def with_status(report: Report, framework_id: str, status: StatusAssessment) -> Report:
    return replace(report, frameworks=tuple(replace(r, status=status) if r.id == framework_id else r
                                            for r in report.frameworks))

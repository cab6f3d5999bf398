"""What the machine itself shows: NVIDIA driver and GPUs, CUDA_VISIBLE_DEVICES, CUDA toolkit,
ROCm. Absent tools are facts ("no NVIDIA driver found"), never errors."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from fwprobe.model import Gpu, System
from fwprobe.runner import RunnerError, child_env, run

# Fields asked of nvidia-smi, richest first; an older driver that rejects a field gets BASIC.
FIELDS = ("index", "name", "memory.total", "driver_version", "uuid", "compute_cap", "memory.used",
          "mig.mode.current", "persistence_mode", "pci.bus_id")
BASIC = FIELDS[:5]


def read_system(timeout: float = 15.0, environ: dict[str, str] | None = None) -> System:
    """System facts from ``nvidia-smi`` (when on PATH), the environment, nvcc and ROCm files."""
    env = dict(os.environ if environ is None else environ)
    facts: list[str] = []
    smi = shutil.which("nvidia-smi", path=env.get("PATH"))
    driver = cuda_driver = error = None
    gpus: tuple[Gpu, ...] = ()
    if smi is None:
        facts.append("no NVIDIA driver found (nvidia-smi is not on PATH)")
    else:
        driver, cuda_driver, gpus, error = _nvidia(smi, timeout, env)
        if error:
            facts.append(f"nvidia-smi failed: {error}")
        else:
            facts.append(f"NVIDIA driver {driver or '?'} (supports CUDA {cuda_driver or '?'}), "
                         f"{len(gpus)} GPU(s)")
    cvd = env.get("CUDA_VISIBLE_DEVICES")
    if cvd is not None:
        if not cvd.strip():
            facts.append("CUDA_VISIBLE_DEVICES is set but empty: it hides every GPU")
        else:
            facts.append(f"CUDA_VISIBLE_DEVICES={cvd}")
    toolkit = _nvcc(timeout, env)
    if toolkit:
        facts.append(f"CUDA toolkit {toolkit} (nvcc; the toolkit is not the driver)")
    rocm = _rocm()
    if rocm:
        facts.append(f"ROCm {rocm}")
    return System(nvidia_smi=smi, driver_version=driver, cuda_driver_version=cuda_driver,
                  gpus=gpus, nvidia_error=error, cuda_visible_devices=cvd,
                  cuda_toolkit=toolkit, rocm_version=rocm, facts=tuple(facts))


def _nvidia(smi: str, timeout: float, env: dict[str, str]
            ) -> tuple[str | None, str | None, tuple[Gpu, ...], str | None]:
    try:
        fields: tuple[str, ...] = FIELDS
        listing = run([smi, "--query-gpu=" + ",".join(fields), "--format=csv,noheader,nounits"], timeout,
                      env=child_env(env))
        if not listing.timed_out and listing.returncode != 0 and "field" in listing.output_tail.lower():
            fields = BASIC  # an older driver: what it cannot report is absent, not an error
            listing = run([smi, "--query-gpu=" + ",".join(fields), "--format=csv,noheader,nounits"], timeout,
                          env=child_env(env))
        header = run([smi], timeout, env=child_env(env))
    except RunnerError as exc:
        return None, None, (), str(exc)
    for done in (listing, header):
        if done.timed_out:
            return None, None, (), f"no answer within {timeout:.0f} s"
        if done.returncode != 0:
            last = done.output_tail.strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
            return None, None, (), last[0]
    gpus, driver = parse_gpu_csv(listing.output_tail, fields)
    match = re.search(r"CUDA Version:\s*([\d.]+)", header.output_tail)
    if driver is None:
        m = re.search(r"Driver Version:\s*([\d.]+)", header.output_tail)
        driver = m.group(1) if m else None
    return driver, match.group(1) if match else None, gpus, None


def _value(text: str | None) -> str | None:
    """A CSV cell, or None for nvidia-smi's placeholders ([N/A], [Not Supported], ...)."""
    if text is None:
        return None
    text = text.strip()
    return None if not text or text.startswith("[") or text in ("N/A", "Not Supported") else text


def _int(text: str | None) -> int | None:
    value = _value(text)
    head = value.split()[0] if value else ""
    return int(head) if head.isdigit() else None


def parse_gpu_csv(text: str, fields: tuple[str, ...] = BASIC) -> tuple[tuple[Gpu, ...], str | None]:
    """GPUs and the driver version from ``nvidia-smi --query-gpu=FIELDS --format=csv,noheader``."""
    gpus: list[Gpu] = []
    driver = None
    for line in text.splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) < 4 or not parts[0].isdigit():
            continue
        row = dict(zip(fields, parts))
        gpus.append(Gpu(index=int(parts[0]), name=row.get("name", ""),
                        memory_mib=_int(row.get("memory.total")), uuid=_value(row.get("uuid")),
                        compute_capability=_value(row.get("compute_cap")),
                        memory_used_mib=_int(row.get("memory.used")),
                        mig_mode=_value(row.get("mig.mode.current")),
                        persistence_mode=_value(row.get("persistence_mode")),
                        pci_bus_id=_value(row.get("pci.bus_id"))))
        driver = driver or _value(row.get("driver_version"))
    return tuple(gpus), driver


def _nvcc(timeout: float, env: dict[str, str]) -> str | None:
    nvcc = shutil.which("nvcc", path=env.get("PATH"))
    if nvcc is None:
        for cuda_home in (env.get("CUDA_HOME"), "/usr/local/cuda"):
            if cuda_home and (Path(cuda_home) / "bin" / "nvcc").is_file():
                nvcc = str(Path(cuda_home) / "bin" / "nvcc")
                break
    if nvcc is None:
        return None
    try:
        done = run([nvcc, "--version"], timeout, env=child_env(env))
    except RunnerError:
        return None
    match = re.search(r"release ([\d.]+)", done.output_tail)
    return match.group(1) if match else None


def _rocm() -> str | None:
    for path in ("/opt/rocm/.info/version", "/opt/rocm/.info/version-dev"):
        try:
            return Path(path).read_text(encoding="utf-8").strip() or None
        except OSError:
            continue
    return None

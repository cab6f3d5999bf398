"""What the machine itself shows: NVIDIA driver and GPUs, CUDA_VISIBLE_DEVICES, CUDA toolkit,
ROCm. Absent tools are facts ("no NVIDIA driver found"), never errors."""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from fwprobe.model import Gpu, MigDevice, System
from fwprobe.parsers import (
    merge_mig,
    parse_gpu_csv,
    parse_gpu_list,
    parse_mig_table,
    parse_smi_header,
    rejected_field,
    smi_value,
    smi_warnings,
)
from fwprobe.runner import Finished, RunnerError, child_env, run

__all__ = ["BASIC", "FIELDS", "choose_fields", "parse_gpu_csv", "read_system", "smi_value"]

# Fields asked of nvidia-smi. "driver_version" is deprecated from the 610 drivers on, which offer
# "kmd_version" instead ("will be removed in CUDA 14.0"): the one the driver names is asked.
FIELDS = ("index", "name", "memory.total", "driver_version", "uuid", "compute_cap", "memory.used",
          "mig.mode.current", "persistence_mode", "pci.bus_id")
BASIC = FIELDS[:5]
KMD_FIRST = 595  # the oldest driver series whose --help-query-gpu lists kmd_version, in the captures we keep
# nvidia-smi's exit status when its answer is complete but carries a warning (infoROM is corrupted)
WARNING_EXITS = frozenset({14})


def read_system(timeout: float = 15.0, environ: dict[str, str] | None = None) -> System:
    """System facts from ``nvidia-smi`` (when on PATH), the environment, nvcc and ROCm files.

    ``timeout`` bounds all nvidia-smi calls of the scan together, never each one.
    """
    env = dict(os.environ if environ is None else environ)
    facts: list[str] = []
    smi = shutil.which("nvidia-smi", path=env.get("PATH"))
    found = _Smi()
    if smi is None:
        facts.append("no NVIDIA driver found (nvidia-smi is not on PATH)")
    else:
        found = _nvidia(smi, timeout, env)
        if found.error:
            code = f" (exit status {found.exit_code})" if found.exit_code is not None else ""
            facts.append(f"nvidia-smi failed{code}: {' / '.join(found.error.splitlines())}")
        else:
            facts.append(f"NVIDIA driver {found.driver or '?'} (supports CUDA {found.cuda or '?'}), "
                         f"{len(found.gpus)} GPU(s)")
        facts += [f"nvidia-smi: {w}" for w in found.warnings]
        facts += _mig_facts(found.gpus, found.migs)
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
    return System(nvidia_smi=smi, driver_version=found.driver, cuda_driver_version=found.cuda,
                  gpus=found.gpus, nvidia_error=found.error, cuda_visible_devices=cvd,
                  cuda_toolkit=toolkit, rocm_version=rocm, facts=tuple(facts),
                  nvidia_exit_code=found.exit_code, nvidia_warnings=found.warnings, mig_devices=found.migs)


def _mig_facts(gpus: tuple[Gpu, ...], migs: tuple[MigDevice, ...]) -> list[str]:
    facts = []
    for gpu in gpus:
        if gpu.mig_mode != "Enabled":
            continue
        mine = [m for m in migs if m.gpu_index == gpu.index]
        profiles = ", ".join(m.profile or f"MIG {m.index}" for m in mine)
        facts.append(f"GPU {gpu.index} ({gpu.name}): MIG enabled, {len(mine)} MIG device(s)"
                     + (f": {profiles}" if profiles else ""))
    return facts


@dataclass
class _Smi:
    """What the nvidia-smi calls of one scan found."""

    driver: str | None = None
    cuda: str | None = None
    gpus: tuple[Gpu, ...] = ()
    migs: tuple[MigDevice, ...] = ()
    error: str | None = None
    exit_code: int | None = None
    warnings: tuple[str, ...] = field(default=())


class _Budget:
    """Runs nvidia-smi commands against one deadline shared by all of them."""

    def __init__(self, smi: str, timeout: float, env: dict[str, str]) -> None:
        self.smi, self.timeout, self.env = smi, timeout, env
        self.deadline = time.monotonic() + timeout

    def run(self, *args: str) -> Finished | None:
        """The finished call, or None when the budget is spent (before or during it)."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            return None
        done = run([self.smi, *args], left, env=child_env(self.env))
        return None if done.timed_out else done


def _failed(done: Finished) -> str | None:
    """nvidia-smi's whole message when ``done`` failed (a warning exit with an answer is no failure)."""
    if done.returncode == 0 or done.returncode in WARNING_EXITS:
        return None
    return done.output_tail.strip() or f"exit status {done.returncode}"


def choose_fields(driver: str | None, kmd_label: bool) -> tuple[str, ...]:
    """FIELDS with the driver field this driver knows: ``kmd_version`` where the table says "KMD
    Version" or the driver is 595 or newer (595.71 and 595.80 list it, 591.86 does not),
    ``driver_version`` before; a driver that rejects kmd_version anyway gets driver_version."""
    major = driver.split(".")[0] if driver else ""
    if kmd_label or (major.isdigit() and int(major) >= KMD_FIRST):
        return tuple("kmd_version" if f == "driver_version" else f for f in FIELDS)
    return FIELDS


def _without(fields: tuple[str, ...], unknown: str) -> tuple[str, ...]:
    """``fields`` less the one the driver rejected; the renamed driver field falls back to its old name."""
    if unknown == "kmd_version":
        return tuple("driver_version" if f == unknown else f for f in fields)
    return tuple(f for f in fields if f != unknown)


def _nvidia(smi: str, timeout: float, env: dict[str, str]) -> _Smi:
    """The default table first (driver, CUDA, MIG devices, and the real failure when there is
    one), then one --query-gpu with the fields this driver knows, then -L on MIG nodes. A field the
    driver rejects anyway is named in its message: only that one is dropped and the query asked again."""
    budget = _Budget(smi, timeout, env)
    no_answer = f"no answer within {timeout:.0f} s"
    try:
        table = budget.run()
        if table is None:
            return _Smi(error=no_answer)
        error = _failed(table)
        if error is not None:
            return _Smi(error=error, exit_code=table.returncode)
        driver, cuda, kmd = parse_smi_header(table.output_tail)
        warnings = smi_warnings(table.output_tail)
        fields = choose_fields(driver, kmd)
        listing = budget.run("--query-gpu=" + ",".join(fields), "--format=csv,noheader,nounits")
        while listing is not None and _failed(listing) is not None:
            unknown = rejected_field(listing.output_tail)
            if unknown not in fields or unknown == "index":
                break
            fields = _without(fields, unknown)
            listing = budget.run("--query-gpu=" + ",".join(fields), "--format=csv,noheader,nounits")
        if listing is None:
            return _Smi(driver, cuda, error=no_answer, warnings=warnings)
        error = _failed(listing)
        if error is not None:
            return _Smi(driver, cuda, error=error, exit_code=listing.returncode, warnings=warnings)
        gpus, csv_driver = parse_gpu_csv(listing.output_tail, fields)
        warnings += tuple(w for w in smi_warnings(listing.output_tail) if w not in warnings)
        migs = parse_mig_table(table.output_tail)
        if migs or any(g.mig_mode == "Enabled" for g in gpus):
            listed = budget.run("-L")  # profiles and MIG UUIDs; without them the table's facts stand
            if listed is not None and _failed(listed) is None:
                migs = merge_mig(migs, parse_gpu_list(listed.output_tail)[1])
        exit_code = next((d.returncode for d in (table, listing) if d.returncode), None)
        return _Smi(csv_driver or driver, cuda, gpus, migs, None, exit_code, warnings)
    except RunnerError as exc:
        return _Smi(error=str(exc))


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

"""read_system against real nvidia-smi captures (tests/fixtures/nvidia/, see its README) replayed
by a fake that answers exactly the command lines fwprobe issues, and against nvidia-smi's real
failure messages with their real exit statuses (sources in tests/fakes/nvidia.py)."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from fakes.nvidia import FAILURES, FIXTURES, INFOROM_TABLE, NVIDIA_SMI, failing_script, replay_script
from fwprobe.system import read_system

H100_MIG = "linux-x86_64__nvidia-h100-mig__590.48.01.txt"
H200_MIG = "linux-x86_64__nvidia-h200-mig__590.48.01.txt"
RTX_610 = "linux-x86_64__nvidia-geforce-rtx-2080-super__610.57.04.txt"
WIN_610 = "windows-x86_64__nvidia-geforce-rtx-2080-super__610.62.txt"
L40S_595 = "linux-x86_64__nvidia-l40s__595.80.txt"


def _install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str, name: str = "nvidia-smi") -> Path:
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    smi = bindir / name
    smi.write_text(script)
    smi.chmod(smi.stat().st_mode | stat.S_IEXEC)
    # only this bin dir and the interpreter's: no real nvcc or nvidia-smi of the machine leaks in
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}/bin{os.pathsep}/usr/bin")
    monkeypatch.delenv("CUDA_HOME", raising=False)
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    return smi


@pytest.fixture
def replay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Installs the replay nvidia-smi for a capture; returns the list of command lines it was given."""
    log = tmp_path / "calls.log"

    def use(capture: str) -> Path:
        _install(tmp_path, monkeypatch, replay_script())
        monkeypatch.setenv("FAKE_NVIDIA_CAPTURE", str(FIXTURES / capture))
        monkeypatch.setenv("FAKE_NVIDIA_LOG", str(log))
        return log

    return use


def _calls(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


@pytest.mark.parametrize("capture, driver, cuda", [(RTX_610, "610.57.04", "13.3"), (WIN_610, "610.62", "13.3")])
def test_610_drivers_kmd_and_cuda_umd_versions(replay, capture: str, driver: str, cuda: str) -> None:
    log = replay(capture)
    s = read_system()
    assert (s.driver_version, s.cuda_driver_version, s.nvidia_error) == (driver, cuda, None)
    assert [(g.name, g.memory_mib, g.compute_capability) for g in s.gpus] == [("NVIDIA GeForce RTX 2080 SUPER", 8192, "7.5")]
    assert any(f"NVIDIA driver {driver} (supports CUDA {cuda}), 1 GPU(s)" == f for f in s.facts)
    queries = [c for c in _calls(log) if c.startswith("--query-gpu=")]
    assert len(queries) == 1 and "kmd_version" in queries[0] and "driver_version" not in queries[0]


def test_a_595_driver_is_asked_kmd_version_because_it_lists_it(replay) -> None:
    log = replay(L40S_595)
    s = read_system()
    assert (s.driver_version, s.cuda_driver_version) == ("595.80", "13.2")
    gpu = s.gpus[0]
    assert (gpu.name, gpu.memory_mib, gpu.memory_used_mib, gpu.compute_capability, gpu.mig_mode, gpu.pci_bus_id) == (
        "NVIDIA L40S", 46068, 0, "8.9", None, "00000000:01:00.0")  # [N/A] MIG mode is absent, not a value
    assert s.mig_devices == () and "-L" not in _calls(log)  # no MIG: no third call
    assert next(c for c in _calls(log) if c.startswith("--query-gpu=")).split(",")[3] == "kmd_version"


def test_a_590_driver_lacks_kmd_version_and_is_asked_driver_version(replay) -> None:
    log = replay(H100_MIG)
    s = read_system()
    assert s.driver_version == "590.48.01" and s.cuda_driver_version == "13.1"
    query = next(c for c in _calls(log) if c.startswith("--query-gpu="))
    assert "driver_version" in query and "kmd_version" not in query


def test_mig_h100_four_instances(replay) -> None:
    replay(H100_MIG)
    s = read_system()
    assert [(g.index, g.name, g.mig_mode) for g in s.gpus] == [(0, "NVIDIA H100 80GB HBM3", "Enabled")]
    assert [(d.gpu_index, d.index, d.profile, d.gpu_instance_id, d.compute_instance_id, d.memory_mib)
            for d in s.mig_devices] == [
        (0, 0, "3g.40gb", 2, 0, 40448), (0, 1, "2g.20gb", 3, 0, 20096),
        (0, 2, "1g.10gb", 9, 0, 9984), (0, 3, "1g.10gb", 10, 0, 9984)]
    assert [d.uuid for d in s.mig_devices] == [f"MIG-0000000{i}-0000-0000-0000-00000000000{i}" for i in range(4)]
    assert "GPU 0 (NVIDIA H100 80GB HBM3): MIG enabled, 4 MIG device(s): 3g.40gb, 2g.20gb, 1g.10gb, 1g.10gb" in s.facts


def test_mig_h200_two_compute_instances_share_one_gpu_instance(replay) -> None:
    replay(H200_MIG)
    s = read_system()
    assert [(d.profile, d.gpu_instance_id, d.compute_instance_id, d.memory_mib) for d in s.mig_devices] == [
        ("1c.3g.71gb", 2, 0, 71424), ("2c.3g.71gb", 2, 1, 71424), ("2g.35gb", 3, 0, 33280),
        ("1g.18gb", 9, 0, 16384), ("1g.18gb", 10, 0, 16384)]


def test_the_report_json_carries_mig_devices_verbatim(replay) -> None:
    from fwprobe.model import Report

    replay(H100_MIG)
    data = Report("t", "0", None, read_system(), ()).to_dict()["system"]
    assert data["mig_devices"][0] == {"gpu_index": 0, "index": 0, "profile": "3g.40gb",
                                      "uuid": "MIG-00000000-0000-0000-0000-000000000000", "gpu_instance_id": 2,
                                      "compute_instance_id": 0, "memory_mib": 40448, "memory_used_mib": 26}
    assert data["gpus"][0]["mig_mode"] == "Enabled" and data["nvidia_warnings"] == []


def test_an_unknown_field_drops_only_that_field(replay, monkeypatch) -> None:
    """An older driver that does not know compute_cap (470.182.03 rejects it:
    https://github.com/huggingface/candle/issues/733; message and exit 2 as in
    https://github.com/CoHDI/composable-resource-operator/issues/37): only that field is dropped."""
    log = replay(L40S_595)
    monkeypatch.setenv("FAKE_NVIDIA_UNKNOWN", "compute_cap")
    s = read_system()
    queries = [c.split(" ")[0].removeprefix("--query-gpu=").split(",") for c in _calls(log)
               if c.startswith("--query-gpu=")]
    assert len(queries) == 2 and "compute_cap" in queries[0]
    assert queries[1] == [f for f in queries[0] if f != "compute_cap"]
    gpu = s.gpus[0]
    assert s.nvidia_error is None and gpu.compute_capability is None
    assert (gpu.name, gpu.memory_mib, gpu.memory_used_mib, gpu.persistence_mode, gpu.pci_bus_id) == (
        "NVIDIA L40S", 46068, 0, "Disabled", "00000000:01:00.0")


def test_a_driver_that_rejects_kmd_version_gets_driver_version(replay, monkeypatch) -> None:
    log = replay(L40S_595)
    monkeypatch.setenv("FAKE_NVIDIA_UNKNOWN", "kmd_version")
    s = read_system()
    queries = [c for c in _calls(log) if c.startswith("--query-gpu=")]
    assert len(queries) == 2 and "kmd_version" in queries[0] and "driver_version" in queries[1]
    assert s.driver_version == "595.80" and s.gpus[0].compute_capability == "8.9"


@pytest.mark.parametrize("kind", sorted(FAILURES))
def test_real_failures_keep_the_whole_message_and_exit_status(tmp_path, monkeypatch, kind: str) -> None:
    message, status, _source = FAILURES[kind]
    _install(tmp_path, monkeypatch, failing_script(message, status))
    s = read_system()
    assert s.gpus == () and s.nvidia_error == message and s.nvidia_exit_code == status
    assert s.facts[0] == f"nvidia-smi failed (exit status {status}): {' / '.join(message.splitlines())}"


def test_exit_14_keeps_the_gpus_and_the_warning(tmp_path, monkeypatch) -> None:
    base = _install(tmp_path, monkeypatch, NVIDIA_SMI, name="nvidia-smi-base")
    table = tmp_path / "table.txt"
    table.write_text(INFOROM_TABLE + "\n")
    _install(tmp_path, monkeypatch, f'#!/bin/sh\nif [ $# -eq 0 ]; then cat "{table}"; exit 14; fi\n'
                                    f'"{base}" "$@"\nexit 14\n')
    s = read_system()
    assert s.nvidia_error is None and len(s.gpus) == 2 and s.nvidia_exit_code == 14
    assert s.driver_version == "550.54.15" and s.cuda_driver_version == "11.4"  # the table's CUDA, the CSV's driver
    assert s.nvidia_warnings == ("WARNING: infoROM is corrupted at gpu 0000:0B:00.0",)
    assert "nvidia-smi: WARNING: infoROM is corrupted at gpu 0000:0B:00.0" in s.facts


def test_one_time_budget_for_every_call_and_no_process_left(tmp_path, monkeypatch) -> None:
    """The table answers, the next call hangs: the scan ends at the one deadline, the hung child is
    killed, and no further call is started after the budget is spent."""
    log, pids = tmp_path / "calls.log", tmp_path / "pids"
    _install(tmp_path, monkeypatch, f'#!/bin/sh\necho "$*" >> "{log}"\necho $$ >> "{pids}"\n'
                                    'if [ $# -eq 0 ]; then echo "| NVIDIA-SMI 550.54.15  Driver Version: 550.54.15  '
                                    'CUDA Version: 12.4 |"; exit 0; fi\nexec sleep 60\n')
    s = read_system(timeout=1)
    assert s.gpus == () and s.nvidia_error == "no answer within 1 s"
    assert s.driver_version == "550.54.15"  # what the table said before the hang is kept
    assert len(_calls(log)) == 2 and _calls(log)[1].startswith("--query-gpu=")  # spent in the second: no third
    for pid in pids.read_text().split():
        with pytest.raises(ProcessLookupError):
            os.kill(int(pid), 0)

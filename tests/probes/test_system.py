"""System facts from a fake nvidia-smi, and their absence."""

from __future__ import annotations

from fwprobe.system import parse_gpu_csv, read_system


def test_fake_nvidia_smi_gives_driver_cuda_and_gpus(fake_nvidia_smi) -> None:
    s = read_system()
    assert s.nvidia_smi == str(fake_nvidia_smi)
    assert (s.driver_version, s.cuda_driver_version) == ("550.54.15", "12.4")
    assert [(g.index, g.name, g.memory_mib) for g in s.gpus] == [
        (0, "NVIDIA A100-SXM4-80GB", 81920), (1, "NVIDIA A100-SXM4-80GB", 81920)]
    assert s.gpus[0].uuid.startswith("GPU-")
    assert any("2 GPU(s)" in f for f in s.facts)


def test_no_driver_is_a_fact_not_an_error(no_gpu_tools) -> None:
    s = read_system()
    assert s.nvidia_smi is None and s.gpus == () and s.nvidia_error is None
    assert "no NVIDIA driver found" in s.facts[0]


def test_empty_cuda_visible_devices_is_called_out(no_gpu_tools, monkeypatch) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    s = read_system()
    assert s.cuda_visible_devices == ""
    assert any("hides every GPU" in f for f in s.facts)


def test_failing_nvidia_smi_reports_its_message(fake_nvidia_smi) -> None:
    fake_nvidia_smi.write_text("#!/bin/sh\necho 'NVIDIA-SMI has failed because it could not "
                               "communicate with the NVIDIA driver.'\nexit 9\n")
    s = read_system()
    assert s.gpus == () and "could not communicate" in (s.nvidia_error or "")


def test_gpu_csv_parser_skips_garbage() -> None:
    gpus, driver = parse_gpu_csv("garbage\n0, Tesla T4, 15360, 535.104.05, GPU-abc\n\n")
    assert driver == "535.104.05" and [(g.name, g.memory_mib) for g in gpus] == [("Tesla T4", 15360)]


def test_a_hanging_nvidia_smi_times_out(fake_nvidia_smi) -> None:
    fake_nvidia_smi.write_text("#!/bin/sh\nexec sleep 60\n")
    s = read_system(timeout=1)
    assert s.gpus == () and "no answer within 1 s" in (s.nvidia_error or "")


def test_richer_gpu_facts_and_an_older_driver_that_lacks_them(fake_nvidia_smi, monkeypatch) -> None:
    gpu = read_system().gpus[1]
    assert (gpu.compute_capability, gpu.memory_used_mib, gpu.mig_mode, gpu.persistence_mode, gpu.pci_bus_id) == (
        "8.0", 1024, None, "Enabled", "00000000:01:00.0")  # [N/A] is absent, not a value
    monkeypatch.setenv("FAKE_OLD_DRIVER", "1")
    old = read_system()
    assert old.nvidia_error is None and len(old.gpus) == 2
    assert old.gpus[0].compute_capability is None and old.gpus[0].memory_mib == 81920


def test_parse_gpu_csv_by_field_name() -> None:
    from fwprobe.system import FIELDS

    gpus, driver = parse_gpu_csv("0, NVIDIA H100 80GB HBM3, 81559, 580.65.06, GPU-1, 9.0, 0, Disabled, Disabled, "
                                 "00000000:18:00.0\n", FIELDS)
    assert driver == "580.65.06" and gpus[0].compute_capability == "9.0" and gpus[0].mig_mode == "Disabled"

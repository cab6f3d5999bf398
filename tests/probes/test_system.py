"""System facts from a fake nvidia-smi, and their absence."""

from __future__ import annotations

from fwprobe.system import BASIC, parse_gpu_csv, read_system


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
    assert s.gpus == () and "could not communicate" in (s.nvidia_error or "") and s.nvidia_exit_code == 9


def test_gpu_csv_parser_skips_garbage() -> None:
    gpus, driver = parse_gpu_csv("garbage\n0, Tesla T4, 15360, 535.104.05, GPU-abc\n\n", BASIC)
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


def test_host_facts_parsers_and_redaction() -> None:
    from fwprobe.host import container_of, parse_cpuinfo, parse_meminfo, parse_os_release, steering_env

    assert parse_os_release('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\n') == (
        "Debian GNU/Linux", "12")
    assert parse_meminfo("MemTotal:       24683656 kB\nMemFree: 1 kB\n") == 24683656 * 1024
    assert parse_cpuinfo("processor\t: 0\nmodel name\t: AMD EPYC 7763 64-Core Processor\n") == "AMD EPYC 7763 64-Core Processor"
    assert container_of({"/.dockerenv": True}, "", {}) == "docker"
    assert container_of({}, "0::/kubepods/burstable/pod1", {}) == "kubernetes"
    assert container_of({"/run/.containerenv": True}, "", {}) == "podman"
    assert container_of({}, "0::/", {}) is None
    env = steering_env({"CUDA_VISIBLE_DEVICES": "0", "HOME": "/root", "NCCL_IB_HCA": "mlx5",
                        "TF_API_TOKEN": "abc", "XLA_FLAGS": "--xla_gpu_cuda_data_dir=/usr/local/cuda",
                        "PYTORCH_HF_MIRROR": "https://u:p4ss@mirror.example/", "OMP_NUM_THREADS": "8",
                        # Terraform's, not TensorFlow's: left out
                        "TF_CLI_CONFIG_FILE": "/root/.terraformrc", "TF_VAR_region": "eu-west-1",
                        "TF_TOKEN_app_example": "t0k3n", "TF_LOG": "trace", "TF_CLI_ARGS_plan": "-refresh=false",
                        "TF_CPP_MIN_LOG_LEVEL": "2", "TF_CONFIG": '{"cluster": {}}'})
    assert env == {"CUDA_VISIBLE_DEVICES": "0", "NCCL_IB_HCA": "mlx5", "OMP_NUM_THREADS": "8",
                   "PYTORCH_HF_MIRROR": "***", "TF_API_TOKEN": "***", "TF_CONFIG": '{"cluster": {}}',
                   "TF_CPP_MIN_LOG_LEVEL": "2", "XLA_FLAGS": "--xla_gpu_cuda_data_dir=/usr/local/cuda"}


def test_read_host_on_this_machine() -> None:
    import os
    import socket

    from fwprobe.host import read_host

    h = read_host({"CUDA_VISIBLE_DEVICES": "1"})
    assert h.hostname == socket.gethostname() and h.logical_cores == os.cpu_count()
    assert h.kernel and h.env == {"CUDA_VISIBLE_DEVICES": "1"}
    if os.path.exists("/proc/meminfo"):
        assert h.memory_bytes and h.memory_bytes > 2**28


def test_scheduler_context_and_output_placeholders() -> None:
    from fwprobe.output import fill
    from fwprobe.scheduler import scheduler_context

    assert scheduler_context({"SLURM_JOB_ID": "42", "SLURMD_NODENAME": "n1", "SLURM_PROCID": "0", "HOME": "/r"}) == {
        "scheduler": "slurm", "SLURM_JOB_ID": "42", "SLURMD_NODENAME": "n1", "SLURM_PROCID": "0"}
    assert scheduler_context({"KUBERNETES_SERVICE_HOST": "10.0.0.1", "NODE_NAME": "gpu-7", "POD_NAME": "fwprobe-x"}) == {
        "scheduler": "kubernetes", "NODE_NAME": "gpu-7", "POD_NAME": "fwprobe-x", "KUBERNETES_SERVICE_HOST": "10.0.0.1"}
    assert scheduler_context({"NODE_NAME": "laptop"}) == {}  # a NODE_NAME outside Kubernetes says nothing
    assert scheduler_context({}) == {}
    assert fill("r/{host}-{time}.json", "gpu-7", "2026-11-24T06:10:00+00:00") == "r/gpu-7-2026-11-24T061000Z.json"

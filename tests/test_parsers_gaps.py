"""nvidia-smi's output as fwprobe reads it, line by line, in the shapes real drivers print
(old and 610+ labels, placeholders, MIG tables, ``-L`` lists of both MIG naming eras) and
/proc/self/maps lines at their edges. Pure: text in, facts out."""

from __future__ import annotations

import pytest

from fwprobe.model import Gpu, MigDevice
from fwprobe.parsers import (
    loaded_libraries,
    merge_mig,
    parse_gpu_csv,
    parse_gpu_list,
    parse_maps_line,
    parse_mig_table,
    parse_smi_header,
    rejected_field,
    smi_value,
    smi_warnings,
)

OLD_TABLE = """\
+-----------------------------------------------------------------------------------------+
| NVIDIA-SMI 550.54.15              Driver Version: 550.54.15      CUDA Version: 12.4     |
|-----------------------------------------+------------------------+----------------------+
"""
NEW_TABLE = """\
| NVIDIA-SMI 610.57.04        KMD Version: 610.57.04        CUDA UMD Version: 13.2       |
"""
VERSION = """\
NVIDIA-SMI version  : 590.48.01
NVML version        : 590.48
DRIVER version      : 590.48.01
CUDA Version        : 13.1
"""


@pytest.mark.parametrize("text, parsed", [
    (OLD_TABLE, ("550.54.15", "12.4", False)),
    (NEW_TABLE, ("610.57.04", "13.2", True)),
    (VERSION, ("590.48.01", "13.1", False)),
    ("kmd version: 610.1", (None, None, False)),
    ("", (None, None, False)),
])
def test_the_driver_and_cuda_version_from_either_generation_of_labels(text: str, parsed) -> None:
    assert parse_smi_header(text) == parsed


def test_a_rejected_field_is_named_with_straight_or_curly_quotes() -> None:
    assert rejected_field('Field "kmd_version" is not a valid field to query.\n\n') == "kmd_version"
    assert rejected_field("Field \u201ccompute_cap\u201d is not a valid field to query.") == "compute_cap"
    assert rejected_field("No devices were found") is None


def test_warnings_are_the_warning_lines_only() -> None:
    text = "0, NVIDIA A100\n  WARNING: infoROM is corrupted at gpu 0000:41:00.0  \nwarning: lower case\n"
    assert smi_warnings(text) == ("WARNING: infoROM is corrupted at gpu 0000:41:00.0",)
    assert smi_warnings("") == ()


@pytest.mark.parametrize("cell, value", [
    (None, None), ("", None), ("   ", None), ("[N/A]", None), ("[Not Supported]", None), ("N/A", None),
    ("Not Supported", None), (" 81559 MiB ", "81559 MiB"), ("Enabled", "Enabled"),
])
def test_placeholders_are_no_value(cell: str | None, value: str | None) -> None:
    assert smi_value(cell) == value


FIELDS = ("index", "name", "uuid", "memory.total", "memory.used", "compute_cap", "mig.mode.current",
          "persistence_mode", "pci.bus_id", "kmd_version", "driver_version")


def test_gpu_rows_are_read_by_field_name() -> None:
    text = ("index, name, uuid, memory.total [MiB], ...\n"  # a header row (no noheader): not a GPU
            "0, NVIDIA H100 80GB HBM3, GPU-0aaa, 81559 MiB, 26 MiB, 9.0, Enabled, Enabled, 00000000:41:00.0, "
            "[N/A], 590.48.01\n"
            "1, NVIDIA H100 80GB HBM3, GPU-1bbb, [N/A], [Not Supported], [N/A], [N/A], Disabled, "
            "00000000:42:00.0, 610.1, 590.48.01\n"
            "2, too, few, columns\n")
    gpus, driver = parse_gpu_csv(text, FIELDS)
    assert gpus == (
        Gpu(0, "NVIDIA H100 80GB HBM3", 81559, "GPU-0aaa", "9.0", 26, "Enabled", "Enabled", "00000000:41:00.0"),
        Gpu(1, "NVIDIA H100 80GB HBM3", None, "GPU-1bbb", None, None, None, "Disabled", "00000000:42:00.0"),
    )
    assert driver == "590.48.01"  # the first row's: its kmd_version is a placeholder


def test_the_driver_comes_from_kmd_version_where_the_driver_prints_one() -> None:
    gpus, driver = parse_gpu_csv("0, NVIDIA RTX, 610.57.04, 610.57.04\n",
                                 ("index", "name", "kmd_version", "driver_version"))
    assert driver == "610.57.04" and gpus == (Gpu(0, "NVIDIA RTX"),)
    gpus, driver = parse_gpu_csv("3, NVIDIA L40S, 550.1\n", ("index", "name", "driver_version"))
    assert driver == "550.1" and [g.index for g in gpus] == [3]
    assert parse_gpu_csv("", ("index",)) == ((), None)


MIG_TABLE = """\
+-----------------------------------------------------------------------------------------+
| GPU  GI  CI  MIG |              Shared Memory-Usage |        Vol|        Shared         |
|==================+==================================+===========+=======================|
|  0    0   0   0  |                 0MiB / 81559MiB  |           |                       |
+-----------------------------------------------------------------------------------------+
| MIG devices:                                                                            |
+------------------+----------------------------------+-----------+-----------------------+
|  0    2   0   0  |              26MiB / 40448MiB    | 60      0 |  3   0    3    0    3 |
|                  |               0MiB / 24739MiB    |           |                       |
|  0    3   0   1  |              17MiB / 20096MiB    | 32      0 |  2   0    2    0    2 |
|  1  N/A N/A   0  |               9MiB /  9984MiB    | 16      0 |  1   0    1    0    1 |
+-----------------------------------------------------------------------------------------+
| Processes:                                                                              |
|  0    7   0   5  |              11MiB / 11111MiB    |           |                       |
"""


def test_mig_devices_from_the_table_section_only() -> None:
    assert parse_mig_table(MIG_TABLE) == (
        MigDevice(0, 0, gpu_instance_id=2, compute_instance_id=0, memory_mib=40448, memory_used_mib=26),
        MigDevice(0, 1, gpu_instance_id=3, compute_instance_id=0, memory_mib=20096, memory_used_mib=17),
        MigDevice(1, 0, gpu_instance_id=None, compute_instance_id=None, memory_mib=9984, memory_used_mib=9),
    )
    assert parse_mig_table(MIG_TABLE.replace("MIG devices:", "Other things:")) == ()


LIST = """\
  MIG 1g.10gb     Device  9: (UUID: MIG-orphan)
GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-0aaa)
  MIG 3g.40gb     Device  0: (UUID: MIG-11111111-2222)
  MIG 2g.20gb     Device  1: (UUID: MIG-GPU-0aaa/3/0)
GPU 1: NVIDIA A100-SXM4-40GB (UUID: GPU-1bbb)
  MIG 1g.5gb      Device  0: (UUID: MIG-GPU-1bbb/7/2)
"""


def test_the_gpu_list_pairs_each_mig_device_with_the_gpu_above_it() -> None:
    gpus, migs = parse_gpu_list(LIST)
    assert gpus == {0: "GPU-0aaa", 1: "GPU-1bbb"}
    assert migs == (
        MigDevice(0, 0, "3g.40gb", "MIG-11111111-2222"),
        MigDevice(0, 1, "2g.20gb", "MIG-GPU-0aaa/3/0", gpu_instance_id=3, compute_instance_id=0),
        MigDevice(1, 0, "1g.5gb", "MIG-GPU-1bbb/7/2", gpu_instance_id=7, compute_instance_id=2),
    )
    assert parse_gpu_list("") == ({}, ())


def test_the_table_and_the_list_are_joined_on_gpu_and_device() -> None:
    table = (MigDevice(1, 0, memory_mib=9984, memory_used_mib=9),
             MigDevice(0, 1, gpu_instance_id=3, compute_instance_id=0, memory_mib=20096, memory_used_mib=17),
             MigDevice(0, 5, gpu_instance_id=9, memory_mib=10, memory_used_mib=1))
    listed = (MigDevice(0, 1, "2g.20gb", "MIG-GPU-0aaa/4/1", gpu_instance_id=4, compute_instance_id=1),
              MigDevice(1, 0, "1g.5gb", "MIG-GPU-1bbb/7/2", gpu_instance_id=7, compute_instance_id=2),
              MigDevice(2, 0, "1g.10gb", "MIG-only-listed"))
    assert merge_mig(table, listed) == (
        MigDevice(0, 1, "2g.20gb", "MIG-GPU-0aaa/4/1", 3, 0, 20096, 17),  # the table's ids win
        MigDevice(0, 5, gpu_instance_id=9, memory_mib=10, memory_used_mib=1),  # only in the table
        MigDevice(1, 0, "1g.5gb", "MIG-GPU-1bbb/7/2", 7, 2, 9984, 9),  # ids from the list where the table has none
        MigDevice(2, 0, "1g.10gb", "MIG-only-listed"),  # only in the list
    )


def test_maps_lines_at_their_edges() -> None:
    assert parse_maps_line("7f00-7f01 r-xp 00000000 08:01 12 /opt/my libs/libcudnn.so.9") == "/opt/my libs/libcudnn.so.9"
    assert parse_maps_line("7f00-7f01 r-xp 00000000 08:01 12 /usr/lib/libcuda.so.1 (deleted)") == "/usr/lib/libcuda.so.1"
    assert parse_maps_line("7f00-7f01 r-xp 00000000 00:00 0") is None
    assert parse_maps_line("7f00-7f01 r-xp 00000000 00:00 0 anon_inode:[perf_event]") is None
    libs = loaded_libraries(["7f00-7f01 r-xp 0 08:01 1 /usr/lib/libnccl.so",
                             "7f02-7f03 r--p 0 08:01 1 /usr/lib/libnccl.so",
                             "7f04-7f05 r-xp 0 08:01 2 /usr/lib/python3.11/lib-dynload/_ssl.cpython-311.so",
                             "7f06-7f07 r-xp 0 08:01 3 /usr/lib/libnvrtc-builtins.so.12.4",
                             None, 42])  # type: ignore[list-item]
    assert [(x.name, x.path, x.version) for x in libs] == [
        ("libnccl", "/usr/lib/libnccl.so", None), ("libnvrtc-builtins", "/usr/lib/libnvrtc-builtins.so.12.4", "12.4")]

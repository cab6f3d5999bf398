"""The pure parsers of outside formats: /proc/self/maps lines and kernel architecture lists."""

from __future__ import annotations

import pytest

from fwprobe.parsers import arch_covers, loaded_libraries, parse_arch, parse_maps_line

MAPS = """\
7f1c2a000000-7f1c2a021000 rw-p 00000000 00:00 0
7f1c30000000-7f1c30200000 r-xp 00000000 08:01 1234 /venv/lib/python3.11/site-packages/nvidia/cudnn/lib/libcudnn.so.9
7f1c30200000-7f1c30201000 r--p 00200000 08:01 1234 /venv/lib/python3.11/site-packages/nvidia/cudnn/lib/libcudnn.so.9
7f1c31000000-7f1c31100000 r-xp 00000000 08:01 99 /usr/local/cuda-12.2/lib64/libcudnn.so.8.9.7
7f1c32000000-7f1c32100000 r-xp 00000000 08:01 77 /usr/lib/x86_64-linux-gnu/libcuda.so.550.54.15
7f1c33000000-7f1c33100000 r-xp 00000000 08:01 78 /venv/lib/python3.11/site-packages/nvidia/cuda_runtime/lib/libcudart.so.12
7f1c34000000-7f1c34100000 r-xp 00000000 08:01 79 /venv/lib/python3.11/site-packages/nvidia/cublas/lib/libcublasLt.so.12 (deleted)
7ffd1a000000-7ffd1a021000 rw-p 00000000 00:00 0                          [stack]
"""


def test_maps_lines_give_each_library_once_with_its_version() -> None:
    libs = loaded_libraries(MAPS.splitlines())
    assert [(lib.name, lib.version) for lib in libs] == [
        ("libcudnn", "9"), ("libcudnn", "8.9.7"), ("libcuda", "550.54.15"), ("libcudart", "12"), ("libcublasLt", "12")]
    assert libs[1].path == "/usr/local/cuda-12.2/lib64/libcudnn.so.8.9.7"
    assert libs[-1].path.endswith("libcublasLt.so.12")  # " (deleted)" is not part of the path
    assert parse_maps_line("7ffd1a000000-7ffd1a021000 rw-p 00000000 00:00 0 [stack]") is None


@pytest.mark.parametrize("entry, parsed", [("sm_90", ("sm", 9, 0)), ("sm_90a", ("sm", 9, 0)),
                                           ("sm_120", ("sm", 12, 0)), ("compute_80", ("compute", 8, 0)),
                                           ("gfx90a", None), ("", None)])
def test_parse_arch(entry: str, parsed) -> None:
    assert parse_arch(entry) == parsed


@pytest.mark.parametrize("archs, capability, covered", [
    (["sm_80", "sm_90"], "9.0", True),
    (["sm_80", "sm_90"], "8.6", True),       # SASS sm_80 runs on 8.6 (same major, lower minor)
    (["sm_86"], "8.0", False),               # but not on a lower minor
    (["sm_80", "sm_90"], "12.0", False),     # a new major needs its own kernels...
    (["sm_80", "compute_90"], "12.0", True),  # ...or PTX at or below it, JIT-compiled
    (["compute_90"], "8.0", False),
    (["gfx90a"], "8.0", None), ([], "8.0", None), (["sm_80"], "?", None),
])
def test_arch_covers(archs, capability: str, covered) -> None:
    assert arch_covers(archs, capability) is covered


@pytest.mark.parametrize("raw, shown", [("90100", "9.1.0"), ("91600", "9.16.0"), ("8902", "8.9.2"),
                                        ("8700", "8.7.0"), ("7605", "7.6.5"), ("9", "9"), ("9.1.0", "9.1.0"),
                                        ("", "")])
def test_cudnn_versions_read_as_people_write_them(raw: str, shown: str) -> None:
    from fwprobe.parsers import cudnn_version

    assert cudnn_version(raw) == shown

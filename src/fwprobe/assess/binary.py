"""What a binary's failure says about how it was built (pure: text in, facts out).

NumPy's ABI: an extension compiled against NumPy 1.x cannot run on NumPy 2.x and the reverse;
NumPy and Cython word it in a few known ways (some in the exception, some only on stderr).
Local version labels: ``2.9.1+cu126`` names the CUDA release a wheel was built for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# NumPy 2's own words (numpy/core/_multiarray_umath.py) and what an old extension's import_array()
# turns them into; Cython's check of the dtype struct; the C API version check of numpy's headers
_NUMPY_2_SAYS = re.compile(r"A module that was compiled using NumPy 1\.x cannot be run in\s+NumPy (2[\d.]*)")
_BUILT_FOR_1 = re.compile(r"_ARRAY_API not found|numpy\.core\.multiarray failed to import|"
                          r"numpy\.core\.umath failed to import")
_DTYPE_SIZE = re.compile(r"numpy\.dtype size changed, may indicate binary incompatibility[^\n]*")
_API_VERSION = re.compile(r"compiled against (?:ABI|API) version (0x[0-9a-fA-F]+) but this version of numpy is "
                          r"(0x[0-9a-fA-F]+)")
# a frame of a traceback inside an installed package: the culprit is the last one not numpy's own
_FRAME = re.compile(r"""File "[^"]*[/\\](?:site|dist)-packages[/\\]([A-Za-z_][\w]*)[/\\.]""")


@dataclass(frozen=True)
class NumpyAbi:
    built_for: str  # "1.x" | "2.x": the NumPy the extension was compiled against
    quote: str  # NumPy's (or Cython's) words, one line
    module: str | None = None  # the package whose extension failed, from the traceback, when one shows


def numpy_abi(*texts: str | None, numpy_version: str | None = None) -> NumpyAbi | None:
    """The NumPy ABI mismatch ``texts`` (an error message, what was written to stderr) show, or
    None. ``numpy_version``: the installed NumPy, which tells the direction of Cython's dtype-size
    check (it names no version)."""
    text = "\n".join(t for t in texts if t)
    if not text:
        return None
    numpy_major = (numpy_version or "").split(".", 1)[0]
    found: NumpyAbi | None = None
    if m := _API_VERSION.search(text):
        built, here = int(m[1], 16), int(m[2], 16)
        found = NumpyAbi("2.x" if built > here else "1.x", m[0])
    elif m := _NUMPY_2_SAYS.search(text):
        found = NumpyAbi("1.x", " ".join(m[0].split()))
    elif (m := _BUILT_FOR_1.search(text)) and numpy_major in ("", "2"):  # under NumPy 1 it is something else
        found = NumpyAbi("1.x", m[0])
    elif m := _DTYPE_SIZE.search(text):
        found = NumpyAbi("1.x" if numpy_major == "2" else "2.x", m[0].strip())
    if found is None:
        return None
    frames = [name for name in _FRAME.findall(text) if name not in ("numpy", "importlib")]
    return NumpyAbi(found.built_for, found.quote, frames[-1] if frames else None)


def local_label(version: str) -> str | None:
    """The local version label: "cu126" of "2.9.1+cu126", "cpu", "rocm6.2"; None without one."""
    return version.split("+", 1)[1].lower() if "+" in version else None


def cuda_of_label(label: str | None) -> tuple[int, int] | None:
    """(12, 6) of "cu126", (13, 0) of "cu130", (11, 8) of "cu118"; None for cpu, rocm or no label."""
    m = re.fullmatch(r"cu(?:da)?(\d{2})(\d)\d*", label or "") or re.fullmatch(r"cuda(\d+)\.(\d+)", label or "")
    return (int(m[1]), int(m[2])) if m else None


def variant(label: str | None) -> str:
    """A label's build variant in words: "CUDA 12.6", "CPU-only", "ROCm 6.2", or the label."""
    cuda = cuda_of_label(label)
    if cuda:
        return f"CUDA {cuda[0]}.{cuda[1]}"
    if label == "cpu":
        return "CPU-only"
    if label and label.startswith("rocm"):
        return "ROCm " + label[4:]
    return label or "?"


def cuda_major(label: str | None) -> int | None:
    """The CUDA major a label names: 12 of "cu126", "cuda12.cudnn89" (old jaxlib) or "cuda12"."""
    m = re.match(r"cu(?:da)?(\d{2})", label or "")
    return int(m[1]) if m else None

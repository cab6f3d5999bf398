"""Fake frameworks shaped like the real APIs, and writers for packages and dist-info dirs."""

from __future__ import annotations

import textwrap
from pathlib import Path

# --- fake frameworks ---------------------------------------------------------------------------
# Each mimics the attributes fwprobe's agent reads on the real framework (checked against the
# real APIs: torch.version.cuda, torch.cuda.get_device_properties(i).total_memory,
# tf.sysconfig.get_build_info() keys, tf.config.list_physical_devices() PhysicalDevice tuples,
# jax.devices() Device objects with .platform/.device_kind).

_NS = """
class _NS(object):  # types.SimpleNamespace, also on Python 2.7
    def __init__(self, **kw):
        self.__dict__.update(kw)
"""

# the slice of torch's tensor API an exercise uses: torch.ones(shape, device=...), matmul, sum, item
_TORCH_TENSORS = '''
_CUDA_ERROR = None  # the RuntimeError a computation on cuda raises, when set
class Tensor(object):
    def __init__(self, value, n): self.value = value; self.n = n
    def sum(self): return Tensor(self.value * self.n * self.n, 1)
    def item(self): return float(self.value)
    def __add__(self, other): return Tensor(self.value + other, self.n)
def ones(shape, device="cpu"):
    if str(device).startswith("cuda") and _CUDA_ERROR:
        raise RuntimeError(_CUDA_ERROR)
    return Tensor(1.0, shape[0])
def matmul(a, b): return Tensor(a.value * b.value * a.n, a.n)
def tensor(data): return data  # torch.tensor(list): the data itself is enough for the fake ops below
'''

FAKE_TORCH_CUDA = _NS + _TORCH_TENSORS + '''
__version__ = "2.5.1+cu124"
version = _NS(cuda="12.4", hip=None)
class _Props:
    def __init__(self, i): self.name = "NVIDIA A100-SXM4-80GB"; self.total_memory = 85899345920
class cuda:
    @staticmethod
    def is_available(): return True
    @staticmethod
    def device_count(): return 2
    @staticmethod
    def get_device_name(i): return "NVIDIA A100-SXM4-80GB"
    @staticmethod
    def get_device_properties(i): return _Props(i)
    @staticmethod
    def get_device_capability(i): return _CAPABILITY
    @staticmethod
    def get_arch_list(): return list(_ARCHS)
_CAPABILITY = (8, 0)
_ARCHS = ["sm_50", "sm_60", "sm_70", "sm_75", "sm_80", "sm_86", "sm_90"]
class _Cudnn:
    @staticmethod
    def version(): return 90100
class _Mps:
    @staticmethod
    def is_available(): return False
backends = _NS(cudnn=_Cudnn, mps=_Mps)
jit = _NS(script=lambda f: f)
def compile(f): return f
'''

# a new GPU (capability 12.0) with a torch built for sm_80/sm_90 only: it lists the GPU, and the
# first kernel launch fails as the real one does
FAKE_TORCH_NEW_GPU = FAKE_TORCH_CUDA.replace("_CAPABILITY = (8, 0)", "_CAPABILITY = (12, 0)").replace(
    '_ARCHS = ["sm_50", "sm_60", "sm_70", "sm_75", "sm_80", "sm_86", "sm_90"]', '_ARCHS = ["sm_80", "sm_90"]').replace(
    "_CUDA_ERROR = None", '_CUDA_ERROR = "CUDA error: no kernel image is available for execution on the device"')
# imports and lists its GPUs, then hangs in the first computation on one
FAKE_TORCH_HANGS_IN_EXERCISE = FAKE_TORCH_CUDA.replace(
    "def matmul(a, b): return", "def matmul(a, b):\n    import time; time.sleep(3600)\n    return")

FAKE_TORCH_CUDA_NO_GPU = FAKE_TORCH_CUDA.replace(
    "def is_available(): return True", "def is_available(): return False", 1)

FAKE_TORCH_CPU = _NS + _TORCH_TENSORS + '''
__version__ = "2.5.1+cpu"
version = _NS(cuda=None, hip=None)
class cuda:
    @staticmethod
    def is_available(): return False
    @staticmethod
    def device_count(): return 0
backends = _NS(cudnn=_NS(version=lambda: None),
                              mps=_NS(is_available=lambda: False))
'''

FAKE_TF_GPU = _NS + '''
__version__ = "2.17.0"
import collections as _c
PhysicalDevice = _c.namedtuple("PhysicalDevice", "name device_type")
def _build_info():
    return _c.OrderedDict([("cpu_compiler", "/usr/bin/clang-17"), ("cuda_compute_capabilities", ["sm_60", "sm_80"]),
                           ("cuda_version", "12.3"), ("cudnn_version", "8"), ("is_cuda_build", True),
                           ("is_rocm_build", False), ("is_tensorrt_build", True)])
sysconfig = _NS(get_build_info=_build_info)
def _list(device_type=None):
    devs = [PhysicalDevice("/physical_device:CPU:0", "CPU"), PhysicalDevice("/physical_device:GPU:0", "GPU")]
    return [d for d in devs if device_type in (None, d.device_type)]
config = _NS(list_physical_devices=_list,
    experimental=_NS(get_device_details=lambda d: {"device_name": "NVIDIA L4", "compute_capability": (8, 9)}))
def executing_eagerly(): return True
def function(f): return f
'''

FAKE_JAX_GPU = '''
__version__ = "0.4.35"
class Device:
    def __init__(self, i): self.id = i; self.platform = "gpu"; self.device_kind = "NVIDIA H100 80GB HBM3"; self.compute_capability = "9.0"
    def __repr__(self): return "CudaDevice(id=%d)" % self.id
def devices(backend=None): return [Device(0), Device(1), Device(2), Device(3)]
def default_backend(): return "gpu"
def jit(f): return f
_OOM_ON = None  # a device id whose computation runs out of memory, when set
class _Array(object):
    def __init__(self, value, n, device=None): self.value = value; self.n = n; self.device = device
def device_put(x, device=None):
    if device is not None and device.id == _OOM_ON:
        raise RuntimeError("RESOURCE_EXHAUSTED: Out of memory while trying to allocate 16384 bytes.")
    return _Array(x.value, x.n, device)
'''

# jax.numpy, the slice an exercise uses (ones, matmul, sum), as a module of the fake jax package
FAKE_JAX_NUMPY = '''
from jax import _Array
float32 = "float32"
def ones(shape, dtype=None): return _Array(1.0, shape[0])
def matmul(a, b): return _Array(a.value * b.value * a.n, a.n, a.device)
def sum(a): return a.value * a.n * a.n
'''
FAKE_JAX_OOM = FAKE_JAX_GPU.replace("_OOM_ON = None", "_OOM_ON = 1")

FAKE_JAXLIB = '__version__ = "0.4.35"\n'

# torchvision's slice a companion check uses: torchvision.ops.nms(boxes, scores, iou_threshold) -> kept
# indices, by decreasing score (greedy, as its documentation describes it)
FAKE_TORCHVISION = '''
__version__ = "0.20.1+cu124"
def _iou(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)
class ops(object):
    @staticmethod
    def nms(boxes, scores, iou_threshold):
        keep = []
        for i in sorted(range(len(scores)), key=lambda i: -scores[i]):
            if all(_iou(boxes[i], boxes[j]) <= iou_threshold for j in keep):
                keep.append(i)
        return keep
'''
# a torchvision built for another torch: its import registers meta kernels for operators its C++
# library could not register, and fails as the real one does (torchvision/_meta_registrations.py)
FAKE_TORCHVISION_FOR_ANOTHER_TORCH = 'raise RuntimeError("operator torchvision::nms does not exist")\n'
# imports, but its native operation answers wrongly (a kernel built for another ABI)
FAKE_TORCHVISION_WRONG_NMS = FAKE_TORCHVISION.replace("return keep", "return [0, 1]")

HANG = "import time\nwhile True:\n    time.sleep(1)\n"
SEGV = "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n"
RAISES = 'raise ImportError("libcudart.so.12: cannot open shared object file: No such file or directory")\n'
NOISY = ('import sys\nfor _ in range(40000):\n    print("W0000 noisy log line " * 6)\n'
         '    sys.stderr.write("E0000 noisy stderr line " * 6 + "\\n")\n') + FAKE_TORCH_CUDA
# imports fine, then hangs when asked for devices: the partial answer must survive
HANG_IN_QUERY = FAKE_TORCH_CUDA.replace(
    "def device_count(): return 2", "def device_count():\n        import time; time.sleep(3600)")


def write_module(site: Path, module: str, source: str, dist: str | None = None,
                 version: str = "1.0", requires: tuple[str, ...] = ()) -> None:
    """A package ``module`` in ``site`` and (when ``dist``) its ``*.dist-info``."""
    pkg = site / module
    pkg.mkdir(parents=True, exist_ok=True)
    (pkg / "__init__.py").write_text(textwrap.dedent(source))
    if dist:
        write_dist(site, dist, version, requires)


def write_fake_jax(site: Path, source: str | None = None) -> None:
    """The fake jax package (with jax.numpy), jaxlib and the CUDA 12 plugin, with dist-infos."""
    write_module(site, "jax", source or FAKE_JAX_GPU, "jax", "0.4.35")
    (site / "jax" / "numpy.py").write_text(textwrap.dedent(FAKE_JAX_NUMPY))
    write_module(site, "jaxlib", FAKE_JAXLIB, "jaxlib", "0.4.35")
    write_module(site, "jax_cuda12_plugin", "", "jax-cuda12-plugin", "0.4.35")


def write_dist(site: Path, dist: str, version: str, requires: tuple[str, ...] = ()) -> None:
    info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    reqs = "".join(f"Requires-Dist: {r}\n" for r in requires)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n{reqs}\nbody\n")
    (info / "INSTALLER").write_text("pip\n")


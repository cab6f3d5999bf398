"""Shared fakes: fake frameworks that mimic the real APIs' shapes, a fake nvidia-smi, catalogs."""

from __future__ import annotations

import os
import stat
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

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

FAKE_TORCH_CUDA = _NS + '''
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

FAKE_TORCH_CUDA_NO_GPU = FAKE_TORCH_CUDA.replace(
    "def is_available(): return True", "def is_available(): return False", 1)

FAKE_TORCH_CPU = _NS + '''
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
    def __init__(self, i): self.id = i; self.platform = "gpu"; self.device_kind = "NVIDIA H100 80GB HBM3"
    def __repr__(self): return "CudaDevice(id=%d)" % self.id
def devices(backend=None): return [Device(0), Device(1), Device(2), Device(3)]
def default_backend(): return "gpu"
def jit(f): return f
'''

FAKE_JAXLIB = '__version__ = "0.4.35"\n'

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


def write_dist(site: Path, dist: str, version: str, requires: tuple[str, ...] = ()) -> None:
    info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    reqs = "".join(f"Requires-Dist: {r}\n" for r in requires)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n{reqs}\nbody\n")
    (info / "INSTALLER").write_text("pip\n")


FAKE_CATALOG = '''
[thresholds]
active_days = 365
stale_days = 730

[[framework]]
id = "pytorch"
name = "PyTorch"
import_name = "torch"
probe = "torch"
distributions = ["torch"]
companions = ["torchvision"]
claim = "actively developed (Meta)"
claimed_status = "active"

[[framework]]
id = "tensorflow"
name = "TensorFlow"
import_name = "tensorflow"
probe = "tensorflow"
distributions = ["tensorflow", "tensorflow-cpu"]
claim = "actively developed (Google)"
claimed_status = "active"

[[framework]]
id = "jax"
name = "JAX"
import_name = "jax"
probe = "jax"
distributions = ["jax"]
claim = "actively developed (Google)"
claimed_status = "active"

[[framework]]
id = "hangfw"
name = "HangFW"
import_name = "hangfw"
probe = "torch"
distributions = ["hangfw"]
claim = "test"
claimed_status = "active"

[[framework]]
id = "segvfw"
name = "SegvFW"
import_name = "segvfw"
probe = "torch"
distributions = ["segvfw"]
claim = "test"
claimed_status = "active"

[[framework]]
id = "raisefw"
name = "RaiseFW"
import_name = "raisefw"
probe = "torch"
distributions = ["raisefw"]
claim = "test"
claimed_status = "active"

[[framework]]
id = "noisyfw"
name = "NoisyFW"
import_name = "noisyfw"
probe = "torch"
distributions = ["noisyfw"]
claim = "test"
claimed_status = "active"

[[framework]]
id = "slowquery"
name = "SlowQuery"
import_name = "slowquery"
probe = "torch"
distributions = ["slowquery"]
claim = "test"
claimed_status = "active"
'''


@pytest.fixture
def fake_catalog(tmp_path: Path):
    from fwprobe.catalog import load_catalog

    path = tmp_path / "catalog.toml"
    path.write_text(FAKE_CATALOG)
    return load_catalog(path)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty directory put on the target's sys.path through PYTHONPATH."""
    d = tmp_path / "site"
    d.mkdir()
    monkeypatch.setenv("PYTHONPATH", str(d))
    return d


NVIDIA_SMI = r'''#!/bin/sh
case "$1" in
  --query-gpu=*)
    i=0
    while [ $i -lt ${FAKE_GPU_COUNT:-2} ]; do
      echo "$i, NVIDIA A100-SXM4-80GB, 81920, ${FAKE_DRIVER:-550.54.15}, GPU-0000000$i-aaaa-bbbb-cccc-dddddddddddd"
      i=$((i+1))
    done ;;
  *)
    echo "+-----------------------------------------------------------------------------+"
    echo "| NVIDIA-SMI ${FAKE_DRIVER:-550.54.15}   Driver Version: ${FAKE_DRIVER:-550.54.15}   CUDA Version: ${FAKE_CUDA:-12.4}     |"
    echo "+-----------------------------------------------------------------------------+" ;;
esac
'''


@pytest.fixture
def fake_nvidia_smi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake ``nvidia-smi`` first on PATH: 2 A100s, driver 550.54.15 supporting CUDA 12.4."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    smi = bindir / "nvidia-smi"
    smi.write_text(NVIDIA_SMI)
    smi.chmod(smi.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    return smi


@pytest.fixture
def no_gpu_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PATH without nvidia-smi or nvcc (only the test interpreter's own bin dir)."""
    bindir = tmp_path / "emptybin"
    bindir.mkdir()
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{Path(sys.executable).parent}")
    monkeypatch.delenv("CUDA_HOME", raising=False)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the user's cache, index settings or CUDA_VISIBLE_DEVICES."""
    monkeypatch.setenv("FWPROBE_CACHE_DIR", str(tmp_path / "cache"))
    for var in ("FWPROBE_INDEX_URL", "PIP_INDEX_URL", "CUDA_VISIBLE_DEVICES", "TF_USE_LEGACY_KERAS",
                "GITHUB_ACTIONS"):
        monkeypatch.delenv(var, raising=False)


# --- a package index on 127.0.0.1 --------------------------------------------------------------

FIXTURES = Path(__file__).parent / "fixtures" / "index"


class IndexServer:
    """Serves tests/fixtures/index/<name>.json as JSON Simple API pages under /simple/<name>/.

    Special names: ``flaky`` answers 500 once, then 200; ``ratelimited`` 429 twice, then 200; ``slowproj`` answers after 3 s;
    ``htmlproj`` answers text/html. Counts requests per name.
    """

    def __init__(self, tls: tuple[str, str] | None = None) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        server_self = self
        self.counts: dict[str, int] = {}
        self.auth: list[str | None] = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                import time as _time

                parts = [p for p in self.path.split("/") if p]
                name = parts[-1] if parts else ""
                server_self.counts[name] = server_self.counts.get(name, 0) + 1
                server_self.auth.append(self.headers.get("Authorization"))
                if name == "flaky" and server_self.counts[name] == 1:
                    return self._send(500, b"oops", "text/plain")
                if name == "ratelimited":
                    if server_self.counts[name] <= 2:
                        return self._send(429, b"slow down", "text/plain", {"Retry-After": "0"})
                    name = "flaky"
                if name == "slowproj":
                    _time.sleep(3)
                if name == "htmlproj":
                    return self._send(200, b"<html></html>", "text/html")
                path = FIXTURES / f"{name}.json"
                if not path.exists():
                    return self._send(404, b"not found", "text/plain")
                self._send(200, path.read_bytes(), "application/vnd.pypi.simple.v1+json")

            def _send(self, code: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
                self.send_response(code)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        scheme = "http"
        if tls is not None:  # (certfile, keyfile): serve HTTPS
            import ssl

            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
            scheme = "https"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.port = self.httpd.server_address[1]
        self.url = f"{scheme}://127.0.0.1:{self.port}/simple/"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def index_server():
    server = IndexServer()
    yield server
    server.close()


STATUS_CATALOG = '''
[thresholds]
active_days = 365
stale_days = 730

[[framework]]
id = "active"
name = "Active"
import_name = "activeproj"
probe = "torch"
distributions = ["activeproj"]
claim = "actively developed"
claimed_status = "active"

[[framework]]
id = "silent"
name = "Silent"
import_name = "silentproj"
probe = "theano"
distributions = ["silentproj"]
forks = ["forkproj", "missingproj"]
claim_forks = true
claim = "largely unmaintained; community forks exist"
claimed_status = "unmaintained"

[[framework]]
id = "archived"
name = "Archived"
import_name = "archivedproj"
probe = "torch"
distributions = ["archivedproj"]
claim = "actively developed"
claimed_status = "active"

[[framework]]
id = "missing"
name = "Missing"
import_name = "missingproj"
probe = "torch"
distributions = ["missingproj"]
claim = "actively developed"
claimed_status = "active"
'''


@pytest.fixture
def status_catalog(tmp_path: Path):
    from fwprobe.catalog import load_catalog

    path = tmp_path / "status-catalog.toml"
    path.write_text(STATUS_CATALOG)
    return load_catalog(path)

# -*- coding: utf-8 -*-
"""fwprobe's agent: the only code that runs inside the *target* interpreter.

Stdlib only; runs on Python 2.7 and 3.6+ (no f-strings, no annotations). fwprobe writes it into
its private work dir as ``fwprobe_agent.py`` and runs it there::

    python fwprobe_agent.py inventory <result.json> <dist,names,...>
    python fwprobe_agent.py probe <probe-name> <import-name> <result.json> [exercise] [evidence]
        [timeout=SECONDS] [companion=DIST:MODULE:OP ...]

``exercise``: compute on every listed device; ``evidence``: also measure the claims that cost a
computation (each kind's ``evidence`` in KINDS below); ``companion``: after the framework, import
each companion whose module is here and run its op (COMPANION_OPS), each within a share of
``timeout``.

The answer is written to ``result.json`` (atomically, by rename), never to stdout/stderr, so
whatever a framework prints cannot corrupt it. A probe writes a partial answer after the
import succeeds, so a probe killed later (a hanging device query) still says how far it got.
"""
from __future__ import print_function

import json
import os
import re
import sys
import time
import traceback

# Bound before any framework is imported: a framework that replaces json.dump, open or os.rename
# cannot turn a successful probe into "crashed".
_dump = json.dump
_open = open
_rename = os.rename
_remove = os.remove
_exists = os.path.exists

MAX_MESSAGE = 2000


def _write(path, data):
    tmp = path + ".part"
    with _open(tmp, "w") as handle:
        _dump(data, handle, default=str)
    _rename(tmp, path)  # atomic on POSIX and Windows when the target does not exist yet
    return data


def _rewrite(path, data):
    if _exists(path):
        _remove(path)
    return _write(path, data)


def _text(value, limit=MAX_MESSAGE):
    try:
        text = str(value)
    except Exception:  # pragma: no cover - str() of an exotic object failed
        text = repr(value)
    if len(text) > limit:
        text = text[: limit // 2] + " ... [%d characters cut] ... " % (len(text) - limit) + text[-limit // 2:]
    return text


def _error(exc):
    return {"type": type(exc).__name__, "message": _text(exc)}


def _try(notes, label, fn, default=None):
    """Call fn(); on any exception note it under ``label`` and return ``default``."""
    try:
        return fn()
    except Exception as exc:  # a probe reads what exists and records what did not work
        notes.append("%s: %s: %s" % (label, type(exc).__name__, _text(exc, 300)))
        return default


# ---------------------------------------------------------------------------------------------
# inventory: distribution metadata only, never importing a framework

def _normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _read_headers(path):
    """Name, Version and Requires-Dist from a METADATA/PKG-INFO header block."""
    name = version = None
    requires = []
    try:
        with open(path, "rb") as handle:
            for raw in handle:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                if not line:
                    break  # headers end at the first blank line
                if line.startswith("Name:") and name is None:
                    name = line[5:].strip()
                elif line.startswith("Version:") and version is None:
                    version = line[8:].strip()
                elif line.startswith("Requires-Dist:"):
                    requires.append(line[14:].strip())
    except (IOError, OSError):
        pass
    return name, version, requires


def _read_small(path):
    try:
        with open(path, "rb") as handle:
            return handle.read(65536).decode("utf-8", "replace")
    except (IOError, OSError):
        return None


def _wanted(key, wanted, prefixes):
    return key in wanted or any(key.startswith(p) for p in prefixes)


def inventory(result_path, wanted):
    """Installed distributions among ``wanted`` (names; a trailing '*' makes a prefix)."""
    prefixes = tuple(_normalize(w[:-1]) for w in wanted if w.endswith("*"))
    wanted = set(_normalize(w) for w in wanted if w and not w.endswith("*"))
    seen = {}
    dists = []
    for entry in list(sys.path):
        base = entry or os.getcwd()
        if not os.path.isdir(base):
            continue
        try:
            names = sorted(os.listdir(base))
        except OSError:
            continue
        for fname in names:
            if fname.endswith(".dist-info"):
                meta = os.path.join(base, fname, "METADATA")
            elif fname.endswith(".egg-info"):
                full = os.path.join(base, fname)
                meta = os.path.join(full, "PKG-INFO") if os.path.isdir(full) else full
            else:
                continue
            guess = _normalize(fname.rsplit(".", 1)[0].split("-")[0])
            if wanted and not _wanted(guess, wanted, prefixes):
                continue
            name, version, requires = _read_headers(meta)
            if not name:
                continue
            key = _normalize(name)
            if wanted and not _wanted(key, wanted, prefixes):
                continue
            info_dir = os.path.join(base, fname)
            installer = _read_small(os.path.join(info_dir, "INSTALLER")) if os.path.isdir(info_dir) else None
            direct = _read_small(os.path.join(info_dir, "direct_url.json")) if os.path.isdir(info_dir) else None
            editable = False
            source = None
            if direct:
                try:
                    origin = json.loads(direct)
                    editable = bool(origin.get("dir_info", {}).get("editable"))
                    source = _file_url_path(origin.get("url")) if editable else None
                except (ValueError, AttributeError):
                    pass
            dists.append({
                "_egg_info": fname.endswith(".egg-info"),
                "_source": source,
                "name": name,
                "normalized": key,
                "version": version or "",
                "location": os.path.abspath(base),
                "installer": (installer or "").strip() or None,
                "editable": editable,
                "requires": requires,
            })
    dists = _one_per_editable(dists)
    for dist in dists:
        # a second copy later on sys.path is never the one ``import`` finds
        dist["shadowed"] = dist["normalized"] in seen
        seen[dist["normalized"]] = True
    data = {
        "interpreter": {
            "executable": sys.executable,
            "version": "%d.%d.%d" % sys.version_info[:3],
            "implementation": getattr(getattr(sys, "implementation", None), "name", "cpython"),
            "platform": sys.platform,
            "machine": _machine(),
            "prefix": sys.prefix,
            "base_prefix": getattr(sys, "base_prefix", getattr(sys, "real_prefix", sys.prefix)),
            "conda": os.path.isdir(os.path.join(sys.prefix, "conda-meta")),
            "markers": _marker_environment(),
        },
        "distributions": dists,
    }
    return _write(result_path, data)


def _file_url_path(url):
    """The local path of a file: URL (direct_url.json's), else None."""
    if not isinstance(url, str) or not url.startswith("file://"):
        return None
    try:
        from urllib.parse import unquote
    except ImportError:  # Python 2.7
        from urllib import unquote
    path = unquote(url[len("file://"):])
    if re.match(r"^/[A-Za-z]:", path):  # file:///C:/src on Windows
        path = path[1:]
    return os.path.normcase(os.path.abspath(path))


def _one_per_editable(dists):
    """An editable install's own *.egg-info, left in its source tree by the build and found on
    sys.path through that tree, is the same installation as the editable dist-info, not a second
    (shadowed) copy: drop it."""
    sources = dict((d["normalized"], d["_source"]) for d in dists if d["_source"])
    kept = []
    for dist in dists:
        source = sources.get(dist["normalized"])
        where = os.path.normcase(dist["location"])
        inside = source and (where == source or where.startswith(source.rstrip(os.sep) + os.sep))
        if not (dist["_egg_info"] and inside):
            kept.append(dist)
    for dist in kept:
        del dist["_egg_info"], dist["_source"]
    return kept


def _marker_environment():
    """PEP 508's marker variables as this interpreter defines them (packaging's
    default_environment), so requirements are judged for the target, not for fwprobe's Python."""
    import platform
    impl = getattr(sys, "implementation", None)
    if impl is not None:
        info = impl.version
        version = "%d.%d.%d" % (info.major, info.minor, info.micro)
        if info.releaselevel != "final":
            version += info.releaselevel[0] + str(info.serial)
        name = impl.name
    else:  # Python 2.7
        version, name = "0", ""
    env = {"implementation_name": name, "implementation_version": version, "os_name": os.name,
           "sys_platform": sys.platform, "python_version": "%d.%d" % sys.version_info[:2]}
    for key, fn in (("platform_machine", "machine"), ("platform_release", "release"),
                    ("platform_system", "system"), ("platform_version", "version"),
                    ("python_full_version", "python_version"),
                    ("platform_python_implementation", "python_implementation")):
        try:
            env[key] = getattr(platform, fn)()
        except Exception:
            env[key] = ""
    return env


def _machine():
    try:
        import platform
        return platform.machine()
    except Exception:
        return ""


def _keras_config(keras_home):
    path = os.path.join(keras_home, "keras.json")
    text = _read_small(path)
    if text is None:
        return {"path": path, "exists": False, "backend": None}
    try:
        backend = json.loads(text).get("backend")
    except (ValueError, AttributeError):
        backend = None
    return {"path": path, "exists": True, "backend": backend}


# ---------------------------------------------------------------------------------------------
# probes: each imports one framework and reports what the framework itself says


def _capability(cap):
    """"8.0" from (8, 0) or "8.0"; None for anything else."""
    try:
        if isinstance(cap, (tuple, list)) and len(cap) == 2:
            return "%d.%d" % (int(cap[0]), int(cap[1]))
        if isinstance(cap, str) and re.match(r"^\d+\.\d+$", cap):
            return cap
    except (TypeError, ValueError):
        pass
    return None


def _device(kind, index, name=None, memory_bytes=None, **extra):
    info = {"kind": kind, "index": index, "name": name, "memory_bytes": memory_bytes}
    info.update(extra)
    return info


def probe_torch(torch, out, notes):
    version = getattr(torch, "version", None)
    cuda = getattr(version, "cuda", None)
    hip = getattr(version, "hip", None)
    cudnn = None
    backends = getattr(torch, "backends", None)
    if backends is not None and hasattr(backends, "cudnn"):
        cudnn = _try(notes, "torch.backends.cudnn.version()", backends.cudnn.version)
    out["build"] = {"cuda": cuda, "cudnn": str(cudnn) if cudnn else None, "rocm": hip,
                    "cpu_only": not cuda and not hip}
    devices = []
    tcuda = getattr(torch, "cuda", None)
    if tcuda is not None:
        kind = "rocm" if hip else "cuda"
        available, failed, said = _said_while(tcuda.is_available)
        if failed is not None:
            notes.append("torch.cuda.is_available(): %s: %s" % (type(failed).__name__, _text(failed, 300)))
        count = _try(notes, "torch.cuda.device_count()", tcuda.device_count, 0) if available else 0
        out["accelerator_api"] = {"cuda_available": bool(available), "cuda_device_count": count}
        if count and hasattr(tcuda, "get_arch_list"):
            out["arch_list"] = _try(notes, "torch.cuda.get_arch_list()", tcuda.get_arch_list)
        for i in range(count or 0):
            name = _try(notes, "torch.cuda.get_device_name(%d)" % i, lambda: tcuda.get_device_name(i))
            props = _try(notes, "torch.cuda.get_device_properties(%d)" % i,
                         lambda: tcuda.get_device_properties(i))
            cap = _try(notes, "torch.cuda.get_device_capability(%d)" % i,
                       lambda: tcuda.get_device_capability(i)) if hasattr(tcuda, "get_device_capability") else None
            devices.append(_device(kind, i, name, getattr(props, "total_memory", None),
                                   capability=_capability(cap)))
        if (cuda or hip) and not count and failed is None:
            out["gpu_reason"] = _torch_reason(tcuda, said)
    if backends is not None and hasattr(backends, "mps"):
        if _try(notes, "torch.backends.mps.is_available()", backends.mps.is_available, False):
            devices.append(_device("mps", 0, "Apple MPS"))
    xpu = getattr(torch, "xpu", None)
    if xpu is not None and hasattr(xpu, "is_available"):
        if _try(notes, "torch.xpu.is_available()", xpu.is_available, False):
            for i in range(_try(notes, "torch.xpu.device_count()", xpu.device_count, 0) or 0):
                devices.append(_device("xpu", i, _try(notes, "torch.xpu.get_device_name(%d)" % i,
                                                      lambda: xpu.get_device_name(i))))
    devices.append(_device("cpu", 0, "cpu"))
    out["devices"] = devices
    out["execution"] = {"torch_compile": hasattr(torch, "compile"),
                        "torch_export": hasattr(torch, "export"),
                        "torchscript": hasattr(getattr(torch, "jit", None), "script")}


def _torch_reason(tcuda, said):
    """Why a GPU build of torch sees no device, in torch's words: the "CUDA initialization" warning
    of is_available(), else the error of torch.cuda.init(). Called only once no device was counted,
    so initialising CUDA here changes nothing the probe reports."""
    reason = _reason("torch.cuda.is_available() warning", said, r"CUDA initialization|driver|CUDA")
    if reason is None and hasattr(tcuda, "init"):
        _, error, more = _said_while(tcuda.init)
        if error is not None:
            reason = {"source": "torch.cuda.init()", "message": _text(error, 1000)}
        else:
            reason = _reason("torch.cuda.init() warning", more, r"CUDA|driver")
    return reason


def evidence_torch(torch, out, notes):
    execution = out.setdefault("execution", {})
    execution["eager_default"] = _try(notes, "eager op", lambda: float((torch.ones((1,)) + 1).sum().item()) == 2.0)
    if execution.get("torchscript"):
        warned = _warnings_of(lambda: torch.jit.script(_scriptable))
        deprecated = [w for w in warned if "deprecat" in w.lower()]
        execution["torchscript_deprecated"] = bool(deprecated)
        if deprecated:
            out["torchscript_warning"] = deprecated[0][:300]


def _scriptable(x):
    return x + 1


def _warnings_of(fn):
    """The messages of the warnings ``fn()`` emits (whether or not it then raises)."""
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fn()
        except Exception:
            pass
    return [_text(w.message, 500) for w in caught]


class _Tee(object):
    """While active, what is written to fd 2 (a framework's C++ logs) is copied through to the real
    stderr as it comes, and kept: a crash or hang mid-call loses nothing from the probe's output."""

    def __init__(self):
        self.kept = []
        self._saved = self._thread = None

    def __enter__(self):
        import threading
        try:
            sys.stderr.flush()
            read, write = os.pipe()
            self._saved = os.dup(2)
            os.dup2(write, 2)
            os.close(write)
        except (OSError, ValueError, AttributeError):  # no fd 2 to redirect: keep nothing
            self._saved = None
            return self
        self._thread = threading.Thread(target=self._pump, args=(read, self._saved))
        self._thread.daemon = True
        self._thread.start()
        return self

    def _pump(self, read, real):
        while True:
            chunk = os.read(read, 65536)
            if not chunk:
                break
            self.kept.append(chunk)
            try:
                os.write(real, chunk)
            except OSError:
                pass
        os.close(read)

    def __exit__(self, *exc):
        if self._saved is None:
            return False
        try:
            sys.stderr.flush()
        except Exception:
            pass
        os.dup2(self._saved, 2)  # closes the pipe's last writer: the pump sees EOF
        self._thread.join(2)  # a child that inherited fd 2 keeps the pipe open: do not wait for it
        if not self._thread.is_alive():
            os.close(self._saved)  # kept open otherwise: the pump still writes through it
        return False

    def lines(self):
        return b"".join(self.kept).decode("utf-8", "replace").splitlines()


def _said_while(fn, loggers=()):
    """(fn()'s result or None, the exception it raised or None, every message it emitted: its
    warnings, records of ``loggers`` down to INFO, and the lines written to fd 2)."""
    import logging
    import warnings
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            try:
                records.append(record.getMessage())
            except Exception:
                pass

    handler, levels = Keep(logging.INFO), []
    for name in loggers:
        logger = logging.getLogger(name)
        levels.append((logger, logger.level))
        logger.setLevel(logging.INFO)  # backend errors are logged at INFO when a fallback exists
        logger.addHandler(handler)
    result = error = None
    try:
        with _Tee() as tee:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    result = fn()
                except Exception as exc:
                    error = exc
    finally:
        for logger, level in levels:
            logger.removeHandler(handler)
            logger.setLevel(level)
    said = [_text(w.message, 500) for w in caught] + [_text(r, 500) for r in records] + tee.lines()
    return result, error, [m for m in said if m.strip()]


def _reason(source, messages, pattern):
    """The framework's own reason for seeing no GPU: the messages matching ``pattern``, joined."""
    kept = [m.strip() for m in messages if re.search(pattern, m, re.I)]
    return {"source": source, "message": _text("\n".join(kept), 1000)} if kept else None


def probe_tensorflow(tf, out, notes):
    sysconfig = getattr(tf, "sysconfig", None)
    info = {}
    if sysconfig is not None and hasattr(sysconfig, "get_build_info"):
        info = _try(notes, "tf.sysconfig.get_build_info()", sysconfig.get_build_info, {}) or {}
    is_cuda = bool(info.get("is_cuda_build"))
    is_rocm = bool(info.get("is_rocm_build"))
    if info.get("cuda_compute_capabilities"):
        out["arch_list"] = [str(a) for a in info.get("cuda_compute_capabilities") or []]
    out["build"] = {"cuda": info.get("cuda_version") if is_cuda else None,
                    "cudnn": info.get("cudnn_version") if is_cuda else None,
                    "rocm": info.get("rocm_version") if is_rocm else None,
                    "cpu_only": (not is_cuda and not is_rocm) if info else None}
    config = getattr(tf, "config", None)
    devices = []
    if config is not None:
        physical, failed, said = _said_while(config.list_physical_devices)
        if failed is not None:
            notes.append("tf.config.list_physical_devices(): %s: %s" % (type(failed).__name__, _text(failed, 300)))
        physical = physical or []
        counters = {}
        for dev in physical:
            dtype = str(getattr(dev, "device_type", "")).upper()
            kind = {"GPU": "rocm" if is_rocm else "cuda", "TPU": "tpu", "CPU": "cpu"}.get(dtype, dtype.lower())
            index = counters.get(kind, 0)
            counters[kind] = index + 1
            name = getattr(dev, "name", None)
            experimental = getattr(config, "experimental", None)
            cap = None
            if kind != "cpu" and experimental is not None and hasattr(experimental, "get_device_details"):
                details = _try(notes, "tf.config.experimental.get_device_details()",
                               lambda: experimental.get_device_details(dev), {}) or {}
                name = details.get("device_name") or name
                cap = _capability(details.get("compute_capability"))
            devices.append(_device(kind, index, name, capability=cap, tf_type=dtype))
    out["devices"] = devices
    if (is_cuda or is_rocm) and config is not None and not [d for d in devices if d["kind"] != "cpu"]:
        out["gpu_reason"] = _reason("tensorflow log", said, r"Could not load dynamic library|Cannot dlopen|"
                                    r"could not find cuda drivers|failed call to cuInit|CUDA_ERROR|cuda|GPU")
    eager = getattr(tf, "executing_eagerly", None)
    out["execution"] = {"eager_default": _try(notes, "tf.executing_eagerly()", eager) if eager else None,
                        "tf_function": hasattr(tf, "function")}


def _keras_backend_source(config_info):
    env = os.environ.get("KERAS_BACKEND")
    if env:
        return env, "KERAS_BACKEND environment variable"
    if config_info.get("backend"):
        return config_info["backend"], config_info["path"]
    return None, "default (no KERAS_BACKEND, no %s)" % config_info.get("path")


def _keras_backends(keras):
    """The backend packages a Keras 3 install ships (tensorflow, jax, torch, numpy, openvino...),
    from its own source tree; None for a Keras without that layout (Keras 2 runs on TensorFlow)."""
    root = os.path.join(os.path.dirname(getattr(keras, "__file__", "") or ""), "src", "backend")
    try:
        names = sorted(os.listdir(root))
    except OSError:
        return None
    return [n for n in names if n not in ("common", "config", "tests") and not n.startswith("_")
            and os.path.isfile(os.path.join(root, n, "__init__.py"))]


def probe_keras(keras, out, notes):
    backend = None
    cfg = getattr(keras, "config", None)
    if cfg is not None and hasattr(cfg, "backend"):
        backend = _try(notes, "keras.config.backend()", cfg.backend)
    elif hasattr(getattr(keras, "backend", None), "backend"):
        backend = _try(notes, "keras.backend.backend()", keras.backend.backend)
    out["keras_backend"] = backend
    backends = _keras_backends(keras)
    if backends is not None:  # the backends this Keras ships (Keras 3: keras/src/backend/<name>/)
        out["keras_backends"] = backends
        out["keras_multi_backend"] = len(backends) > 1
    out["devices"] = []  # the backend framework's own probe reports devices
    out["execution"] = {"eager_default": None, "backend": backend}
    if backend == "tensorflow" or (backend is None and not cfg):
        out["execution"]["eager_default"] = True


def probe_theano(theano, out, notes):
    config = getattr(theano, "config", None)
    device = None
    if config is not None:
        # an option this version lacks is None, not a note (PyTensor 3 has no config.device);
        # one that fails to read (a bad THEANO_FLAGS value) is a note
        def option(name):
            return _try(notes, "config." + name, lambda: getattr(config, name, None))
        device = option("device")
        mode = option("mode")
        out["theano_config"] = {"device": device, "floatX": option("floatX"), "cxx": option("cxx"),
                                "mode": str(mode) if mode is not None else None,
                                "compiledir": option("compiledir")}
    out["build"] = {"cuda": None, "cudnn": None, "rocm": None, "cpu_only": None}
    devices = [_device("cpu", 0, "cpu")]
    if device and str(device).startswith(("cuda", "gpu", "opencl")):
        devices.insert(0, _device("cuda", 0, str(device), configured=True))
    out["devices"] = devices
    tensor = getattr(theano, "tensor", None)

    def symbolic():
        x = tensor.matrix("x")
        y = tensor.dot(x, x)  # builds a graph node; nothing is computed until a function is compiled
        return getattr(y, "owner", None) is not None and hasattr(theano, "function")
    graph = _try(notes, "a symbolic expression", symbolic) if tensor is not None else None
    out["execution"] = {"eager_default": (not graph) if graph is not None else None, "symbolic_graph": graph}


def _module_exists(name):
    """Whether ``import name`` would find a top-level module, without importing it."""
    try:
        import importlib.util
        return importlib.util.find_spec(name) is not None
    except ImportError:  # Python 2.7: no importlib.util
        try:
            import imp
            imp.find_module(name)
            return True
        except ImportError:
            return False
    except Exception:
        return False


def probe_jax(jax, out, notes):
    jaxlib_version = None
    try:
        import jaxlib
        jaxlib_version = getattr(jaxlib, "__version__", None)
    except Exception as exc:
        notes.append("import jaxlib: %s" % _text(exc, 300))
    out["jaxlib_version"] = jaxlib_version
    plugins = [p for p in ("jax_cuda13_plugin", "jax_cuda12_plugin", "jax_rocm7_plugin",
                           "jax_rocm60_plugin", "libtpu") if _module_exists(p)]
    out["plugins"] = plugins
    builtin_cuda = bool(jaxlib_version and "cuda" in jaxlib_version)
    cuda = [p for p in plugins if "cuda" in p]
    rocm = [p for p in plugins if "rocm" in p]
    out["build"] = {"cuda": (re.sub(r"\D", "", cuda[0]) or None) if cuda else ("builtin" if builtin_cuda else None),
                    "cudnn": None, "rocm": "plugin" if rocm else None,
                    "cpu_only": not (cuda or rocm or builtin_cuda or "libtpu" in plugins)}
    devices = []
    listed, failed, said = _said_while(jax.devices, ("jax",))
    if failed is not None:
        notes.append("jax.devices(): %s: %s" % (type(failed).__name__, _text(failed, 300)))
        said = said + ["%s: %s" % (type(failed).__name__, _text(failed, 500))]
    listed = listed or []
    counters = {}
    for dev in listed:
        platform = str(getattr(dev, "platform", "")).lower()
        kind = {"gpu": "rocm" if rocm else "cuda", "cuda": "cuda", "rocm": "rocm",
                "tpu": "tpu", "cpu": "cpu", "metal": "mps"}.get(platform, platform)
        index = counters.get(kind, 0)
        counters[kind] = index + 1
        devices.append(_device(kind, index, getattr(dev, "device_kind", None) or str(dev),
                               capability=_capability(getattr(dev, "compute_capability", None))))
        _HANDLES[(kind, index)] = dev
    out["devices"] = devices
    if (cuda or rocm or builtin_cuda) and not [d for d in devices if d["kind"] in ("cuda", "rocm")]:
        out["gpu_reason"] = _reason("jax.devices()", said, r"cuda|gpu|rocm")
    out["default_backend"] = _try(notes, "jax.default_backend()", jax.default_backend) \
        if hasattr(jax, "default_backend") else None
    out["execution"] = {"jit": hasattr(jax, "jit")}


def evidence_jax(jax, out, notes):
    def eager():  # a concrete value at once, no jit: op-by-op (the first op compiles: ~50 ms)
        return float(jax.lax.add(1.0, 3.0)) == 4.0
    out.setdefault("execution", {})["eager_default"] = _try(notes, "an eager jax op", eager)


# ---------------------------------------------------------------------------------------------
# exercises: one tiny deterministic computation per device, the result checked exactly

N = 64
EXPECTED = float(N * N * N)  # sum of (ones(N, N) @ ones(N, N)): every entry is N
_HANDLES = {}  # (kind, index) -> the framework's own device object, when a probe keeps one


def _torch_device(device):
    kind, index = device["kind"], device["index"]
    if kind in ("cuda", "rocm"):
        return "cuda:%d" % index
    if kind == "xpu":
        return "xpu:%d" % index
    return kind  # mps, cpu


def exercise_torch(torch, device):
    a = torch.ones((N, N), device=_torch_device(device))
    return float(torch.matmul(a, a).sum().item())


def exercise_tensorflow(tf, device):
    name = "/%s:%d" % (device.get("tf_type") or ("CPU" if device["kind"] == "cpu" else "GPU"), device["index"])
    with tf.device(name):
        a = tf.ones((N, N))
        total = tf.reduce_sum(tf.linalg.matmul(a, a))
    return float(total.numpy())


def exercise_jax(jax, device):
    import jax.numpy as jnp
    handle = _HANDLES.get((device["kind"], device["index"]))
    a = jax.device_put(jnp.ones((N, N), dtype=jnp.float32), handle)
    return float(jnp.sum(jnp.matmul(a, a)))


def exercise_keras(keras, device):
    ops = keras.ops
    a = ops.ones((N, N))
    return float(ops.convert_to_numpy(ops.sum(ops.matmul(a, a))))


def exercise_theano(theano, device):
    import numpy
    x = theano.tensor.matrix("x")
    f = theano.function([x], theano.tensor.dot(x, x).sum())
    return float(f(numpy.ones((N, N), dtype=theano.config.floatX)))


def probe_generic(module, out, notes):
    """Any importable framework fwprobe has no special knowledge of: import, version and
    __file__ (written by probe()), nothing more. It lists no devices ("devices" stays unset:
    not known, rather than none), so no device rule judges it."""


def _keras_prepare(out):
    """Before the import: where Keras will take its backend from (the import may fail on it)."""
    keras_home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    backend, source = _keras_backend_source(_keras_config(keras_home))
    out["keras_backend_source"] = {"backend": backend, "source": source}


def _keras_targets(out):
    return [{"kind": "backend", "index": 0, "name": out.get("keras_backend")}]  # one op through its backend


def _theano_targets(out):
    devices = list(out.get("devices") or [])
    return [d for d in devices if d["kind"] == "cpu"] or devices[:1]  # one compiled function


class Kind(object):
    """One probe kind: everything the agent knows about a family of frameworks, in one place.

    probe(module, out, notes): what the framework says (required). lists_devices: it writes
    out["devices"] (the catalog accepts gpu = true only for such kinds; each needs an exercise).
    exercise(module, device) -> float: one computation, EXPECTED when correct. evidence(module,
    out, notes): claim facts that cost a computation (`status --python` only). prepare(out):
    before the import. targets(out): what an exercise runs on (default: every listed device).
    """

    def __init__(self, probe, lists_devices=False, exercise=None, evidence=None, prepare=None, targets=None):
        self.probe = probe
        self.lists_devices = lists_devices
        self.exercise = exercise
        self.evidence = evidence
        self.prepare = prepare
        self.targets = targets or (lambda out: list(out.get("devices") or []))


# The probe kinds, one entry each: the catalog accepts exactly these names (catalog.probe_kinds).
KINDS = {
    "torch": Kind(probe_torch, lists_devices=True, exercise=exercise_torch, evidence=evidence_torch),
    "tensorflow": Kind(probe_tensorflow, lists_devices=True, exercise=exercise_tensorflow),
    "keras": Kind(probe_keras, lists_devices=True, exercise=exercise_keras, prepare=_keras_prepare,
                  targets=_keras_targets),
    "theano": Kind(probe_theano, lists_devices=True, exercise=exercise_theano, targets=_theano_targets),
    "jax": Kind(probe_jax, lists_devices=True, exercise=exercise_jax, evidence=evidence_jax),
    "generic": Kind(probe_generic),
}


def _exercise_all(name, module, out, result_path):
    """Exercise every target of the kind (listed devices; keras: its backend, once), writing after each."""
    kind = KINDS[name]
    if kind.exercise is None:  # said, never a false failure: the kind knows no computation to run
        out["notes"].append("--exercise: the %r probe kind runs no computation; nothing was exercised" % name)
        return
    results = out["exercise"] = []
    for device in kind.targets(out):
        entry = {"kind": device["kind"], "index": device["index"], "passed": False}
        results.append(entry)
        out["phase"] = "exercise"
        _rewrite(result_path, out)  # a hang or crash in this device's exercise keeps the rest
        started = time.time()
        try:
            value = kind.exercise(module, device)
            entry["passed"] = value == EXPECTED
            if not entry["passed"]:
                entry["error_type"] = "WrongResult"
                entry["error_message"] = "computed %r, expected %r" % (value, EXPECTED)
        except BaseException as exc:
            entry["error_type"] = type(exc).__name__
            entry["error_message"] = _text(exc, 1000)
        entry["seconds"] = round(time.time() - started, 4)


# ---------------------------------------------------------------------------------------------
# companions: after the framework, each installed companion imported in the same process, with its
# smallest native operation (named in the catalog, defined here), each with its own outcome


def op_torchvision_nms(module):
    """torchvision's C++ operator: non-maximum suppression of two overlapping boxes keeps one."""
    import torch
    boxes = torch.tensor([[0.0, 0.0, 10.0, 10.0], [1.0, 1.0, 11.0, 11.0]])
    keep = [int(i) for i in module.ops.nms(boxes, torch.tensor([0.9, 0.8]), 0.5)]
    if keep != [0]:
        raise AssertionError("nms kept %r of two boxes overlapping at IoU 0.68 (threshold 0.5), expected [0]" % keep)
    return True


def op_torchaudio_extension(module):
    """torchaudio's C++ extension (libtorchaudio) loaded, as torchaudio itself records it."""
    ext = __import__("torchaudio._extension", fromlist=["_IS_TORCHAUDIO_EXT_AVAILABLE"])
    available = getattr(ext, "_IS_TORCHAUDIO_EXT_AVAILABLE", None)
    if available is False:
        raise ImportError("torchaudio's C++ extension (libtorchaudio) is not available")
    return True


def op_import_submodule(name):
    """An op that imports ``name`` (a compiled submodule: the native library itself)."""
    def run(module):
        __import__(name)
        return True
    return run


# The native operations a catalog companion check may name (``op``): each returns True when the
# result is right; anything else it returns, or raises, fails the companion.
COMPANION_OPS = {
    "torchvision-nms": op_torchvision_nms,
    "torchaudio-extension": op_torchaudio_extension,
    "xformers-extension": op_import_submodule("xformers._C"),
}


def _companion_args(argv):
    """("torchvision", "torchvision", "torchvision-nms") from each ``companion=dist:module:op``."""
    found = []
    for arg in argv:
        if arg.startswith("companion="):
            parts = arg[len("companion="):].split(":")
            if len(parts) == 3 and parts[0] and parts[1]:
                found.append(tuple(parts))
    return found


def _budget(deadline, left):
    """Seconds for the next companion: an equal share of what remains before fwprobe's timeout."""
    if deadline is None:
        return None
    return max(1.0, (deadline - time.time() - 1.0) / max(1, left))


class _Overrun(BaseException):
    """Raised in the main thread when a companion's share of the time is spent."""


def _with_alarm(seconds, fn):
    """fn() interrupted after ``seconds`` where the platform has interval timers (a hang in Python
    code or a blocking call; a hang inside C that never returns is ended by fwprobe's timeout)."""
    import signal
    if seconds is None or not hasattr(signal, "setitimer"):
        return fn()

    def overrun(signum, frame):
        raise _Overrun("no answer within its share of the probe's time (%.0f s)" % seconds)
    previous = signal.signal(signal.SIGALRM, overrun)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _installed_names():
    """Normalised names of the distributions on sys.path, from their *.dist-info / *.egg-info
    folder names alone (one listdir per entry): which companions are installed, before importing."""
    names = set()
    for entry in list(sys.path):
        try:
            listing = os.listdir(entry or os.getcwd())
        except OSError:
            continue
        for fname in listing:
            if fname.endswith((".dist-info", ".egg-info")):
                names.add(_normalize(fname.rsplit(".", 1)[0].split("-")[0]))
    return names


def _companions_all(companions, out, result_path, deadline):
    """Import each companion whose module is here (and run its op), writing before each one: a
    crash or hang in one keeps the framework's answer and the companions before it."""
    here = _installed_names()
    wanted = [c for c in companions if _normalize(c[0]) in here and _module_exists(c[1].split(".")[0])]
    results = out["companions"] = []
    for i, (dist, name, op) in enumerate(wanted):
        entry = {"distribution": dist, "module": name, "op": op or None, "status": "running", "step": "import"}
        results.append(entry)
        out["phase"] = "companions"
        _rewrite(result_path, out)
        started = time.time()
        tee = _Tee()

        def check():
            module = __import__(name)
            for part in name.split(".")[1:]:
                module = getattr(module, part)
            top = sys.modules.get(name.split(".")[0])
            version = getattr(top, "__version__", None)
            entry["version"] = _text(version, 100) if version else None
            if op:
                entry["step"] = "op"
                if op not in COMPANION_OPS:
                    raise LookupError("fwprobe's agent knows no companion op %r" % op)
                result = COMPANION_OPS[op](module)
                if result is not True:
                    raise AssertionError("%s computed %r" % (op, result))
        try:
            with tee:
                _with_alarm(_budget(deadline, len(wanted) - i), check)
            entry["status"] = "ok"
        except _Overrun as exc:
            entry.update(status="timeout", error=_error(exc))
        except BaseException as exc:  # SystemExit from an import is a failure too
            entry.update(status="failed", error=_error(exc))
        said = "\n".join(tee.lines())
        if said.strip():
            entry["output_tail"] = said[-2000:]  # NumPy's ABI message goes to stderr, not into the error
        entry["seconds"] = round(time.time() - started, 4)


_LIBRARY = re.compile(r"/lib(cuda|cudart|cublas|cublasLt|cudnn\w*|nccl|nvrtc|nvJitLink|cusparse\w*|cufft\w*|"
                      r"curand|cusolver\w*|nvidia-ml|amdhip64|MIOpen|rocblas|hipblas\w*|rccl)\.so[.\d]*$")


def _mapped_libraries():
    """Raw /proc/self/maps lines of the CUDA/ROCm-family libraries mapped here, one per file (Linux)."""
    try:
        with _open("/proc/self/maps") as handle:
            lines = handle.read().splitlines()
    except (IOError, OSError):
        return None
    found, paths = [], set()
    for line in lines:
        parts = line.split(None, 5)
        if len(parts) == 6 and _LIBRARY.search(parts[5]) and parts[5] not in paths:
            paths.add(parts[5])
            found.append(line)  # the raw line: fwprobe's parser reads it (fwprobe/parsers.py)
    return found


def probe(name, import_name, result_path, exercise=False, evidence=False, companions=(), timeout=None):
    deadline = time.time() + timeout if timeout else None
    out = {"probe": name, "module": import_name, "phase": "import", "status": "running",
           "python": "%d.%d.%d" % sys.version_info[:3], "notes": []}
    kind = KINDS[name]
    if kind.prepare is not None:
        kind.prepare(out)
    started = time.time()
    try:
        module = __import__(import_name)
        for part in import_name.split(".")[1:]:
            module = getattr(module, part)
    except BaseException as exc:  # SystemExit and KeyboardInterrupt from an import are failures too
        out.update(status="failed", phase="import", import_seconds=round(time.time() - started, 3),
                   error=_error(exc), traceback_tail=_text("".join(traceback.format_exc()[-1500:]), 1500))
        return _write(result_path, out)
    out["import_seconds"] = round(time.time() - started, 3)
    out["version"] = _text(getattr(module, "__version__", None), 100) if getattr(module, "__version__", None) else None
    out["module_file"] = getattr(module, "__file__", None)
    out["phase"] = "query"
    out["status"] = "imported"
    _write(result_path, out)  # partial answer: survives a later hang or crash
    try:
        kind.probe(module, out, out["notes"])
    except BaseException as exc:
        out["notes"].append("probe query failed: %s: %s" % (type(exc).__name__, _text(exc, 500)))
    if evidence and kind.evidence is not None:
        try:
            kind.evidence(module, out, out["notes"])
        except BaseException as exc:
            out["notes"].append("claim evidence failed: %s: %s" % (type(exc).__name__, _text(exc, 500)))
    out["status"] = "ok"
    if exercise:
        _exercise_all(name, module, out, result_path)
    libraries = _mapped_libraries()
    if libraries is not None:
        out["mapped_libraries"] = libraries
    if companions:
        _companions_all(companions, out, result_path, deadline)
        libraries = _mapped_libraries()  # what the companions loaded too
        if libraries is not None:
            out["mapped_libraries"] = libraries
    out["phase"] = "done"
    return _rewrite(result_path, out)


def _end_with_parent():
    """Linux: end when fwprobe ends, even by SIGKILL (the OOM killer, a CI job's kill -9), which
    leaves it no chance to end its children: PR_SET_PDEATHSIG, armed against the process that
    started this agent. FWPROBE_PARENT_PID (fwprobe's pid) tells whether fwprobe already ended
    before the signal was armed (this agent's own start-up takes ~15 ms)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1: PR_SET_PDEATHSIG
    except Exception:  # no libc prctl here: fwprobe's own clean-up still applies
        return
    fwprobe = os.environ.get("FWPROBE_PARENT_PID", "")
    # another parent: fwprobe ended (this agent was reparented), or a wrapper script forked python
    if fwprobe.isdigit() and os.getppid() != int(fwprobe) and not _running(fwprobe):
        os._exit(1)  # nobody waits for this answer


def _running(pid):
    try:
        with _open("/proc/%s/stat" % pid) as handle:
            return handle.read().rsplit(")", 1)[-1].split()[0] != "Z"  # a zombie has ended
    except (IOError, OSError, IndexError):
        return False


def main(argv):
    _end_with_parent()
    if len(argv) >= 3 and argv[0] == "inventory":
        inventory(argv[1], argv[2].split(","))
    elif len(argv) >= 4 and argv[0] == "probe":
        timeout = [a[len("timeout="):] for a in argv[4:] if a.startswith("timeout=")]
        probe(argv[1], argv[2], argv[3], exercise="exercise" in argv[4:], evidence="evidence" in argv[4:],
              companions=_companion_args(argv[4:]), timeout=float(timeout[0]) if timeout else None)
    else:
        sys.stderr.write("usage: agent inventory RESULT NAMES | agent probe NAME MODULE RESULT [exercise] [evidence] "
                         "[timeout=SECONDS] [companion=DIST:MODULE:OP ...]\n")
        return 2
    return 0


if __name__ == "__main__":
    # the agent's own directory (the work dir) is not where frameworks come from
    if sys.path and os.path.abspath(sys.path[0] or ".") == os.path.dirname(os.path.abspath(__file__)):
        del sys.path[0]
    sys.exit(main(sys.argv[1:]))

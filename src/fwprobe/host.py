"""Facts about the machine fwprobe runs on: OS, kernel, libc, CPU, memory, container or WSL, and
the environment variables that steer frameworks (credential-looking values redacted).

Stdlib only: os-release(5) (/etc/os-release, else /usr/lib/os-release), platform, /proc; `sw_vers`
and the registry are not needed for the fields kept (platform answers them on macOS and Windows).
"""

from __future__ import annotations

import os
import platform
import re
import shlex
import socket
from collections.abc import Mapping
from pathlib import Path

from fwprobe.model import Host
from fwprobe.scheduler import scheduler_context

STEERING = re.compile(r"^(CUDA_|NCCL_|XLA_|JAX_|TF_|KERAS_|PYTORCH_|TORCH_|HIP_|ROCR_|HSA_|NVIDIA_|CUDNN_|"
                      r"LD_LIBRARY_PATH$|OMP_NUM_THREADS$|MKL_NUM_THREADS$|THEANO_FLAGS$|PYTENSOR_FLAGS$)")
# Terraform's (and OpenTofu's) own TF_* variables, from its CLI reference: set on many CI runners,
# they steer no framework and are noise (TF_VAR_*: a deployment's inputs) in a bug report
_TERRAFORM = re.compile(r"^TF_(VAR|CLI_ARGS|TOKEN)_|^TF_(LOG|LOG_PATH|LOG_CORE|LOG_PROVIDER|INPUT|CLI_ARGS|"
                        r"CLI_CONFIG_FILE|DATA_DIR|WORKSPACE|IN_AUTOMATION|PLUGIN_CACHE_DIR|IGNORE|"
                        r"APPEND_USER_AGENT|STATE_PERSIST_INTERVAL|REGISTRY_DISCOVERY_RETRY|"
                        r"REGISTRY_CLIENT_TIMEOUT|MODULE_DEPTH)$")
_SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL|AUTH", re.I)
_SECRET_VALUE = re.compile(r"://[^/\s:@]+:[^/\s@]+@|^(gh[pousr]_|hf_|sk-|xox[abp]-|AKIA)[A-Za-z0-9_-]{8,}")
REDACTED = "***"


def redact_value(name: str, value: str) -> str:
    """``value``, or *** when the name or the value looks like a credential."""
    if _SECRET_NAME.search(name) or _SECRET_VALUE.search(value):
        return REDACTED
    return value


def steering_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The variables that steer frameworks, sorted, credential-looking values redacted."""
    return {k: redact_value(k, v) for k, v in sorted(environ.items())
            if STEERING.match(k) and not _TERRAFORM.match(k)}


# os-release(5): /etc/os-release takes precedence; /usr/lib/os-release only where it is absent
OS_RELEASE_FILES = ("etc/os-release", "usr/lib/os-release")
UNKNOWN_RELEASE = "Linux, OS release unknown (no /etc/os-release or /usr/lib/os-release)"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _sh_double_quote_escapes(line: str) -> str:
    """The line with backslash-dollar and backslash-backtick inside double quotes unescaped, as
    sh does (shlex unescapes only a double quote or a backslash there)."""
    out: list[str] = []
    quote: str | None = None
    i = 0
    while i < len(line):
        char = line[i]
        if char == "\\" and quote != "'" and i + 1 < len(line):
            nxt = line[i + 1]
            out.append(nxt if quote == '"' and nxt in "$`" else char + nxt)
            i += 2
            continue
        if char in "'\"" and quote in (None, char):
            quote = None if quote else char
        out.append(char)
        i += 1
    return "".join(out)


def parse_os_release_values(text: str) -> dict[str, str]:
    """Every assignment of an os-release file, read with shell rules as the ``distro`` library
    does (shlex: quotes, backslash escapes, comments); a line sh could not read costs that line."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        lexer = shlex.shlex(_sh_double_quote_escapes(line), posix=True)
        lexer.whitespace_split = True
        try:
            words = list(lexer)
        except ValueError:
            continue  # an unbalanced quote
        for word in words:  # leading NAME=value words are assignments, as in sh
            key, sep, value = word.partition("=")
            if not sep or not _NAME.fullmatch(key):
                break
            values[key] = value
    return values


def parse_os_release(text: str) -> tuple[str | None, str | None]:
    """(NAME, VERSION_ID) from os-release text (PRETTY_NAME when NAME is missing)."""
    values = parse_os_release_values(text)
    return values.get("NAME") or values.get("PRETTY_NAME"), values.get("VERSION_ID")


def read_os_release(root: Path = Path("/")) -> str | None:
    """The text of the os-release file that os-release(5) says to read under ``root``, None
    when there is neither (an unreadable or dangling /etc/os-release falls back too)."""
    for name in OS_RELEASE_FILES:
        try:
            return (root / name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
    return None


def linux_release(root: Path = Path("/")) -> tuple[str | None, str | None]:
    """(name, version) of a Linux system; says plainly when no os-release file exists (every
    distribution since about 2012 ships one; the older /etc/*-release formats differ per vendor)."""
    text = read_os_release(root)
    if text is None:
        return UNKNOWN_RELEASE, None
    return parse_os_release(text)


def parse_meminfo(text: str) -> int | None:
    m = re.search(r"^MemTotal:\s+(\d+)\s*kB", text, re.M)
    return int(m.group(1)) * 1024 if m else None


def parse_cpuinfo(text: str) -> str | None:
    m = re.search(r"^(?:model name|Hardware|cpu model)\s*:\s*(.+)$", text, re.M)
    return m.group(1).strip() if m else None


def container_of(exists: Mapping[str, bool], cgroup: str, environ: Mapping[str, str]) -> str | None:
    """docker | podman | kubernetes | None, from the usual markers."""
    if environ.get("KUBERNETES_SERVICE_HOST") or "kubepods" in cgroup:
        return "kubernetes"
    if exists.get("/run/.containerenv"):
        return "podman"
    if exists.get("/.dockerenv") or "docker" in cgroup:
        return "docker"
    if environ.get("container"):
        return environ["container"]
    return None


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def read_host(environ: Mapping[str, str] | None = None) -> Host:
    env = os.environ if environ is None else environ
    system = platform.system()
    os_name, os_version = linux_release() if system == "Linux" else (None, None)
    if system == "Darwin":
        os_name, os_version = "macOS", platform.mac_ver()[0] or None
    elif system == "Windows":
        os_name, os_version = "Windows", platform.version() or None
    libc, libc_version = platform.libc_ver() if system == "Linux" else ("", "")
    memory = parse_meminfo(_read("/proc/meminfo")) if system == "Linux" else None
    if memory is None and hasattr(os, "sysconf"):
        try:
            memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError):
            memory = None
    proc_version = _read("/proc/version")
    return Host(
        hostname=socket.gethostname(),
        os=os_name or system or None, os_version=os_version, kernel=platform.release() or None,
        libc=libc or None, libc_version=libc_version or None,
        cpu=parse_cpuinfo(_read("/proc/cpuinfo")) or platform.processor() or None,
        logical_cores=os.cpu_count(), memory_bytes=memory,
        container=container_of({p: os.path.exists(p) for p in ("/.dockerenv", "/run/.containerenv")},
                               _read("/proc/1/cgroup"), env),
        wsl="microsoft" in proc_version.lower(),
        env=steering_env(env),
        scheduler=scheduler_context(env),
    )

"""Which index: --index-url, FWPROBE_INDEX_URL, PIP_INDEX_URL, pip's config files, pip's default."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from fwprobe.errors import UsageError
from fwprobe.index.redact import redact


class IndexConfigError(UsageError):
    """No usable index URL could be determined."""

    advice = "set one with --index-url URL or FWPROBE_INDEX_URL, or use --no-index"


def pip_config_files(environ: Mapping[str, str] | None = None) -> list[Path]:
    """pip's configuration files, lowest priority first (global, user, site, PIP_CONFIG_FILE),
    as the installed pip loads them. Read with configparser: importing pip's own loader costs ~0.2 s."""
    import sys

    env = os.environ if environ is None else environ
    explicit = env.get("PIP_CONFIG_FILE")
    if explicit == os.devnull:
        return []  # pip's documented way to load no configuration files at all
    xdg_dirs = env.get("XDG_CONFIG_DIRS") or "/etc/xdg"
    # pip reads XDG_CONFIG_DIRS in the order given, each file overriding the one before
    files = [Path(d) / "pip" / "pip.conf" for d in xdg_dirs.split(os.pathsep) if d]
    files.append(Path("/etc/pip.conf"))
    if not (explicit and os.path.exists(explicit)):  # pip skips the user's files when PIP_CONFIG_FILE exists
        home = Path(env.get("HOME") or Path.home())
        files.append(home / ".pip" / "pip.conf")
        files.append(Path(env.get("XDG_CONFIG_HOME") or home / ".config") / "pip" / "pip.conf")
    files.append(Path(sys.prefix) / "pip.conf")
    if explicit:
        files.append(Path(explicit))
    return files


def pip_config_value(environ: Mapping[str, str] | None = None) -> str | None:
    """index-url from pip's configuration files, merged as pip merges them: a later file's value,
    even an empty one, replaces an earlier file's; then [install] wins over [global]; empty is none."""
    import configparser

    merged: dict[str, str] = {}
    for path in pip_config_files(environ):
        parser = configparser.RawConfigParser()
        try:
            if not parser.read(path, encoding="utf-8"):
                continue
        except (configparser.Error, OSError, UnicodeDecodeError):
            continue  # pip would complain; fwprobe just moves on to the next source
        for section in ("global", "install"):
            if parser.has_section(section):
                for key, value in parser.items(section):
                    if key.replace("_", "-") == "index-url":
                        merged[section] = value
    for section in ("install", "global"):
        words = merged.get(section, "").split()
        if words:
            return words[0]
    return None


def pip_default() -> str | None:
    """pip's built-in default index, read from the installed pip at run time."""
    try:
        from pip._internal.models.index import PyPI
    except Exception:  # noqa: BLE001 - pip internals: absent, moved or broken all mean "no default"
        return None
    url = getattr(PyPI, "simple_url", None)
    return str(url) if url else None


def resolve_index_url(cli_value: str | None = None, environ: Mapping[str, str] | None = None,
                      pip_config: Callable[[], str | None] | None = None,
                      pip_default_url: Callable[[], str | None] | None = None) -> str:
    """The index URL: --index-url, FWPROBE_INDEX_URL, PIP_INDEX_URL, pip's config, pip's default.

    Raises IndexConfigError (redacted) when none is found or the one found is not http(s).
    """
    env = os.environ if environ is None else environ
    for origin, value in (("--index-url", cli_value),
                          ("FWPROBE_INDEX_URL", env.get("FWPROBE_INDEX_URL")),
                          ("PIP_INDEX_URL", env.get("PIP_INDEX_URL"))):
        if value:
            return _validated(value, origin)
    for origin, get in (("pip's configuration", pip_config or (lambda: pip_config_value(environ))),
                        ("pip's default", pip_default_url or pip_default)):
        value = get()
        if value:
            return _validated(value, origin)
    raise IndexConfigError("no package index URL found: no --index-url, FWPROBE_INDEX_URL, "
                           "PIP_INDEX_URL or pip configuration, and pip is not importable")


def _validated(url: str, origin: str) -> str:
    try:
        parts = urlsplit(url.strip())
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok:
        raise IndexConfigError(f"index URL from {origin} ({redact(url)}) is not an http(s) URL")
    return url.strip().rstrip("/") + "/"

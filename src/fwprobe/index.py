"""Package index client: release history per distribution from the JSON Simple API.

Standard endpoints only (PEP 691 JSON project pages, PEP 700 upload times and versions, PEP 792
project status), so any compliant mirror works. Concurrent requests over one session, a
timeout, retries with backoff on 429/5xx, and an on-disk cache with a TTL. Every failure for a
distribution becomes ``DistRelease(ok=False, error=...)``; nothing here raises for what an
index answers. The index URL's credentials never appear in anything this module returns.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote, urlsplit, urlunsplit

from fwprobe.catalog import normalize
from fwprobe.model import DistRelease, Release

ACCEPT = "application/vnd.pypi.simple.v1+json"
CACHE_TTL_SECONDS = 6 * 3600
MAX_WORKERS = 16  # one connection per distribution (the catalog asks for about 8)
RETRY_STATUSES = (429, 500, 502, 503, 504)
RETRIES = 3
BACKOFF_SECONDS = 0.25
MAX_RETRY_AFTER = 5.0
CONNECT_TIMEOUT = 5.0


class IndexConfigError(Exception):
    """No usable index URL could be determined."""


# ---------------------------------------------------------------------------------------------
# which index, and credentials


def redact(url: str) -> str:
    """``url`` with any user:password replaced by ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return re.sub(r"//[^/@]*@", "//***@", url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, "***@" + host, parts.path, parts.query, parts.fragment))


def scrub(text: str, url: str) -> str:
    """``text`` with ``url``'s credentials removed wherever they occur (error messages)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return text
    userinfo = parts.netloc.rsplit("@", 1)[0]
    text = text.replace(url, redact(url))
    for secret in {userinfo, *userinfo.split(":")}:
        if secret:
            text = text.replace(secret, "***")
    return text


def pip_config_files(environ: Mapping[str, str] | None = None) -> list[Path]:
    """pip's configuration files, lowest priority first (global, user, site, PIP_CONFIG_FILE),
    as pip documents them. Read with configparser: importing pip's own loader costs ~0.2 s."""
    import sys

    env = os.environ if environ is None else environ
    explicit = env.get("PIP_CONFIG_FILE")
    if explicit == os.devnull:
        return []  # pip's documented way to load no configuration files at all
    files: list[Path] = []
    xdg_dirs = env.get("XDG_CONFIG_DIRS") or "/etc/xdg"
    files += [Path(d) / "pip" / "pip.conf" for d in reversed(xdg_dirs.split(os.pathsep)) if d]
    files.append(Path("/etc/pip.conf"))
    home = Path(env.get("HOME") or Path.home())
    files.append(home / ".pip" / "pip.conf")
    files.append(Path(env.get("XDG_CONFIG_HOME") or home / ".config") / "pip" / "pip.conf")
    files.append(Path(sys.prefix) / "pip.conf")
    if explicit:
        files.append(Path(explicit))
    return files


def _pip_config_value(environ: Mapping[str, str] | None = None) -> str | None:
    """index-url from pip's configuration files ([install] over [global], later files win)."""
    import configparser

    found = None
    for path in pip_config_files(environ):
        parser = configparser.RawConfigParser()
        try:
            if not parser.read(path, encoding="utf-8"):
                continue
        except (configparser.Error, OSError, UnicodeDecodeError):
            continue  # pip would complain; fwprobe just moves on to the next source
        for section in ("global", "install"):
            if parser.has_option(section, "index-url"):
                found = parser.get(section, "index-url").split()[0] or found
            elif parser.has_option(section, "index_url"):
                found = parser.get(section, "index_url").split()[0] or found
    return found


def _pip_default() -> str | None:
    """pip's built-in default index, read from the installed pip at run time."""
    try:
        from pip._internal.models.index import PyPI
    except Exception:  # noqa: BLE001 - pip internals: absent, moved or broken all mean "no default"
        return None
    url = getattr(PyPI, "simple_url", None)
    return str(url) if url else None


def resolve_index_url(cli_value: str | None = None, environ: Mapping[str, str] | None = None,
                      pip_config: Callable[[], str | None] | None = None,
                      pip_default: Callable[[], str | None] | None = None) -> str:
    """The index URL: --index-url, FWPROBE_INDEX_URL, PIP_INDEX_URL, pip's config, pip's default.

    Raises IndexConfigError (redacted) when none is found or the one found is not http(s).
    """
    env = os.environ if environ is None else environ
    for origin, value in (("--index-url", cli_value),
                          ("FWPROBE_INDEX_URL", env.get("FWPROBE_INDEX_URL")),
                          ("PIP_INDEX_URL", env.get("PIP_INDEX_URL"))):
        if value:
            return _validated(value, origin)
    for origin, get in (("pip's configuration", pip_config or _pip_config_value),
                        ("pip's default", pip_default or _pip_default)):
        value = get()
        if value:
            return _validated(value, origin)
    raise IndexConfigError("no package index URL found: no --index-url, FWPROBE_INDEX_URL, "
                           "PIP_INDEX_URL or pip configuration, and pip is not importable")


def _validated(url: str, origin: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise IndexConfigError(f"index URL from {origin} ({redact(url)}) is not an http(s) URL")
    return url.strip().rstrip("/") + "/"


# ---------------------------------------------------------------------------------------------
# parsing a JSON Simple API project page


_ARCHIVE = re.compile(r"\.(tar\.gz|tar\.bz2|tar\.xz|tgz|zip|tar|egg|exe|msi|rpm|dmg)$", re.I)


def version_of_file(filename: str, project: str) -> str | None:
    """The version a distribution file is for; tolerates non-PEP 440 versions."""
    if filename.endswith(".whl"):
        parts = filename[:-4].split("-")
        return parts[1] if len(parts) >= 5 else None
    stem = _ARCHIVE.sub("", filename)
    if stem == filename:
        return None
    norm = normalize(project)
    # the name may itself contain '-' (old sdists): find the split whose prefix is the project
    pieces = stem.split("-")
    for i in range(1, len(pieces)):
        if normalize("-".join(pieces[:i])) == norm:
            version = "-".join(pieces[i:])
            return re.sub(r"\.(linux|win|macosx|py\d).*$", "", version) or None
    return stem.rsplit("-", 1)[1] if "-" in stem else None


def _sort_key(version: str) -> tuple[int, Any]:
    from packaging.version import InvalidVersion, Version

    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, version)  # non-PEP 440 versions sort before every valid one


def _is_pre(version: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        v = Version(version)
    except InvalidVersion:
        return False
    return v.is_prerelease or v.is_devrelease


def parse_project(name: str, data: Any, now: dt.datetime) -> DistRelease:
    """DistRelease from a JSON Simple API project page; ok=False with a reason on a wrong shape."""
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        return DistRelease(name, ok=False, error="the index answer is not a JSON Simple API project "
                                                 "page (no 'files' list)")
    first: dict[str, dt.datetime] = {}
    files_of: dict[str, int] = {}
    yanked_files: dict[str, int] = {}
    reasons: dict[str, str] = {}
    for f in data["files"]:
        if not isinstance(f, dict) or not isinstance(f.get("filename"), str):
            continue
        version = version_of_file(f["filename"], name)
        if not version:
            continue
        files_of[version] = files_of.get(version, 0) + 1
        yanked = f.get("yanked", False)
        if yanked:
            yanked_files[version] = yanked_files.get(version, 0) + 1
            if isinstance(yanked, str) and yanked.strip():
                reasons[version] = yanked.strip()
        when = _parse_time(f.get("upload-time"))
        if when is not None and (version not in first or when < first[version]):
            first[version] = when
    versions = set(files_of)
    for v in data.get("versions") or ():
        if isinstance(v, str):
            versions.add(v)
    releases = []
    for v in sorted(versions, key=_sort_key):
        day = first.get(v)
        releases.append(Release(
            version=v, date=day,
            yanked=bool(files_of.get(v)) and yanked_files.get(v, 0) == files_of[v],
            yanked_reason=reasons.get(v), prerelease=_is_pre(v)))
    live = [r for r in releases if not r.yanked]
    stable = [r for r in live if not r.prerelease and _sort_key(r.version)[0] == 1]
    newest = stable[-1] if stable else (live[-1] if live and not live[-1].prerelease else None)
    pre = [r for r in live if r.prerelease]
    newest_pre = pre[-1] if pre and (newest is None or _sort_key(pre[-1].version) > _sort_key(newest.version)) else None
    cutoff = now - dt.timedelta(days=365)
    recent = sum(1 for v, t in first.items() if t >= cutoff)
    status, reason = _project_status(data)
    return DistRelease(
        name=name, ok=True, newest=newest, newest_prerelease=newest_pre,
        releases_last_365_days=recent, release_count=len(releases), project_status=status,
        project_status_reason=reason, releases=tuple(releases),
    )


def _project_status(data: Mapping[str, Any]) -> tuple[str | None, str | None]:
    raw = data.get("project-status")
    if raw is None and isinstance(data.get("meta"), dict):
        raw = data["meta"].get("project-status")
    if isinstance(raw, str):
        return raw, None
    if isinstance(raw, dict) and isinstance(raw.get("status"), str):
        reason = raw.get("reason")
        return raw["status"], reason if isinstance(reason, str) else None
    return None, None


def _parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def trim(data: Any) -> Any:
    """Only the fields fwprobe reads (no URLs): what the cache stores and test fixtures hold."""
    if not isinstance(data, dict):
        return data
    keep: dict[str, Any] = {k: data[k] for k in ("name", "versions", "project-status") if k in data}
    if isinstance(data.get("meta"), dict):
        keep["meta"] = {k: v for k, v in data["meta"].items() if k in ("api-version", "project-status")}
    if isinstance(data.get("files"), list):
        keep["files"] = [{k: f[k] for k in ("filename", "upload-time", "yanked") if k in f}
                         for f in data["files"] if isinstance(f, dict)]
    else:
        keep["files"] = data.get("files")
    return keep


# ---------------------------------------------------------------------------------------------
# the client


def default_cache_dir() -> Path:
    env = os.environ.get("FWPROBE_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("fwprobe"))


class IndexClient:
    """Fetches DistRelease per distribution; concurrent, cached, retried. Never raises per name."""

    def __init__(self, url: str, offline: bool = False, refresh: bool = False,
                 timeout: float = 15.0, cache_dir: Path | None = None,
                 ttl: float = CACHE_TTL_SECONDS, now: Callable[[], dt.datetime] | None = None) -> None:
        self.url = url if url.endswith("/") else url + "/"
        self.offline, self.refresh, self.timeout, self.ttl = offline, refresh, timeout, ttl
        self.cache_dir = (cache_dir or default_cache_dir()) / "simple" / hashlib.sha256(
            redact(self.url).encode()).hexdigest()[:16]
        if now is None:
            from fwprobe.clock import now_utc

            now = now_utc
        self._now: Callable[[], dt.datetime] = now
        self._session: Any = None
        self.requests_sent = 0

    @property
    def display_url(self) -> str:
        return redact(self.url)

    def _get_session(self) -> Any:
        if self._session is None:
            import requests
            from requests.adapters import HTTPAdapter

            from fwprobe import __version__

            session = requests.Session()
            adapter = _shared_tls_adapter(HTTPAdapter)(pool_connections=4, pool_maxsize=MAX_WORKERS,
                                                       max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.headers.update({"Accept": ACCEPT, "User-Agent": f"fwprobe/{__version__}"})
            self._session = session
        return self._session

    def fetch_many(self, names: Iterable[str]) -> dict[str, DistRelease]:
        """One DistRelease per (normalised) name, fetched concurrently."""
        unique = list(dict.fromkeys(normalize(n) for n in names))
        if not unique:
            return {}
        with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(unique))) as pool:
            return dict(zip(unique, pool.map(self.fetch, unique)))

    def fetch(self, name: str) -> DistRelease:
        name = normalize(name)
        try:
            return self._fetch(name)
        except Exception as exc:  # noqa: BLE001 - last line of defence: a status, never a crash
            return DistRelease(name, ok=False, error=scrub(f"{type(exc).__name__}: {exc}", self.url))

    def _cache_path(self, name: str) -> Path:
        return self.cache_dir / f"{name}.json"

    def _read_cache(self, name: str) -> tuple[Any, float] | None:
        path = self._cache_path(name)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            return entry["data"], float(entry["fetched_at"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            return None  # corrupted: ignored, and replaced by the next successful fetch

    def _write_cache(self, name: str, data: Any) -> None:
        path = self._cache_path(name)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{name}.", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"fetched_at": time.time(), "index": self.display_url, "data": data}, handle)
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only cache dir costs speed, not correctness

    def _fetch(self, name: str) -> DistRelease:
        now = self._now()
        cached = None if self.refresh and not self.offline else self._read_cache(name)
        if cached is not None and (self.offline or time.time() - cached[1] < self.ttl):
            result = parse_project(name, cached[0], now)
            return _with_cache_flag(result)
        if self.offline:
            corrupt = self._cache_path(name).exists()
            why = "cache file unreadable" if corrupt else "not in the cache"
            return DistRelease(name, ok=False, error=f"--offline and {why}")
        data, error = self._download(name)
        if error is not None:
            return DistRelease(name, ok=False, error=scrub(error, self.url))
        self._write_cache(name, trim(data))
        return parse_project(name, data, now)

    def _download(self, name: str) -> tuple[Any, str | None]:
        import requests

        url = self.url + quote(name) + "/"
        session = self._get_session()
        response = None
        for attempt in range(RETRIES + 1):
            self.requests_sent += 1
            try:
                # a firewall that drops packets should not cost the full read timeout per name
                response = session.get(url, timeout=(min(self.timeout, CONNECT_TIMEOUT), self.timeout))
            except requests.Timeout:
                return None, f"no answer from the index within {self.timeout:g} s"
            except requests.exceptions.SSLError as exc:
                return None, (f"TLS certificate verification failed ({_short(exc)}); if a proxy re-signs "
                              "HTTPS traffic, point REQUESTS_CA_BUNDLE at its CA bundle")
            except requests.ConnectionError as exc:
                if attempt < 1:
                    time.sleep(BACKOFF_SECONDS)
                    continue
                return None, f"cannot reach the index: {_short(exc)}"
            except requests.RequestException as exc:
                return None, f"request failed: {_short(exc)}"
            if response.status_code in RETRY_STATUSES and attempt < RETRIES:
                time.sleep(_retry_delay(response.headers.get("Retry-After"), attempt))
                continue
            break
        assert response is not None
        if response.status_code == 404:
            return None, "not found on the index (404)"
        if response.status_code != 200:
            return None, f"the index answered HTTP {response.status_code}"
        ctype = response.headers.get("Content-Type", "")
        if "json" not in ctype:
            return None, (f"the index answered {ctype or 'no content type'}, not the JSON Simple API "
                          "(PEP 691); use an index or mirror that serves it")
        try:
            return response.json(), None
        except ValueError:
            return None, "the index answered invalid JSON"


def _shared_tls_adapter(base: Any) -> Any:
    """An HTTPAdapter subclass that loads a custom CA bundle (REQUESTS_CA_BUNDLE, verify=path)
    once per session instead of once per connection.

    requests hands the bundle path to urllib3, which calls load_verify_locations for every new
    connection: ~45 ms of CPU each here, serialised, which made 8 concurrent requests slower
    than 4. Verification itself is unchanged: CERT_REQUIRED, same bundle, urllib3's hostname
    check. Uses requests' documented hook, build_connection_pool_key_attributes (>= 2.32).
    """
    import ssl
    import threading

    from urllib3.util.ssl_ import create_urllib3_context

    class SharedTLSAdapter(base):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self._contexts: dict[str, ssl.SSLContext] = {}
            self._lock = threading.Lock()
            super().__init__(*args, **kwargs)

        def _context(self, path: str) -> ssl.SSLContext:
            with self._lock:
                if path not in self._contexts:
                    ctx = create_urllib3_context(cert_reqs=ssl.CERT_REQUIRED)
                    if os.path.isdir(path):
                        ctx.load_verify_locations(capath=path)
                    else:
                        ctx.load_verify_locations(cafile=path)
                    self._contexts[path] = ctx
                return self._contexts[path]

        def build_connection_pool_key_attributes(self, request: Any, verify: Any, cert: Any = None) -> Any:
            host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
            if isinstance(verify, str) and os.path.exists(verify):
                pool_kwargs.pop("ca_certs", None)
                pool_kwargs.pop("ca_cert_dir", None)
                pool_kwargs["ssl_context"] = self._context(verify)
            return host_params, pool_kwargs

        def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
            super().cert_verify(conn, url, verify, cert)
            if isinstance(verify, str) and verify in self._contexts:
                conn.ca_certs = None  # the pool's shared context already trusts this bundle
                conn.ca_cert_dir = None

    return SharedTLSAdapter


def _retry_delay(header: str | None, attempt: int) -> float:
    if header and header.strip().isdigit():
        return min(float(header.strip()), MAX_RETRY_AFTER)
    return min(BACKOFF_SECONDS * 2.0**attempt, MAX_RETRY_AFTER)


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) < 300 else text[:297] + "..."


def _with_cache_flag(result: DistRelease) -> DistRelease:
    from dataclasses import replace

    return replace(result, from_cache=True)

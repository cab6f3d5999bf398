"""The index client: one DistRelease per distribution, fetched concurrently, cached, retried.

Nothing here raises for what an index answers: every failure is ``DistRelease(ok=False)`` with a
typed ``error_kind`` and a reason, from which the credentials have been scrubbed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Protocol
from urllib.parse import quote

from fwprobe.catalog import normalize
from fwprobe.index import http
from fwprobe.index.cache import Cache, default_cache_dir
from fwprobe.index.redact import redact, scrub
from fwprobe.index.simple import HTML_TYPES, JSON_TYPE, BadPage, html_page, parse_project, trim
from fwprobe.model import DistRelease, IndexErrorKind, ProjectMeta

CACHE_TTL_SECONDS = 6 * 3600
DEFAULT_TIMEOUT = 15.0
MAX_WORKERS = 16  # one connection per distribution (the catalog asks for about 8)
RETRY_STATUSES = (429, 500, 502, 503, 504)
RETRIES = 3
BACKOFF_SECONDS = 0.25
MAX_RETRY_AFTER = 5.0
NOT_FOUND = "not found on the index (404)"


class ReleaseSource(Protocol):
    """What the pipeline needs from an index: the small protocol other backends implement."""

    @property
    def display_url(self) -> str: ...  # the index as shown in reports: credentials redacted

    @property
    def offline(self) -> bool: ...

    def fetch_many(self, names: Iterable[str], with_meta: bool = False) -> dict[str, DistRelease]: ...


def retry_delay(header: str | None, attempt: int) -> float:
    """Seconds to wait before retry ``attempt``: Retry-After (capped) or exponential backoff."""
    if header and header.strip().isdigit():
        return min(float(header.strip()), MAX_RETRY_AFTER)
    return min(BACKOFF_SECONDS * 2.0**attempt, MAX_RETRY_AFTER)


def _text(info: dict[str, Any], key: str) -> str | None:
    value = info.get(key)
    return value if isinstance(value, str) and value.strip() else None


def _strings(info: dict[str, Any], key: str) -> tuple[str, ...]:
    value = info.get(key)
    return tuple(x for x in value if isinstance(x, str)) if isinstance(value, list) else ()


# the per-project JSON's info fields fwprobe reads (what its cache keeps)
META_FIELDS = ("version", "requires_dist", "classifiers", "author", "author_email", "maintainer",
               "maintainer_email", "requires_python")


def _meta(entry: dict[str, Any]) -> ProjectMeta:
    """ProjectMeta from a cached per-project JSON answer: ``{"info": {...}}`` or ``{"http-status": 404}``."""
    info = entry.get("info")
    if not isinstance(info, dict):
        return ProjectMeta(error=f"the index's per-project JSON answered HTTP {entry.get('http-status')}")
    people = [v for v in (_text(info, "author"), _text(info, "author_email"), _text(info, "maintainer"),
                          _text(info, "maintainer_email")) if v]
    return ProjectMeta(version=_text(info, "version"), requires_dist=_strings(info, "requires_dist"),
                       classifiers=_strings(info, "classifiers"), maintainer="; ".join(people) or None,
                       requires_python=_text(info, "requires_python"))


def _failed(name: str, kind: IndexErrorKind, error: str) -> DistRelease:
    return DistRelease(name, ok=False, error=error, error_kind=kind)


class IndexClient:
    """Fetches DistRelease per distribution from a Simple API index (JSON, or HTML where that is
    all it serves). Each request ends within ``timeout`` seconds, and a ``fetch_many`` within
    ``2 * timeout`` overall (retries included); answers are capped in size."""

    def __init__(self, url: str, offline: bool = False, refresh: bool = False,
                 timeout: float = DEFAULT_TIMEOUT, cache_dir: Path | None = None,
                 ttl: float = CACHE_TTL_SECONDS, now: Callable[[], dt.datetime] | None = None,
                 max_bytes: int = http.MAX_ANSWER_BYTES) -> None:
        self.url = url if url.endswith("/") else url + "/"
        self.offline, self.refresh, self.timeout, self.ttl = offline, refresh, timeout, ttl
        self.max_bytes = max_bytes
        self.cache = Cache((cache_dir or default_cache_dir()) / "simple" / hashlib.sha256(
            redact(self.url).encode()).hexdigest()[:16])
        self.meta_cache = Cache(self.cache.root / "meta")  # per-project JSON answers, beside the pages
        if now is None:
            from fwprobe.clock import now_utc

            now = now_utc
        self._now: Callable[[], dt.datetime] = now
        self._session: Any = None
        self._session_lock = threading.Lock()  # fetch_many's threads all ask for it at once, cold
        self._run_deadline: float | None = None
        self.requests_sent = 0

    @property
    def display_url(self) -> str:
        return redact(self.url)

    def _get_session(self) -> Any:
        with self._session_lock:  # one session (one connection pool, one CA bundle load) per client
            if self._session is None:
                from fwprobe import __version__

                self._session = http.new_session(f"fwprobe/{__version__}", MAX_WORKERS)
            return self._session

    def fetch_many(self, names: Iterable[str], with_meta: bool = False) -> dict[str, DistRelease]:
        """One DistRelease per (normalised) name, fetched concurrently under one shared deadline;
        ``with_meta`` adds each project's newest-release metadata from the per-project JSON where
        the index offers it (``meta.error`` says why not where it does not)."""
        unique = list(dict.fromkeys(normalize(n) for n in names))
        if not unique:
            return {}
        self._run_deadline = time.monotonic() + 2 * self.timeout
        workers = min(MAX_WORKERS, len(unique) * (2 if with_meta else 1))
        try:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                pages = list(pool.map(self.fetch, unique))
                if not with_meta:
                    return dict(zip(unique, pages))
                metas = pool.map(self.fetch_meta, unique)
                return {n: replace(p, meta=m) for n, p, m in zip(unique, pages, metas)}
        finally:
            self._run_deadline = None

    def json_url(self, name: str) -> str | None:
        """The per-project JSON of a warehouse-style index (``<root>/simple/`` -> ``<root>/pypi/NAME/json``)."""
        if not self.url.endswith("/simple/"):
            return None
        return self.url[: -len("simple/")] + "pypi/" + quote(name) + "/json"

    def fetch_meta(self, name: str) -> ProjectMeta:
        """The newest release's metadata; never raises (a ProjectMeta with ``error`` instead).

        A definite answer is cached like a project page (same TTL, ignored by ``refresh``, all
        that ``offline`` reads): the trimmed ``info``, or the index's 404/410 for this endpoint,
        so a warm run against an index without per-project JSON sends no request."""
        name = normalize(name)
        url = self.json_url(name)
        if url is None:
            return ProjectMeta(error="this index offers no per-project JSON (its URL does not end in /simple/)")
        cached = None if self.refresh and not self.offline else self.meta_cache.read(name)
        if cached is not None and (self.offline or time.time() - cached[1] < self.ttl):
            return _meta(cached[0])
        if self.offline:
            return ProjectMeta(error="--offline: per-project JSON is not cached")
        self.requests_sent += 1
        try:
            answer = http.get(self._get_session(), url, self._deadline(), self.timeout, self.max_bytes)
            if answer.status in (404, 410):  # the endpoint is absent here: a definite answer
                entry: dict[str, Any] = {"http-status": answer.status}
                self.meta_cache.write(name, entry, self.display_url)
                return _meta(entry)
            if answer.status != 200:
                return ProjectMeta(error=f"the index's per-project JSON answered HTTP {answer.status}")
            info = json.loads(answer.body).get("info")
        except http.FetchError as exc:
            return ProjectMeta(error=scrub(str(exc), self.url))
        except (ValueError, AttributeError, RecursionError):
            return ProjectMeta(error="the index's per-project JSON is not valid")
        if not isinstance(info, dict):
            return ProjectMeta(error="the index's per-project JSON has no 'info'")
        entry = {"info": {k: info[k] for k in META_FIELDS if k in info}}
        self.meta_cache.write(name, entry, self.display_url)
        return _meta(entry)

    def fetch(self, name: str) -> DistRelease:
        name = normalize(name)
        try:
            return self._fetch(name)
        except http.FetchError as exc:
            return _failed(name, exc.kind, scrub(str(exc), self.url))
        except Exception as exc:  # noqa: BLE001 - last line of defence: a status, never a crash
            return _failed(name, IndexErrorKind.BAD_RESPONSE, scrub(f"{type(exc).__name__}: {exc}", self.url))

    def _fetch(self, name: str) -> DistRelease:
        now = self._now()
        cached = None if self.refresh and not self.offline else self.cache.read(name)
        if cached is not None and (self.offline or time.time() - cached[1] < self.ttl):
            if cached[0].get("http-status") == 404:
                return replace(_failed(name, IndexErrorKind.NOT_FOUND, NOT_FOUND), from_cache=True)
            return replace(parse_project(name, cached[0], now), from_cache=True)
        if self.offline:
            why = "cache file unreadable" if self.cache.exists(name) else "not in the cache"
            return _failed(name, IndexErrorKind.NOT_CACHED, f"--offline and {why}")
        try:
            page = self._download(name)
        except http.FetchError as exc:
            if exc.kind is IndexErrorKind.NOT_FOUND:  # a definite answer: cached, so a warm run asks nothing
                self.cache.write(name, {"http-status": 404}, self.display_url)
            raise
        self.cache.write(name, trim(page), self.display_url)
        return parse_project(name, page, now)

    def _deadline(self) -> float:
        mine = time.monotonic() + self.timeout
        return min(mine, self._run_deadline) if self._run_deadline is not None else mine

    def _download(self, name: str) -> dict[str, Any]:
        """The project page as a JSON-shaped dict (HTML pages converted). Raises FetchError."""
        url = self.url + quote(name) + "/"
        session = self._get_session()
        deadline = self._deadline()
        answer = None
        for attempt in range(RETRIES + 1):
            self.requests_sent += 1
            try:
                answer = http.get(session, url, deadline, self.timeout, self.max_bytes)
            except http.FetchError as exc:
                # one quick retry for a dropped connection; everything else is final
                if exc.kind is IndexErrorKind.UNREACHABLE and attempt < 1 and time.monotonic() + BACKOFF_SECONDS < deadline:
                    time.sleep(BACKOFF_SECONDS)
                    continue
                raise
            if answer.status in RETRY_STATUSES and attempt < RETRIES:
                delay = retry_delay(answer.headers.get("Retry-After"), attempt)
                if time.monotonic() + delay >= deadline:
                    break  # waiting would pass the deadline: report what the index said
                time.sleep(delay)
                continue
            break
        assert answer is not None
        if answer.status == 404:
            raise http.FetchError(IndexErrorKind.NOT_FOUND, NOT_FOUND)
        if answer.status != 200:
            raise http.FetchError(IndexErrorKind.BAD_RESPONSE, f"the index answered HTTP {answer.status}")
        return _page(name, answer)


def _page(name: str, answer: http.Answer) -> dict[str, Any]:
    """The page as a JSON-shaped dict, read only under a content type pip reads (PEP 691's own
    types and text/html): an index answering anything else is not speaking the Simple API."""
    ctype = answer.content_type.split(";")[0].strip().lower()
    if ctype == JSON_TYPE:
        try:
            data = json.loads(answer.body)
        except (ValueError, RecursionError) as exc:
            raise http.FetchError(IndexErrorKind.BAD_RESPONSE, "the index answered invalid JSON") from exc
        if not isinstance(data, dict) or not isinstance(data.get("files"), list):
            raise http.FetchError(IndexErrorKind.BAD_RESPONSE, "the index answer is not a JSON Simple API "
                                  "project page (no 'files' list)")
        return data
    if ctype in HTML_TYPES:
        try:
            return html_page(name, answer.body.decode("utf-8", "replace"))
        except BadPage as exc:
            raise http.FetchError(IndexErrorKind.BAD_RESPONSE, str(exc)) from exc
    shown = answer.content_type.strip()[:200] or "missing"  # the header is outside text: kept short
    raise http.FetchError(IndexErrorKind.BAD_RESPONSE,
                          f"not a Simple API page (Content-Type {shown}; expected {JSON_TYPE}, "
                          f"{HTML_TYPES[0]} or text/html)")

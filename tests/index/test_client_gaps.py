"""The index client as a user of `fwprobe status` meets it (issue 24): what the per-project JSON
contributes and how its absences are cached, how retries wait, how many connections a scan opens
and when it gives up, which content types are read, and what the cache keeps. Every page comes
from a server on 127.0.0.1; retry waits are recorded, not waited."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import fwprobe
from fakes.index_server import FIXTURES
from fwprobe.index import IndexClient, http, retry_delay
from fwprobe.index import client as client_module
from fwprobe.model import IndexErrorKind

NOW = dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc)
JSON_TYPE = "application/vnd.pypi.simple.v1+json"
NOT_TEXT = object()  # marks a route answer without a Content-Type header


def _client(server: Any, tmp_path: Path, **kw: Any) -> IndexClient:
    return IndexClient(kw.pop("url", server.url), cache_dir=tmp_path / "cache", now=kw.pop("now", lambda: NOW), **kw)


def _send(handler: Any, code: int, body: bytes = b"", ctype: Any = "application/json",
          headers: dict[str, str] | None = None) -> None:
    handler.send_response(code)
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    if ctype is not NOT_TEXT:
        handler.send_header("Content-Type", ctype)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def _answer(body: Any, code: int = 200, ctype: Any = "application/json"):  # type: ignore[no-untyped-def]
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return lambda handler: _send(handler, code, raw, ctype)


def _page(name: str = "activeproj") -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def _dead_port() -> int:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Waits:
    """The client's clock with its sleeps recorded instead of waited."""

    def __init__(self) -> None:
        self.slept: list[float] = []
        self.monotonic = time.monotonic
        self.time = time.time

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> _Waits:
    shim = _Waits()
    monkeypatch.setattr(client_module, "time", shim)
    return shim


@pytest.fixture
def release():  # type: ignore[no-untyped-def]
    """An event that frees the server threads a test left hanging."""
    event = threading.Event()
    yield event
    event.set()


# --- the per-project JSON: what `status` shows of a project's newest release -------------------

def test_per_project_json_gives_version_requirements_classifiers_and_python(index_server, tmp_path: Path) -> None:
    meta = _client(index_server, tmp_path).fetch_meta("activeproj")
    assert meta.error is None and meta.version == "1.3.0"
    assert meta.requires_dist == ("numpy>=1.26", "rich", 'tensorflow>=2.16; extra == "tf"', "packaging")
    assert meta.classifiers == ("Development Status :: 5 - Production/Stable",
                                "Programming Language :: Python :: 3.12")
    assert meta.requires_python == ">=3.10"
    assert meta.maintainer == "Example Labs; dev@example.org"  # maintainer and its email are null


def test_the_maintainer_line_joins_author_then_maintainer_names_and_emails(index_server, tmp_path: Path) -> None:
    index_server.routes["json:proj"] = _answer({"info": {
        "author": "Ann", "author_email": "ann@example.org", "maintainer": "Mo", "maintainer_email": "mo@example.org"}})
    meta = _client(index_server, tmp_path).fetch_meta("proj")
    assert meta.maintainer == "Ann; ann@example.org; Mo; mo@example.org"
    index_server.routes["json:other"] = _answer({"info": {"maintainer_email": "mo@example.org"}})
    assert _client(index_server, tmp_path).fetch_meta("other").maintainer == "mo@example.org"


def test_blank_or_non_text_metadata_fields_show_as_absent(index_server, tmp_path: Path) -> None:
    index_server.routes["json:proj"] = _answer({"info": {
        "version": "   ", "requires_python": 3, "author": "  ", "author_email": None, "maintainer": 7,
        "maintainer_email": "", "requires_dist": "numpy", "classifiers": ["A :: B", 5, None, "C :: D"]}})
    meta = _client(index_server, tmp_path).fetch_meta("proj")
    assert meta.error is None
    assert meta.version is None and meta.requires_python is None
    assert meta.maintainer is None  # no one named: absent, not an empty string
    assert meta.requires_dist == () and meta.classifiers == ("A :: B", "C :: D")


def test_the_per_project_json_is_cached_trimmed_without_urls_and_names_its_index_masked(
        index_server, tmp_path: Path) -> None:
    url = index_server.url.replace("http://", "http://__token__:s3cret@")
    home = f"http://127.0.0.1:{index_server.port}/home"
    index_server.routes["json:proj"] = _answer({"info": {
        "version": "2.0", "description": "a long README", "project_urls": {"Homepage": home},
        "home_page": home, "requires_python": ">=3.9"}, "urls": [{"url": home}]})
    client = _client(index_server, tmp_path, url=url)
    assert client.fetch_meta("proj").version == "2.0"
    stored = json.loads(client.meta_cache.path("proj").read_text())
    assert stored["data"] == {"info": {"version": "2.0", "requires_python": ">=3.9"}}
    assert stored["index"] == f"http://***@127.0.0.1:{index_server.port}/simple/"
    assert "s3cret" not in client.meta_cache.path("proj").read_text()


def test_a_410_from_the_per_project_json_is_a_cached_absence(index_server, tmp_path: Path) -> None:
    index_server.routes["json:proj"] = _answer(b"gone", code=410, ctype="text/plain")
    cold = _client(index_server, tmp_path)
    assert cold.fetch_meta("proj").error == "the index's per-project JSON answered HTTP 410"
    stored = json.loads(cold.meta_cache.path("proj").read_text())
    assert stored["data"] == {"http-status": 410}
    assert stored["index"] == index_server.url
    warm = _client(index_server, tmp_path)
    assert warm.fetch_meta("proj").error == "the index's per-project JSON answered HTTP 410"
    assert warm.requests_sent == 0 and index_server.counts["json:proj"] == 1


def test_an_index_whose_url_does_not_end_in_simple_offers_no_metadata_and_is_not_asked(
        index_server, tmp_path: Path) -> None:
    client = _client(index_server, tmp_path, url=index_server.url.replace("/simple/", "/mirror/"))
    assert client.json_url("proj") is None
    meta = client.fetch_meta("proj")
    assert meta.error == "this index offers no per-project JSON (its URL does not end in /simple/)"
    assert meta.version is None and client.requests_sent == 0 and index_server.counts == {}


def test_an_index_url_without_its_trailing_slash_is_the_same_index(index_server, tmp_path: Path) -> None:
    client = _client(index_server, tmp_path, url=index_server.url.rstrip("/"))
    assert client.url == index_server.url
    assert client.fetch("activeproj").ok and client.fetch_meta("ActiveProj").version == "1.3.0"
    assert index_server.counts["json:activeproj"] == 1 and index_server.counts["activeproj"] == 1


def test_offline_metadata_not_in_the_cache_says_so_and_asks_nothing(index_server, tmp_path: Path) -> None:
    client = _client(index_server, tmp_path, offline=True)
    meta = client.fetch_meta("activeproj")
    assert meta.error == "--offline: per-project JSON is not cached" and meta.version is None
    assert client.requests_sent == 0 and index_server.counts == {}


def test_offline_with_refresh_still_reads_the_cache(index_server, tmp_path: Path) -> None:
    _client(index_server, tmp_path).fetch_many(["activeproj", "missingproj"], with_meta=True)
    seen = dict(index_server.counts)
    client = _client(index_server, tmp_path, offline=True, refresh=True)
    out = client.fetch_many(["activeproj", "missingproj"], with_meta=True)
    assert out["activeproj"].ok and out["activeproj"].from_cache
    assert out["activeproj"].meta is not None and out["activeproj"].meta.version == "1.3.0"
    assert out["missingproj"].error_kind is IndexErrorKind.NOT_FOUND and out["missingproj"].from_cache
    assert client.requests_sent == 0 and index_server.counts == seen


@pytest.mark.parametrize("body", [b"{ not json", b"[1, 2]", b"[" * 100_000 + b"]" * 100_000])
def test_invalid_per_project_json_is_a_reason_and_is_asked_again_next_run(
        index_server, tmp_path: Path, body: bytes) -> None:
    index_server.routes["json:proj"] = _answer(body)
    for _ in range(2):
        meta = _client(index_server, tmp_path).fetch_meta("proj")
        assert meta.error == "the index's per-project JSON is not valid" and meta.version is None
    assert index_server.counts["json:proj"] == 2


@pytest.mark.parametrize("body", [{"releases": {}}, {"info": None}, {"info": ["1.0"]}])
def test_per_project_json_without_info_is_a_reason_and_is_asked_again_next_run(
        index_server, tmp_path: Path, body: dict[str, Any]) -> None:
    index_server.routes["json:proj"] = _answer(body)
    for _ in range(2):
        meta = _client(index_server, tmp_path).fetch_meta("proj")
        assert meta.error == "the index's per-project JSON has no 'info'" and meta.version is None
    assert index_server.counts["json:proj"] == 2


def test_a_failing_per_project_json_is_asked_once_not_retried(index_server, tmp_path: Path, waits: _Waits) -> None:
    index_server.routes["json:proj"] = _answer(b"oops", code=500, ctype="text/plain")
    assert _client(index_server, tmp_path).fetch_meta("proj").error == "the index's per-project JSON answered HTTP 500"
    assert index_server.counts["json:proj"] == 1 and waits.slept == []


def test_a_slow_per_project_json_says_the_timeout_it_missed(index_server, tmp_path: Path, release) -> None:
    index_server.routes["json:proj"] = lambda handler: release.wait(10)
    meta = _client(index_server, tmp_path, timeout=0.3).fetch_meta("proj")
    assert meta.error == "the index answered too slowly: no complete answer within 0.3 s"


def test_an_oversized_per_project_json_is_abandoned(index_server, tmp_path: Path) -> None:
    big = json.dumps({"info": {"version": "1.0", "description": "x" * (2**20 + 10)}}).encode()
    index_server.routes["json:proj"] = _answer(big)
    meta = _client(index_server, tmp_path, max_bytes=2**20).fetch_meta("proj")
    assert meta.error == "answer larger than 1 MB" and meta.version is None


def test_an_unreachable_index_is_the_metadata_reason(tmp_path: Path) -> None:
    client = IndexClient(f"http://__token__:s3cret@127.0.0.1:{_dead_port()}/simple/", cache_dir=tmp_path)
    meta = client.fetch_meta("proj")
    assert meta.error is not None and meta.error.startswith("cannot reach the index: ")
    assert "s3cret" not in meta.error


@pytest.mark.parametrize("kind", ["page", "meta"])
def test_a_cache_entry_exactly_ttl_old_is_stale(index_server, tmp_path: Path, monkeypatch, kind: str) -> None:
    def fetch(client: IndexClient) -> None:
        client.fetch("activeproj") if kind == "page" else client.fetch_meta("activeproj")

    cold = _client(index_server, tmp_path, ttl=100)
    fetch(cold)
    cache = cold.cache if kind == "page" else cold.meta_cache
    entry = json.loads(cache.path("activeproj").read_text())
    entry["fetched_at"] = 1_000_000.0
    cache.path("activeproj").write_text(json.dumps(entry))
    shim = _Waits()
    monkeypatch.setattr(client_module, "time", shim)
    key = "activeproj" if kind == "page" else "json:activeproj"
    shim.time = lambda: 1_000_000.0 + 99.5
    fetch(_client(index_server, tmp_path, ttl=100))
    assert index_server.counts[key] == 1  # younger than the TTL: from the cache
    shim.time = lambda: 1_000_000.0 + 100
    fetch(_client(index_server, tmp_path, ttl=100))
    assert index_server.counts[key] == 2  # as old as the TTL: asked again


# --- fetch_many: one call per scan ---------------------------------------------------------------

def test_fetch_many_without_meta_asks_no_per_project_json(index_server, tmp_path: Path) -> None:
    out = _client(index_server, tmp_path).fetch_many(["activeproj", "ActiveProj"])
    assert list(out) == ["activeproj"] and out["activeproj"].meta is None
    assert index_server.counts == {"activeproj": 1}


def test_fetch_many_of_nothing_asks_nothing(index_server, tmp_path: Path) -> None:
    client = _client(index_server, tmp_path)
    assert client.fetch_many([]) == {} and client.fetch_many([], with_meta=True) == {}
    assert client.requests_sent == 0 and index_server.counts == {}


def test_a_client_keeps_working_after_fetch_many(index_server, tmp_path: Path) -> None:
    client = _client(index_server, tmp_path)
    client.fetch_many(["activeproj"], with_meta=True)
    assert client.fetch("silentproj").ok
    assert client.fetch_meta("silentproj").version == "1.0.5"
    assert client.fetch_many(["archivedproj"])["archivedproj"].ok


def test_a_cold_scan_opens_one_http_session_for_all_its_distributions(index_server, tmp_path: Path,
                                                                     monkeypatch) -> None:
    made: list[Any] = []
    real = http.new_session

    def slow_new_session(user_agent: str, pool_size: int) -> Any:
        made.append(user_agent)
        time.sleep(0.1)  # as slow as a first `import requests`: every worker asks meanwhile
        return real(user_agent, pool_size)

    monkeypatch.setattr(http, "new_session", slow_new_session)
    names = ["activeproj", "silentproj", "archivedproj", "forkproj", "missingproj", "flaky"]
    out = _client(index_server, tmp_path).fetch_many(names, with_meta=True)
    assert all(out[n].ok for n in names if n != "missingproj")
    assert made == [f"fwprobe/{fwprobe.__version__}"]


class _Gate:
    """Holds each request until ``wanted`` are in flight at once (3 s at most), then a short
    grace in which one more would show; records the most ever in flight together."""

    def __init__(self, wanted: int) -> None:
        self.cond = threading.Condition()
        self.wanted, self.in_flight, self.most, self.open = wanted, 0, 0, False

    def __call__(self, handler: Any) -> None:
        with self.cond:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            self.cond.notify_all()
            if not self.open:
                self.cond.wait_for(lambda: self.in_flight >= self.wanted or self.open, timeout=3)
                self.cond.wait_for(lambda: self.in_flight > self.wanted or self.open, timeout=0.3)
                self.open = True
                self.cond.notify_all()
            self.in_flight -= 1
        _send(handler, 404, b"not found", "text/plain")


def test_a_scan_asks_for_up_to_16_distributions_at_once_and_no_more(index_server, tmp_path: Path) -> None:
    names = [f"proj{i:02d}" for i in range(17)]
    gate = _Gate(16)
    for name in names:
        index_server.routes[name] = gate
    out = _client(index_server, tmp_path).fetch_many(names, with_meta=True)
    assert gate.most == 16
    assert all(out[n].error_kind is IndexErrorKind.NOT_FOUND for n in names)
    assert all(index_server.counts[n] == 1 and index_server.counts[f"json:{n}"] == 1 for n in names)


def test_a_scan_gives_up_at_twice_the_timeout_without_asking_what_is_left(
        index_server, tmp_path: Path, release) -> None:
    # 17 hanging pages, 16 at a time: the 17th waits a timeout for a worker and then hangs until
    # twice the timeout, so no project metadata is asked any more: each is reported too slow
    names = [f"hang{i:02d}" for i in range(17)]
    for name in names:
        index_server.routes[name] = lambda handler: release.wait(10)
    client = _client(index_server, tmp_path, timeout=0.3)
    assert client.fetch("activeproj").ok  # the session is set up: no worker waits on it
    out = client.fetch_many(names, with_meta=True)
    too_slow = "the index answered too slowly: no complete answer within 0.3 s"
    for name in names:
        assert out[name].error_kind is IndexErrorKind.TIMEOUT and out[name].error == too_slow
        assert out[name].meta is not None and out[name].meta.error == too_slow
        assert index_server.counts.get(name, 0) <= 1  # a timeout is not retried
    assert not any(key.startswith("json:") for key in index_server.counts)


# --- retries: which answers are asked again, and how long the client waits ---------------------

def test_retry_delay_doubles_from_a_quarter_second_and_honours_a_capped_retry_after() -> None:
    assert [retry_delay(None, n) for n in range(6)] == [0.25, 0.5, 1.0, 2.0, 4.0, 5.0]
    assert retry_delay("", 1) == 0.5 and retry_delay("soon", 2) == 1.0 and retry_delay("-3", 0) == 0.25
    assert retry_delay("Wed, 21 Oct 2026 07:28:00 GMT", 0) == 0.25  # an HTTP date: backoff
    assert retry_delay(" 3 ", 0) == 3.0 and retry_delay("0", 3) == 0.0 and retry_delay("60", 0) == 5.0


@pytest.mark.parametrize("code", [429, 500, 502, 503, 504])
def test_a_transient_status_is_retried_after_the_backoff(index_server, tmp_path: Path, waits: _Waits, code: int) -> None:
    def once(handler: Any) -> None:
        if index_server.counts["proj"] == 1:
            return _send(handler, code, b"busy", "text/plain")
        return _send(handler, 200, _page(), JSON_TYPE)

    index_server.routes["proj"] = once
    r = _client(index_server, tmp_path).fetch("proj")
    assert r.ok and r.newest is not None and r.newest.version == "1.3.0"
    assert index_server.counts["proj"] == 2 and waits.slept == [0.25]


@pytest.mark.parametrize("code", [403, 410, 501])
def test_other_statuses_are_final_and_reported(index_server, tmp_path: Path, waits: _Waits, code: int) -> None:
    index_server.routes["proj"] = _answer(b"no", code=code, ctype="text/plain")
    r = _client(index_server, tmp_path).fetch("proj")
    assert r.ok is False and r.name == "proj" and r.error_kind is IndexErrorKind.BAD_RESPONSE
    assert r.error == f"the index answered HTTP {code}"
    assert index_server.counts["proj"] == 1 and waits.slept == []


def test_a_persistent_503_is_asked_four_times_with_growing_waits(index_server, tmp_path: Path, waits: _Waits) -> None:
    index_server.routes["proj"] = _answer(b"busy", code=503, ctype="text/plain")
    client = _client(index_server, tmp_path)
    r = client.fetch("proj")
    assert not r.ok and r.error == "the index answered HTTP 503" and r.error_kind is IndexErrorKind.BAD_RESPONSE
    assert index_server.counts["proj"] == 4 and client.requests_sent == 4
    assert waits.slept == [0.25, 0.5, 1.0]
    assert not client.cache.exists("proj")  # a transient failure is not cached


def test_retry_after_sets_the_wait(index_server, tmp_path: Path, waits: _Waits) -> None:
    def limited(handler: Any) -> None:
        if index_server.counts["proj"] == 1:
            return _send(handler, 429, b"slow down", "text/plain", {"Retry-After": "2"})
        return _send(handler, 200, _page(), JSON_TYPE)

    index_server.routes["proj"] = limited
    assert _client(index_server, tmp_path).fetch("proj").ok
    assert waits.slept == [2.0]


def test_a_wait_past_the_deadline_is_not_taken_and_the_status_is_reported(
        index_server, tmp_path: Path, waits: _Waits) -> None:
    index_server.routes["proj"] = lambda h: _send(h, 429, b"slow down", "text/plain", {"Retry-After": "3"})
    r = _client(index_server, tmp_path, timeout=1.0).fetch("proj")
    assert r.error == "the index answered HTTP 429" and r.error_kind is IndexErrorKind.BAD_RESPONSE
    assert index_server.counts["proj"] == 1 and waits.slept == []


def test_an_unreachable_index_is_tried_once_more_after_a_quarter_second(tmp_path: Path, waits: _Waits) -> None:
    client = IndexClient(f"http://127.0.0.1:{_dead_port()}/simple/", cache_dir=tmp_path)
    r = client.fetch("proj")
    assert r.ok is False and r.name == "proj" and r.error_kind is IndexErrorKind.UNREACHABLE
    assert r.error is not None and r.error.startswith("cannot reach the index: ")
    assert client.requests_sent == 2 and waits.slept == [0.25]


def test_no_second_try_when_the_timeout_is_shorter_than_the_wait(tmp_path: Path, waits: _Waits) -> None:
    client = IndexClient(f"http://127.0.0.1:{_dead_port()}/simple/", cache_dir=tmp_path, timeout=0.2)
    assert client.fetch("proj").error_kind is IndexErrorKind.UNREACHABLE
    assert client.requests_sent == 1 and waits.slept == []


def test_a_dropped_connection_is_retried_and_the_page_read(index_server, tmp_path: Path, waits: _Waits) -> None:
    def drop_once(handler: Any) -> None:
        if index_server.counts["proj"] == 1:
            handler.close_connection = True  # no answer at all: the connection just closes
            return None
        return _send(handler, 200, _page(), JSON_TYPE)

    index_server.routes["proj"] = drop_once
    r = _client(index_server, tmp_path).fetch("proj")
    assert r.ok and index_server.counts["proj"] == 2 and waits.slept == [0.25]


# --- what is read as a Simple API page ----------------------------------------------------------

@pytest.mark.parametrize("ctype", [JSON_TYPE, "Application/VND.PyPI.Simple.v1+JSON; charset=utf-8",
                                   f" {JSON_TYPE} ;q=1"])
def test_the_json_page_type_is_read_whatever_its_case_and_parameters(index_server, tmp_path: Path, ctype: str) -> None:
    index_server.routes["proj"] = _answer(_page(), ctype=ctype)
    r = _client(index_server, tmp_path).fetch("proj")
    assert r.ok and r.newest is not None and r.newest.version == "1.3.0"


@pytest.mark.parametrize("ctype", ["application/vnd.pypi.simple.v1+html", "text/html; charset=utf-8", "TEXT/HTML"])
def test_html_pages_are_read_under_both_html_types(index_server, tmp_path: Path, ctype: str) -> None:
    body = b'<html><body>\xff<a href="proj-1.2.tar.gz">proj-1.2.tar.gz</a></body></html>'  # one bad byte
    index_server.routes["proj"] = _answer(body, ctype=ctype)
    r = _client(index_server, tmp_path).fetch("proj")
    assert r.ok and r.newest is not None and r.newest.version == "1.2" and not r.upload_times


def test_any_other_content_type_is_not_a_simple_api_page_and_says_what_is_expected(index_server, tmp_path: Path) -> None:
    index_server.routes["proj"] = _answer(_page(), ctype="text/plain; charset=utf-8")
    r = _client(index_server, tmp_path).fetch("proj")
    assert r.ok is False and r.error_kind is IndexErrorKind.BAD_RESPONSE
    assert r.error == ("not a Simple API page (Content-Type text/plain; charset=utf-8; expected "
                       "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html or text/html)")


def test_a_missing_or_overlong_content_type_is_shown_short(index_server, tmp_path: Path) -> None:
    index_server.routes["bare"] = _answer(_page(), ctype=NOT_TEXT)
    index_server.routes["long"] = _answer(_page(), ctype="x/" + "y" * 500)
    out = _client(index_server, tmp_path).fetch_many(["bare", "long"])
    assert out["bare"].error is not None and out["bare"].error.startswith("not a Simple API page (Content-Type missing;")
    assert out["long"].error is not None and out["long"].error.startswith(f"not a Simple API page (Content-Type x/{'y' * 198};")


@pytest.mark.parametrize("body, reason", [
    (b"[" * 100_000 + b"]" * 100_000, "the index answered invalid JSON"),
    (b'{"files": {}}', "the index answer is not a JSON Simple API project page (no 'files' list)"),
    (b'["files"]', "the index answer is not a JSON Simple API project page (no 'files' list)"),
])
def test_json_pages_of_the_wrong_shape_are_reasons(index_server, tmp_path: Path, body: bytes, reason: str) -> None:
    index_server.routes["proj"] = _answer(body, ctype=JSON_TYPE)
    r = _client(index_server, tmp_path).fetch("proj")
    assert r.ok is False and r.error == reason and r.error_kind is IndexErrorKind.BAD_RESPONSE


def test_an_unexpected_crash_is_a_reason_with_the_credentials_masked(index_server, tmp_path: Path, monkeypatch) -> None:
    url = index_server.url.replace("http://", "http://__token__:s3cret@")

    def crash(name: str, page: Any, now: Any) -> Any:
        raise RuntimeError(f"cannot read {url}{name}/")

    monkeypatch.setattr(client_module, "parse_project", crash)
    r = _client(index_server, tmp_path, url=url).fetch("activeproj")
    assert r.ok is False and r.name == "activeproj" and r.error_kind is IndexErrorKind.BAD_RESPONSE
    assert r.error == f"RuntimeError: cannot read http://***@127.0.0.1:{index_server.port}/simple/activeproj/"


# --- the cache: where, shared by whom, read with which clock -------------------------------------

def test_a_cached_404_answers_as_not_found_from_the_cache(index_server, tmp_path: Path) -> None:
    _client(index_server, tmp_path).fetch("missingproj")
    r = _client(index_server, tmp_path).fetch("missingproj")
    assert r.ok is False and r.name == "missingproj" and r.from_cache
    assert r.error_kind is IndexErrorKind.NOT_FOUND and r.error == "not found on the index (404)"
    assert index_server.counts["missingproj"] == 1


def test_a_cached_page_is_judged_with_todays_date(index_server, tmp_path: Path) -> None:
    assert _client(index_server, tmp_path).fetch("activeproj").releases_last_365_days == 3
    later = NOW + dt.timedelta(days=800)
    warm = _client(index_server, tmp_path, now=lambda: later).fetch("activeproj")
    assert warm.from_cache and warm.releases_last_365_days == 0 and index_server.counts["activeproj"] == 1


def test_the_cache_is_shared_across_tokens_of_one_index_but_not_across_indexes(index_server, tmp_path: Path) -> None:
    first = index_server.url.replace("http://", "http://__token__:one@")
    second = index_server.url.replace("http://", "http://__token__:two@")
    _client(index_server, tmp_path, url=first).fetch("activeproj")
    assert _client(index_server, tmp_path, url=second).fetch("activeproj").from_cache
    assert index_server.counts["activeproj"] == 1
    other = index_server.url.replace("/simple/", "/mirror/simple/")
    assert not _client(index_server, tmp_path, url=other).fetch("activeproj").from_cache
    assert index_server.counts["activeproj"] == 2


def test_without_a_cache_dir_the_cache_is_under_fwprobe_cache_dir(index_server, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FWPROBE_CACHE_DIR", str(tmp_path / "elsewhere"))
    client = IndexClient(index_server.url, now=lambda: NOW)
    client.fetch_many(["activeproj"], with_meta=True)
    assert client.cache.path("activeproj").is_relative_to(tmp_path / "elsewhere" / "simple")
    assert client.cache.path("activeproj").exists() and client.meta_cache.path("activeproj").exists()
    assert client.meta_cache.root == client.cache.root / "meta"


def test_requests_name_fwprobe_and_its_version(index_server, tmp_path: Path) -> None:
    agents: list[str | None] = []

    def record(handler: Any) -> None:
        agents.append(handler.headers.get("User-Agent"))
        _send(handler, 200, _page(), JSON_TYPE)

    index_server.routes["proj"] = record
    assert _client(index_server, tmp_path).fetch("proj").ok
    assert agents == [f"fwprobe/{fwprobe.__version__}"]

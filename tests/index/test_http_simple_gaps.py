"""Fetching and reading index pages as a user of `fwprobe status` meets them (issue 24): which
redirects are followed and where the index URL's credentials go, how compressed and oversized
answers are read, how a broken or stalled connection is reported, and what a JSON or HTML
project page yields: versions, dates, yanked files, the newest release, the project status.

HTTP runs against servers on 127.0.0.1 (``localhost`` stands for another host); the bounded
inflater, the URL arithmetic of a redirect and the message shortener are also called in-process,
with small bodies: a few hundred KB proves a cap as well as a gigabyte."""

from __future__ import annotations

import datetime as dt
import json
import random
import threading
import time
import zlib
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from fakes.index_server import IndexServer
from fwprobe.index import IndexClient, html_page, http, parse_project, trim
from fwprobe.index.simple import BadPage, _Anchors, filename_of, parse_time, version_of_file
from fwprobe.model import IndexErrorKind

NOW = dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc)
UTC = dt.timezone.utc
JSON_TYPE = "application/vnd.pypi.simple.v1+json"
PAGE = json.dumps({"name": "proj", "files": [{"filename": "proj-1.0.tar.gz"}]}).encode()


# --- helpers -------------------------------------------------------------------------------------

def _client(server: IndexServer, tmp_path: Path, **kw: Any) -> IndexClient:
    return IndexClient(kw.pop("url", server.url), cache_dir=tmp_path / "cache", now=lambda: NOW, **kw)


def _headers(handler: Any, code: int = 200, ctype: str | None = JSON_TYPE,
             extra: dict[str, str] | None = None) -> None:
    handler.send_response(code)
    if ctype is not None:
        handler.send_header("Content-Type", ctype)
    for key, value in (extra or {}).items():
        handler.send_header(key, value)
    handler.send_header("Connection", "close")
    handler.end_headers()


def _serve(body: bytes, encoding: str | None = None, length: bool = True, code: int = 200,
           ctype: str | None = JSON_TYPE):  # type: ignore[no-untyped-def]
    def serve(handler: Any) -> None:
        extra = {"Content-Encoding": encoding} if encoding is not None else {}
        if length:
            extra["Content-Length"] = str(len(body))
        _headers(handler, code, ctype, extra)
        handler.wfile.write(body)
    return serve


def _redirect(to: str, code: int = 302):  # type: ignore[no-untyped-def]
    def serve(handler: Any) -> None:
        _headers(handler, code, "text/plain", {"Location": to, "Content-Length": "0"})
    return serve


def _get(server: IndexServer, name: str, max_bytes: int = http.MAX_ANSWER_BYTES, seconds: float = 5.0) -> http.Answer:
    """One bounded GET of /simple/<name>/, without the client's retries and cache."""
    session = http.new_session("fwprobe-test", 2)
    try:
        return http.get(session, f"{server.url}{name}/", time.monotonic() + seconds, seconds, max_bytes)
    finally:
        session.close()


def _pack(data: bytes, encoding: str) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, (16 if encoding == "gzip" else 0) + zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


def _fresh(server: IndexServer) -> IndexServer:
    server.counts.clear()
    server.auth.clear()
    server.routes.clear()
    return server


@pytest.fixture(scope="module")
def _servers():  # type: ignore[no-untyped-def]
    """Two servers for the whole module (closing one waits half a second), emptied for each test."""
    pair = (IndexServer(), IndexServer())
    yield pair
    for server in pair:
        server.close()


@pytest.fixture
def index_server(_servers: tuple[IndexServer, IndexServer]) -> IndexServer:
    return _fresh(_servers[0])


@pytest.fixture
def other(_servers: tuple[IndexServer, IndexServer]) -> IndexServer:
    """Another index, reached as ``localhost``: another host to the first one's 127.0.0.1."""
    return _fresh(_servers[1])


@pytest.fixture
def release():  # type: ignore[no-untyped-def]
    """An event that frees the server threads a test left hanging."""
    event = threading.Event()
    yield event
    event.set()


# --- what a request asks for ---------------------------------------------------------------------

def test_requests_prefer_the_json_page_and_accept_only_gzip_or_deflate(index_server, tmp_path: Path) -> None:
    seen: list[tuple[str | None, str | None]] = []

    def record(handler: Any) -> None:
        seen.append((handler.headers.get("Accept"), handler.headers.get("Accept-Encoding")))
        _serve(PAGE)(handler)

    index_server.routes["proj"] = record
    assert _client(index_server, tmp_path).fetch("proj").ok
    assert seen == [("application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, "
                     "text/html;q=0.1", "gzip, deflate")]


def test_a_non_200_answer_comes_back_as_its_status_and_type_with_no_body(index_server) -> None:
    index_server.routes["gone"] = _serve(b"no such project", code=404, ctype="text/plain")
    index_server.routes["bare"] = _serve(b"no such project", code=404, ctype=None)
    gone, bare = _get(index_server, "gone"), _get(index_server, "bare")
    assert (gone.status, gone.content_type, gone.body) == (404, "text/plain", b"")
    assert (bare.status, bare.content_type, bare.body) == (404, "", b"")
    assert gone.headers["Content-Length"] == "15"


# --- redirects -----------------------------------------------------------------------------------

@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_every_redirect_status_is_followed_to_the_page(index_server, tmp_path: Path, code: int) -> None:
    index_server.routes["moved"] = _redirect(index_server.url + "activeproj/", code)
    r = _client(index_server, tmp_path).fetch("moved")
    assert r.ok and r.newest is not None and r.newest.version == "1.3.0"
    assert index_server.counts["activeproj"] == 1


def test_a_3xx_that_is_no_redirect_or_names_no_location_is_reported_not_followed(index_server, tmp_path: Path) -> None:
    index_server.routes["choices"] = _redirect(index_server.url + "activeproj/", 300)
    index_server.routes["nowhere"] = _serve(b"", code=302, ctype="text/plain")
    out = _client(index_server, tmp_path).fetch_many(["choices", "nowhere"])
    assert out["choices"].error == "the index answered HTTP 300"
    assert out["nowhere"].error == "the index answered HTTP 302"
    assert out["choices"].error_kind is out["nowhere"].error_kind is IndexErrorKind.BAD_RESPONSE
    assert "activeproj" not in index_server.counts


def test_five_redirects_are_followed_and_a_sixth_is_a_reason(index_server, tmp_path: Path) -> None:
    for chain, hops in (("short", 5), ("long", 6)):
        for i in range(1, hops):
            index_server.routes[f"{chain}{i}"] = _redirect(f"{index_server.url}{chain}{i + 1}/")
        index_server.routes[f"{chain}{hops}"] = _redirect(index_server.url + "activeproj/")
    out = _client(index_server, tmp_path).fetch_many(["short1", "long1"])
    assert out["short1"].ok and out["short1"].newest is not None and out["short1"].newest.version == "1.3.0"
    assert out["long1"].error_kind is IndexErrorKind.BAD_RESPONSE
    assert out["long1"].error == "the index redirected more than 5 times (a redirect loop?)"
    assert index_server.counts["activeproj"] == 1 and index_server.counts["long6"] == 1


def test_a_relative_location_is_read_against_the_url_that_sent_it(index_server, other, tmp_path: Path) -> None:
    index_server.routes["away"] = _redirect(f"http://localhost:{other.port}/simple/hop/")
    other.routes["hop"] = _redirect("../activeproj/")  # on the host that sent it, not the first one
    r = _client(index_server, tmp_path).fetch("away")
    assert r.ok and r.newest is not None and r.newest.version == "1.3.0"
    assert other.counts.get("activeproj") == 1 and "activeproj" not in index_server.counts


def test_credentials_come_back_when_a_redirect_through_another_host_returns_to_the_index(
        index_server, other, tmp_path: Path) -> None:
    index_server.routes["out"] = _redirect(f"http://localhost:{other.port}/simple/back/")
    other.routes["back"] = _redirect(f"http://127.0.0.1:{index_server.port}/simple/activeproj/")
    url = index_server.url.replace("http://", "http://user:s3cret@")
    assert _client(index_server, tmp_path, url=url).fetch("out").ok
    assert other.auth == [None]  # the other host never sees them
    assert len(index_server.auth) == 2 and all(a is not None and a.startswith("Basic ") for a in index_server.auth)


@pytest.mark.parametrize("original, location, target", [
    # the same host and port: the index URL's user-info goes along, path, query and fragment as given
    ("http://u:pw@127.0.0.1:8000/simple/a/", "/simple/b/?x=1#f", "http://u:pw@127.0.0.1:8000/simple/b/?x=1#f"),
    ("http://u:pw@127.0.0.1:8000/simple/a/", "../b/", "http://u:pw@127.0.0.1:8000/simple/b/"),
    ("http://u:pw@LOCALHOST:8000/simple/a/", "http://localhost:8000/b/", "http://u:pw@localhost:8000/b/"),
    # everything before the last '@' is the user-info, as for the host name
    ("http://u:p@ss@127.0.0.1:8000/simple/a/", "http://127.0.0.1:8000/b/", "http://u:p@ss@127.0.0.1:8000/b/"),
    ("http://tok@127.0.0.1:8000/simple/a/", "http://127.0.0.1:8000/b/", "http://tok@127.0.0.1:8000/b/"),
    # another host, another port or another scheme: nothing goes along
    ("http://u:pw@127.0.0.1:8000/simple/a/", "http://localhost:8000/simple/b/", "http://localhost:8000/simple/b/"),
    ("http://u:pw@127.0.0.1:8000/simple/a/", "http://127.0.0.1:8001/simple/b/", "http://127.0.0.1:8001/simple/b/"),
    ("http://u:pw@127.0.0.1/simple/a/", "https://127.0.0.1/simple/b/", "https://127.0.0.1/simple/b/"),
    ("https://u:pw@127.0.0.1/simple/a/", "http://127.0.0.1/simple/b/", "http://127.0.0.1/simple/b/"),
    # a Location with its own user-info keeps it; a URL without any gains none
    ("http://u:pw@127.0.0.1:8000/simple/a/", "http://v:q@127.0.0.1:8000/b/", "http://v:q@127.0.0.1:8000/b/"),
    ("http://127.0.0.1:8000/simple/a/", "/simple/b/", "http://127.0.0.1:8000/simple/b/"),
    ("http://127.0.0.1:8000/simple/a/", "http://127.0.0.1:8000/b/", "http://127.0.0.1:8000/b/"),
])
def test_where_a_redirect_leads_and_which_credentials_go_along(original: str, location: str, target: str) -> None:
    assert http._redirect_target(original, original, location) == target


def test_a_malformed_location_is_a_reason(index_server, tmp_path: Path) -> None:
    # fixed with this test: the ValueError escaped http.get (the per-project JSON called it "not valid")
    index_server.routes["broken"] = _redirect("http://[::1/simple/proj/")
    with pytest.raises(http.FetchError) as info:
        _get(index_server, "broken")
    assert info.value.kind is IndexErrorKind.BAD_RESPONSE
    assert str(info.value) == "the index redirected to a malformed URL (Invalid IPv6 URL)"
    r = _client(index_server, tmp_path).fetch("broken")
    assert r.error_kind is IndexErrorKind.BAD_RESPONSE and r.error == str(info.value)


@pytest.mark.parametrize("location", ["ftp://127.0.0.1/simple/proj/", "http://127.0.0.1:99999/simple/proj/"])
def test_a_redirect_fwprobe_cannot_request_is_a_failed_request(index_server, tmp_path: Path, location: str) -> None:
    index_server.routes["odd"] = _redirect(location)
    r = _client(index_server, tmp_path).fetch("odd")
    assert r.error_kind is IndexErrorKind.BAD_RESPONSE
    assert r.error is not None and r.error.startswith("request failed: ")


# --- deadlines and broken connections ------------------------------------------------------------

def test_a_request_whose_deadline_has_passed_is_not_sent(index_server) -> None:
    session = http.new_session("fwprobe-test", 2)
    with pytest.raises(http.FetchError) as info:
        http.get(session, index_server.url + "activeproj/", time.monotonic() - 1, 2.5)
    session.close()
    assert info.value.kind is IndexErrorKind.TIMEOUT
    assert str(info.value) == "the index answered too slowly: no complete answer within 2.5 s"
    assert index_server.counts == {}


def test_an_answer_that_stalls_midway_ends_at_the_deadline_as_too_slow(index_server, tmp_path: Path,
                                                                       release: threading.Event) -> None:
    # fixed with this test: urllib3's read timeout was reported as an unreadable answer
    def stall(handler: Any) -> None:
        _headers(handler, extra={"Content-Length": str(len(PAGE))})
        handler.wfile.write(PAGE[:10])
        handler.wfile.flush()
        release.wait(10)

    index_server.routes["stall"] = stall
    r = _client(index_server, tmp_path, timeout=0.5).fetch("stall")
    assert r.error_kind is IndexErrorKind.TIMEOUT
    assert r.error == "the index answered too slowly: no complete answer within 0.5 s"


def test_a_connection_cut_midway_is_a_broken_connection(index_server) -> None:
    # fixed with this test: urllib3's "Connection broken" was reported as an unreadable answer
    def cut(handler: Any) -> None:
        _headers(handler, extra={"Content-Length": str(len(PAGE) + 1000)})
        handler.wfile.write(PAGE)

    index_server.routes["cut"] = cut
    with pytest.raises(http.FetchError) as info:
        _get(index_server, "cut")
    assert info.value.kind is IndexErrorKind.UNREACHABLE
    assert str(info.value).startswith("the connection broke while reading: ")


@pytest.mark.parametrize("length, text", [(299, "x" * 299), (300, "x" * 297 + "..."), (1000, "y" * 297 + "...")])
def test_an_error_text_is_shown_whole_below_300_characters_and_cut_to_300_above(length: int, text: str) -> None:
    message = ("x" if length < 1000 else "y") * length
    assert http.short(ValueError(message)) == text
    assert http.short(OSError("refused")) == "refused"


# --- size caps -----------------------------------------------------------------------------------

@pytest.mark.parametrize("declared", [True, False])
def test_an_answer_of_exactly_the_cap_is_read_and_one_byte_more_is_too_large(index_server, declared: bool) -> None:
    index_server.routes["fits"] = _serve(b"x" * 1000, length=declared)
    index_server.routes["over"] = _serve(b"x" * 1001, length=declared)
    assert _get(index_server, "fits", max_bytes=1000).body == b"x" * 1000
    with pytest.raises(http.FetchError) as info:
        _get(index_server, "over", max_bytes=1000)
    assert info.value.kind is IndexErrorKind.TOO_LARGE


def test_a_declared_length_past_the_cap_is_refused_before_reading_and_says_the_cap(index_server) -> None:
    def promise(handler: Any) -> None:  # announces 2 MB, sends a few bytes: nothing is waited for
        _headers(handler, extra={"Content-Length": str(2 * 2**20)})
        handler.wfile.write(b"{}")

    index_server.routes["big"] = promise
    with pytest.raises(http.FetchError) as info:
        _get(index_server, "big", max_bytes=3 * 2**19)
    assert info.value.kind is IndexErrorKind.TOO_LARGE and str(info.value) == "answer larger than 1.5 MB"


def test_a_compressed_answer_counts_against_the_cap_on_the_wire_too(index_server) -> None:
    data = random.Random(24).randbytes(20_000)  # incompressible: the gzip body is larger than the page
    body = _pack(data, "gzip")
    assert len(body) > len(data) + 10
    index_server.routes["noise"] = _serve(body, encoding="gzip", length=False)
    assert _get(index_server, "noise", max_bytes=len(body)).body == data
    with pytest.raises(http.FetchError) as info:
        _get(index_server, "noise", max_bytes=len(data) + 10)
    assert info.value.kind is IndexErrorKind.TOO_LARGE


# --- content encodings ---------------------------------------------------------------------------

@pytest.mark.parametrize("header, packing", [
    ("gzip", "gzip"), ("X-GZIP", "gzip"), ("GZip", "gzip"), ("deflate", "deflate"), ("Deflate", "deflate"),
    ("identity", None), (None, None),
])
def test_gzip_deflate_and_identity_answers_are_read_whole(index_server, header: str | None, packing: str | None) -> None:
    body = PAGE if packing is None else _pack(PAGE, packing)
    index_server.routes["proj"] = _serve(body, encoding=header)
    answer = _get(index_server, "proj")
    assert (answer.status, answer.content_type, answer.body) == (200, JSON_TYPE, PAGE)


def test_an_unsupported_encoding_is_named_with_what_fwprobe_asks_for(index_server) -> None:
    index_server.routes["proj"] = _serve(b"\x00\x01", encoding="BR")
    with pytest.raises(http.FetchError) as info:
        _get(index_server, "proj")
    assert info.value.kind is IndexErrorKind.BAD_RESPONSE
    assert str(info.value) == "the index answered with an unsupported content encoding 'br' (fwprobe asks for gzip or deflate)"


def test_a_zlib_stream_labelled_gzip_is_a_corrupt_answer(index_server) -> None:
    index_server.routes["proj"] = _serve(_pack(PAGE, "deflate"), encoding="gzip")
    with pytest.raises(http.FetchError) as info:
        _get(index_server, "proj")
    assert info.value.kind is IndexErrorKind.BAD_RESPONSE
    assert str(info.value).startswith("the index sent a corrupt compressed answer (")


def test_bytes_after_a_deflate_stream_are_ignored(index_server) -> None:
    index_server.routes["proj"] = _serve(_pack(PAGE, "deflate") + b"trailing junk", encoding="deflate")
    assert _get(index_server, "proj").body == PAGE


# --- the bounded inflater, in-process ------------------------------------------------------------

TOO_LARGE = http.FetchError(IndexErrorKind.TOO_LARGE, "answer larger than the cap")


def _inflate(body: bytes, encoding: str, cap: int, piece: int) -> tuple[bytearray, http.FetchError | None]:
    out = bytearray()
    inflater = http._Inflater(encoding, out, cap, TOO_LARGE)
    try:
        for i in range(0, len(body), piece):
            inflater.feed(body[i:i + piece])
        inflater.finish()
    except http.FetchError as exc:
        return out, exc
    return out, None


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
@pytest.mark.parametrize("piece", [40, 1 << 30])
def test_a_bomb_is_inflated_to_one_byte_past_the_cap_and_no_further(encoding: str, piece: int) -> None:
    bomb = _pack(b"\0" * 4_000_000, encoding)  # about 4 KB; 40 bytes of it inflate to about 40 KB
    out, error = _inflate(bomb, encoding, 300_000, piece)  # the cap is more than one inflate step
    assert error is TOO_LARGE and len(out) == 300_001


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_page_of_exactly_the_cap_is_inflated_whole_and_one_byte_less_is_too_large(encoding: str) -> None:
    page = b"".join(b"%d," % i for i in range(100_000))  # about 590 KB: several inflate steps
    body = _pack(page, encoding)
    out, error = _inflate(body, encoding, len(page), 4096)
    assert error is None and out == page
    out, error = _inflate(body, encoding, len(page) - 1, 4096)
    assert error is TOO_LARGE and len(out) == len(page)


def test_gzip_members_are_read_one_after_another_however_the_body_is_split() -> None:
    parts = [b"".join(b"%d:%d;" % (m, i) for i in range(3000)) for m in range(3)]
    body = b"".join(_pack(p, "gzip") for p in parts)  # RFC 1952: a body may hold several members
    for piece in (7, 1000, len(body)):
        out, error = _inflate(body, "gzip", 10**6, piece)
        assert error is None and out == b"".join(parts), piece


# --- Simple API pages: upload times --------------------------------------------------------------

@pytest.mark.parametrize("text, when", [
    ("2026-06-01T12:00:00Z", dt.datetime(2026, 6, 1, 12, tzinfo=UTC)),
    ("2026-06-01T12:00:00.250000Z", dt.datetime(2026, 6, 1, 12, 0, 0, 250000, tzinfo=UTC)),
    ("2026-06-01T12:00:00+02:00", dt.datetime(2026, 6, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=2)))),
    ("2026-06-01T12:00:00", dt.datetime(2026, 6, 1, 12, tzinfo=UTC)),  # no zone: read as UTC
    ("2026-06-01", dt.datetime(2026, 6, 1, tzinfo=UTC)),
    ("yesterday", None), ("", None), (1780315200, None), (None, None), (["2026-06-01"], None),
])
def test_upload_times_are_aware_and_anything_else_is_no_time(text: Any, when: dt.datetime | None) -> None:
    got = parse_time(text)
    if when is None:
        assert got is None
    else:
        assert got == when and got is not None and got.utcoffset() == when.utcoffset()


# --- Simple API pages: releases ------------------------------------------------------------------

def _f(name: str, when: str | None = "2026-06-01T00:00:00Z", **extra: Any) -> dict[str, Any]:
    return {"filename": name, **({"upload-time": when} if when is not None else {}), **extra}


def test_a_file_without_a_version_costs_only_itself() -> None:
    page = {"files": [_f("README.txt"), _f("proj-1.0.tar.gz"), _f("proj.tar.gz"), _f("proj-1.1.tar.gz")]}
    r = parse_project("proj", page, NOW)
    assert [x.version for x in r.releases] == ["1.0", "1.1"] and r.newest is not None and r.newest.version == "1.1"


def test_malformed_file_entries_are_skipped() -> None:
    page = {"files": ["proj-0.1.tar.gz", {"filename": 7}, {"name": "proj-0.2.tar.gz"}, _f("proj-1.0.tar.gz")]}
    r = parse_project("proj", page, NOW)
    assert r.ok and [x.version for x in r.releases] == ["1.0"]


def test_with_only_non_pep440_versions_the_last_in_order_is_the_newest() -> None:
    page = {"files": [_f("proj-foo.tar.gz"), _f("proj-bar.tar.gz"), _f("proj-baz.tar.gz")]}
    r = parse_project("proj", page, NOW)
    assert [x.version for x in r.releases] == ["bar", "baz", "foo"]
    assert r.newest is not None and r.newest.version == "foo" and r.newest_prerelease is None
    assert r.newest_files == ("proj-foo.tar.gz",)


def test_a_prerelease_after_non_pep440_versions_is_no_newest_release() -> None:
    page = {"files": [_f("proj-foo.tar.gz"), _f("proj-bar.tar.gz"), _f("proj-2.0rc1.tar.gz")]}
    r = parse_project("proj", page, NOW)
    assert r.newest is None and r.newest_files == () and r.newest_requires_python is None
    assert r.newest_prerelease is not None and r.newest_prerelease.version == "2.0rc1"


def test_a_prerelease_is_shown_only_when_newer_than_the_newest_release() -> None:
    newer = parse_project("proj", {"files": [_f("proj-1.0.tar.gz"), _f("proj-2.0rc1.tar.gz"),
                                             _f("proj-1.5.tar.gz")]}, NOW)
    assert newer.newest is not None and newer.newest.version == "1.5"
    assert newer.newest_prerelease is not None and newer.newest_prerelease.version == "2.0rc1"
    older = parse_project("proj", {"files": [_f("proj-2.0.tar.gz"), _f("proj-1.9rc1.tar.gz")]}, NOW)
    assert older.newest is not None and older.newest.version == "2.0" and older.newest_prerelease is None


def test_a_release_is_dated_by_its_earliest_file_and_counted_once_in_the_last_year() -> None:
    page = {"files": [_f("proj-1.0-py3-none-any.whl", "2026-05-02T00:00:00Z"),
                      _f("proj-1.0.tar.gz", "2026-05-01T00:00:00Z"),
                      _f("proj-1.0-py2-none-any.whl", "2026-05-03T00:00:00Z")]}
    r = parse_project("proj", page, NOW)
    assert r.releases[0].date == dt.datetime(2026, 5, 1, tzinfo=UTC) and r.releases_last_365_days == 1
    assert r.newest_files == ("proj-1.0-py3-none-any.whl", "proj-1.0.tar.gz", "proj-1.0-py2-none-any.whl")


def test_a_release_exactly_a_year_old_is_in_the_last_year_and_a_second_older_is_not() -> None:
    year_ago = NOW - dt.timedelta(days=365)
    page = {"files": [_f("proj-1.0.tar.gz", (year_ago - dt.timedelta(seconds=1)).isoformat()),
                      _f("proj-1.1.tar.gz", year_ago.isoformat())]}
    assert parse_project("proj", page, NOW).releases_last_365_days == 1


def test_the_newest_releases_python_requirement_is_read_stripped_and_a_blank_one_erases_nothing() -> None:
    page = {"files": [_f("proj-2.0-py3-none-any.whl", **{"requires-python": " >=3.9 "}),
                      _f("proj-2.0.tar.gz", **{"requires-python": "   "}),
                      _f("proj-2.0.zip", **{"requires-python": 39}),
                      _f("proj-1.0.tar.gz", **{"requires-python": ">=3.6"})]}
    assert parse_project("proj", page, NOW).newest_requires_python == ">=3.9"


def test_versions_listed_without_files_are_releases_with_no_date() -> None:
    page = {"versions": ["1.0", "2.0", 3], "files": [_f("proj-1.0.tar.gz", yanked=True)]}
    r = parse_project("proj", page, NOW)
    assert [(x.version, x.yanked, x.date) for x in r.releases] == [
        ("1.0", True, dt.datetime(2026, 6, 1, tzinfo=UTC)), ("2.0", False, None)]
    assert r.release_count == 2 and r.newest is not None and r.newest.version == "2.0" and r.newest_files == ()


@pytest.mark.parametrize("page, published", [
    ({"files": [_f("proj-1.0.tar.gz", None), _f("proj-1.1.tar.gz", None)]}, False),
    ({"files": [_f("proj-1.0.tar.gz", None), _f("proj-1.1.tar.gz")]}, True),
    ({"upload-times": False, "files": [_f("proj-1.0.tar.gz")]}, False),
    ({"files": []}, True),
])
def test_a_json_page_publishes_upload_times_when_any_file_carries_one(page: dict[str, Any], published: bool) -> None:
    assert parse_project("proj", page, NOW).upload_times is published


# --- file names ----------------------------------------------------------------------------------

@pytest.mark.parametrize("href, name", [
    ("../../files/proj-1.0.tar.gz#sha256=00", "proj-1.0.tar.gz"),
    ("proj-1.0.tar.gz?download=1", "proj-1.0.tar.gz"),
    ("/files/proj-1.0%2Blocal.tar.gz", "proj-1.0+local.tar.gz"),
    ("/files/proj-1.0.tar.gz/", "proj-1.0.tar.gz"),
    ("/files/proj-1.0.tar.gz//", "proj-1.0.tar.gz"),
    ("/files/INDEX", "INDEX"),
    (".", None), ("..", None), ("./", None), ("/", None), ("/files/", "files"),
])
def test_the_file_name_is_the_last_path_segment_of_the_link(href: str, name: str | None) -> None:
    assert filename_of(href) == name


@pytest.mark.parametrize("filename, project, version", [
    ("proj-1.0-1.noarch.rpm", "proj", "1.0"),
    ("PROJ-1.0-1.NOARCH.RPM", "proj", "1.0"),
    ("proj--1.noarch.rpm", "proj", None),
    ("proj.rpm", "proj", None),
    ("other-2.0-py3.8.egg", "proj", "2.0"),
    ("other-2.0.egg", "proj", "2.0"),
    ("proj-1.0-py3-none.whl", "proj", None),
    ("proj--py3.8.egg", "proj", None),
    ("proj-1.0-py3.whl", "proj", None),
    ("proj.tar.gz", "proj", None),
    ("proj-.tar.gz", "proj", None),
    ("README.txt", "proj", None),
    ("other-name-3.1.tar.gz", "proj", "3.1"),
    ("my-proj-1.0.tar.gz", "my_proj", "1.0"),
    ("proj-1.0.linux-x86_64.tar.gz", "proj", "1.0"),
    ("PROJ-1.0.ZIP", "proj", "1.0"),
    ("proj-2.0.tar.xz", "proj", "2.0"),
])
def test_the_version_a_file_is_for(filename: str, project: str, version: str | None) -> None:
    assert version_of_file(filename, project) == version


# --- HTML pages ----------------------------------------------------------------------------------

def test_an_html_page_is_read_into_the_json_pages_shape() -> None:
    text = ('<html><head><meta name="pypi:project-status" content="deprecated">'
            '<meta name="pypi:project-status-reason" content="use newproj">'
            '<meta name="pypi:repository-version" content="1.4"><meta charset="utf-8"></head><body>'
            '<a>proj-0.1.tar.gz</a>'
            '<a href="../files/README.txt">README.txt</a>'
            '<a href="../files/proj-1.0.tar.gz#sha256=00" data-requires-python="&gt;=3.9">x</a>'
            '<a href="../files/proj-1.1.tar.gz" data-yanked>x</a>'
            '<a href="../files/proj-1.2.tar.gz" data-yanked="">x</a>'
            '<a href="../files/proj-1.3.tar.gz" data-yanked="broken &amp; slow">x</a>'
            '</body></html>')
    assert html_page("proj", text) == {
        "name": "proj", "upload-times": False,
        "files": [{"filename": "proj-1.0.tar.gz", "requires-python": ">=3.9"},
                  {"filename": "proj-1.1.tar.gz", "yanked": True},
                  {"filename": "proj-1.2.tar.gz", "yanked": True},
                  {"filename": "proj-1.3.tar.gz", "yanked": "broken & slow"}],
        "project-status": {"status": "deprecated", "reason": "use newproj"},
    }


def test_a_stray_character_reference_in_the_text_hides_no_link_after_it() -> None:
    text = '<h1>Links for R&#D</h1>\n<a href="../files/proj-1.0.tar.gz">proj-1.0.tar.gz</a>\n'
    assert html_page("proj", text)["files"] == [{"filename": "proj-1.0.tar.gz"}]


def test_an_anchor_without_a_link_is_no_file() -> None:
    anchors = _Anchors()
    anchors.feed('<a>proj-1.0.tar.gz</a><a href="">proj-1.1.tar.gz</a><a name="x">x</a>')
    anchors.close()
    assert anchors.files == []


def test_an_empty_status_or_a_reason_alone_is_no_project_status() -> None:
    link = '<a href="proj-1.0.tar.gz">proj-1.0.tar.gz</a>'
    empty = html_page("proj", '<meta name="pypi:project-status" content="">' + link)
    alone = html_page("proj", '<meta name="pypi:project-status-reason" content="why">' + link)
    assert "project-status" not in empty and "project-status" not in alone


def test_html_the_parser_cannot_read_is_a_bad_page_naming_the_error() -> None:
    broken = "<![foo[ x ]]><a href='proj-1.0.tar.gz'>x</a>"
    try:
        HTMLParser().feed(broken)
    except AssertionError:
        pass
    else:  # pragma: no cover - newer Pythons read any marked section
        pytest.skip("this Python's HTMLParser reads the marked section")
    with pytest.raises(BadPage) as info:
        html_page("proj", broken)
    assert str(info.value) == "the index answered HTML that cannot be parsed (AssertionError)"


# --- what the cache keeps ------------------------------------------------------------------------

def test_trim_keeps_exactly_the_fields_fwprobe_reads() -> None:
    page = {
        "meta": {"api-version": "1.4", "_last-serial": 9, "project-status": {"status": "archived"}},
        "name": "proj", "versions": ["1.0"], "project-status": {"status": "archived"}, "upload-times": False,
        "alternate-locations": ["http://127.0.0.1/elsewhere/"],
        "files": [{"filename": "proj-1.0.tar.gz", "url": "http://127.0.0.1/f/proj-1.0.tar.gz", "hashes": {},
                   "upload-time": "2026-01-01T00:00:00Z", "yanked": "bad", "requires-python": ">=3.9",
                   "core-metadata": True, "size": 10},
                  "not a file"],
    }
    assert trim(page) == {
        "meta": {"api-version": "1.4", "project-status": {"status": "archived"}},
        "name": "proj", "versions": ["1.0"], "project-status": {"status": "archived"}, "upload-times": False,
        "files": [{"filename": "proj-1.0.tar.gz", "upload-time": "2026-01-01T00:00:00Z", "yanked": "bad",
                   "requires-python": ">=3.9"}],
    }


def test_trim_leaves_what_is_no_page_as_it_is() -> None:
    assert trim(["files"]) == ["files"]
    assert trim({"meta": "1.0", "files": "none"}) == {"files": "none"}
    assert trim({"name": "proj"}) == {"name": "proj", "files": None}

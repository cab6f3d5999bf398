"""A hostile or broken index on 127.0.0.1: every answer ends as data with a reason, in bounded
time and memory. Time bounds are asserted through the reason (a drip that outlived the deadline
would end with a complete, different answer), memory through a child's peak RSS."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import pytest

from fakes.index_server import FIXTURES, IndexServer
from fwprobe.index import IndexClient, parse_project, redact, scrub
from fwprobe.index.cache import Cache
from fwprobe.model import IndexErrorKind

NOW = dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc)
JSON_TYPE = "application/vnd.pypi.simple.v1+json"


def _client(server, tmp_path: Path, **kw) -> IndexClient:
    return IndexClient(kw.pop("url", server.url), cache_dir=tmp_path / "cache", now=lambda: NOW, **kw)


def _headers(handler, ctype: str = JSON_TYPE, extra: dict[str, str] | None = None, code: int = 200) -> None:
    handler.send_response(code)
    handler.send_header("Content-Type", ctype)
    for key, value in (extra or {}).items():
        handler.send_header(key, value)
    handler.send_header("Connection", "close")
    handler.end_headers()


def _drip(handler) -> None:
    """Headers, then one byte every 0.1 s for 20 s: each read succeeds, the whole never ends."""
    _headers(handler)
    body = json.dumps({"files": []}).encode() * 100
    for byte in body[:200]:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(0.1)


def test_a_drip_ends_at_the_request_deadline(index_server, tmp_path: Path) -> None:
    for name in ("drip", "drip2", "drip3"):
        index_server.routes[name] = _drip
    results = _client(index_server, tmp_path, timeout=1.0).fetch_many(["drip", "drip2", "drip3"])
    for r in results.values():
        assert not r.ok and r.error_kind is IndexErrorKind.TIMEOUT
        assert r.error == "the index answered too slowly: no complete answer within 1 s"


def test_an_oversized_answer_is_abandoned_with_or_without_content_length(index_server, tmp_path: Path) -> None:
    big = json.dumps({"files": [{"filename": f"p-{i}.tar.gz"} for i in range(60000)]}).encode()  # ~2 MB

    def declared(handler) -> None:
        _headers(handler, extra={"Content-Length": str(len(big))})
        handler.wfile.write(big)

    def undeclared(handler) -> None:
        _headers(handler)
        handler.wfile.write(big)

    index_server.routes.update(declared=declared, undeclared=undeclared)
    client = _client(index_server, tmp_path, max_bytes=2**20)
    for name in ("declared", "undeclared"):
        r = client.fetch(name)
        assert not r.ok and r.error_kind is IndexErrorKind.TOO_LARGE and r.error == "answer larger than 1 MB"
    assert _client(index_server, tmp_path, max_bytes=4 * 2**20, refresh=True).fetch("undeclared").ok


def _bomb(gigabytes: int, encoding: str = "gzip"):
    """A route streaming JSON-ish whitespace that inflates to ``gigabytes`` GB, compressed as it is
    sent (about 1 KB per MB), never held whole: each MB is a full-flushed deflate segment."""
    def serve(handler) -> None:
        _headers(handler, extra={"Content-Encoding": encoding})  # no length: read until the end
        packer = zlib.compressobj(9, zlib.DEFLATED, (16 if encoding == "gzip" else 0) + zlib.MAX_WBITS)
        block = b" " * 2**20
        pending = packer.compress(b'{"files": [') + packer.flush(zlib.Z_FULL_FLUSH)
        for _ in range(gigabytes * 1024):
            pending += packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
            if len(pending) >= 2**16:  # whole 64 KB reads, each of which inflates to about 64 MB
                handler.wfile.write(pending)
                pending = b""
        handler.wfile.write(pending + packer.compress(b"]}") + packer.flush())
    return serve


_CHILD = """
import json, resource, sys
from pathlib import Path
from fwprobe.index import IndexClient
client = IndexClient(sys.argv[1], cache_dir=Path(sys.argv[2]), max_bytes=int(sys.argv[3]))
client.fetch("activeproj")  # requests, urllib3 and a connection in place before the baseline


def kb(field):
    # /proc: ru_maxrss would start at the forking parent's size (Linux keeps it across exec)
    status = Path("/proc/self/status")
    if not status.exists():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(status.read_text().split(field + ":")[1].split()[0])


before = kb("VmRSS")  # in use now, not the high-water mark the warm-up may have raised
r = client.fetch("bomb")
after = kb("VmHWM")
print(json.dumps({"error": r.error, "kind": r.error_kind, "before_kb": before, "peak_kb": after}))
"""


@pytest.mark.parametrize("gigabytes, encoding", [(2, "gzip"), (10, "gzip"), (10, "deflate")])
def test_a_decompression_bomb_costs_the_cap_whatever_its_size(index_server, tmp_path: Path, gigabytes: int,
                                                              encoding: str) -> None:
    cap = 8 * 2**20
    index_server.routes["bomb"] = _bomb(gigabytes, encoding)
    done = subprocess.run([sys.executable, "-c", _CHILD, index_server.url, str(tmp_path), str(cap)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["kind"] == "too-large" and answer["error"] == "answer larger than 8 MB"
    # the answer may grow to the cap; one inflate step and the buffer's slack are all that is added
    assert (answer["peak_kb"] - answer["before_kb"]) * 1024 < cap + 4 * 2**20, answer


@pytest.mark.parametrize("encoding, members", [("gzip", 1), ("gzip", 3), ("deflate", 1)])
def test_a_compressed_page_many_steps_long_is_read_whole(index_server, tmp_path: Path, encoding: str,
                                                         members: int) -> None:
    files = [{"filename": f"proj-1.{i}.tar.gz", "upload-time": "2026-01-02T03:04:05Z"} for i in range(40000)]
    page = json.dumps({"name": "proj", "files": files}, indent=4).encode()  # ~4 MB, many inflate steps
    cut = [len(page) * i // members for i in range(members + 1)]
    wbits = (16 if encoding == "gzip" else 0) + zlib.MAX_WBITS
    body = b""
    for a, b in zip(cut, cut[1:]):  # one gzip member per part (RFC 1952 allows several)
        packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
        body += packer.compress(page[a:b]) + packer.flush()

    def serve(handler) -> None:
        _headers(handler, extra={"Content-Encoding": encoding, "Content-Length": str(len(body))})
        handler.wfile.write(body)

    index_server.routes["proj"] = serve
    r = _client(index_server, tmp_path, max_bytes=len(page)).fetch("proj")
    assert r.ok and r.release_count == 40000, r.error
    tight = _client(index_server, tmp_path, max_bytes=len(page) - 1, refresh=True).fetch("proj")
    assert tight.error_kind is IndexErrorKind.TOO_LARGE


@pytest.mark.parametrize("encoding, data, reason", [
    ("br", b"\x00\x01", "unsupported content encoding 'br'"),
    ("gzip", b"not gzip at all", "corrupt compressed answer"),
])
def test_unsupported_or_corrupt_encodings(index_server, tmp_path: Path, encoding: str, data: bytes, reason: str) -> None:
    def serve(handler) -> None:
        _headers(handler, extra={"Content-Encoding": encoding, "Content-Length": str(len(data))})
        handler.wfile.write(data)

    index_server.routes["enc"] = serve
    r = _client(index_server, tmp_path).fetch("enc")
    assert not r.ok and r.error_kind is IndexErrorKind.BAD_RESPONSE and reason in r.error


def _redirect(to: str):
    def serve(handler) -> None:
        _headers(handler, "text/plain", {"Location": to, "Content-Length": "0"}, code=302)
    return serve


def test_a_redirect_loop_and_a_redirect_to_nowhere(index_server, tmp_path: Path) -> None:
    index_server.routes["loop"] = _redirect(index_server.url + "loop/")
    index_server.routes["away"] = _redirect("http://127.0.0.1:1/simple/away/")
    client = _client(index_server, tmp_path)
    loop, away = client.fetch("loop"), client.fetch("away")
    assert loop.error_kind is IndexErrorKind.BAD_RESPONSE and "redirected more than 5 times" in loop.error
    assert away.error_kind is IndexErrorKind.UNREACHABLE and "cannot reach the index" in away.error


def test_a_redirect_to_another_host_carries_no_credentials(index_server, tmp_path: Path) -> None:
    other = IndexServer()
    try:
        # the same machine under another host name: requests must drop the Authorization header
        index_server.routes["moved"] = _redirect(f"http://localhost:{other.port}/simple/activeproj/")
        url = index_server.url.replace("http://", "http://user:s3cret@")
        r = _client(index_server, tmp_path, url=url).fetch("moved")
        assert r.ok and r.newest.version == "1.3.0"
        assert index_server.auth[-1] is not None and index_server.auth[-1].startswith("Basic ")
        assert other.counts == {"activeproj": 1} and other.auth == [None]
    finally:
        other.close()


def test_a_day_long_retry_after_is_not_waited_for(index_server, tmp_path: Path) -> None:
    def busy(handler) -> None:
        _headers(handler, "text/plain", {"Retry-After": "86400", "Content-Length": "0"}, code=503)

    index_server.routes["busy"] = busy
    r = _client(index_server, tmp_path, timeout=1.0).fetch("busy")
    assert not r.ok and r.error == "the index answered HTTP 503" and index_server.counts["busy"] == 1


def test_html_only_index_gives_versions_and_yanked_but_no_upload_times(index_server, tmp_path: Path) -> None:
    page = (b'<!DOCTYPE html><html><head><meta name="pypi:repository-version" content="1.0"></head><body>'
            b'<a href="../../files/oldproj-1.0.tar.gz#sha256=00">oldproj-1.0.tar.gz</a>'
            b'<a href="../../files/oldproj-1.1-py3-none-any.whl" data-yanked="broken">oldproj-1.1-py3-none-any.whl</a>'
            b'<a href="../../files/oldproj-1.2.tar.gz">oldproj-1.2.tar.gz</a></body></html>')

    def serve(handler) -> None:
        _headers(handler, "text/html; charset=utf-8", {"Content-Length": str(len(page))})
        handler.wfile.write(page)

    index_server.routes["oldproj"] = serve
    r = _client(index_server, tmp_path).fetch("oldproj")
    assert r.ok and not r.upload_times
    assert [(x.version, x.yanked, x.date) for x in r.releases] == [("1.0", False, None), ("1.1", True, None),
                                                                   ("1.2", False, None)]
    assert r.newest.version == "1.2" and r.releases[1].yanked_reason == "broken"
    cached = _client(index_server, tmp_path, offline=True).fetch("oldproj")
    assert cached.ok and cached.from_cache and not cached.upload_times


def test_status_from_an_html_only_index_says_it_has_no_upload_times(tmp_path: Path) -> None:
    from fwprobe.assess import assess_status
    from fwprobe.catalog import Thresholds, load_catalog
    from fwprobe.index import html_page

    page = html_page("theano", '<a href="../../f/Theano-1.0.5.tar.gz#md5=0">Theano-1.0.5.tar.gz</a>')
    info = parse_project("theano", page, NOW)
    status = assess_status(load_catalog().get("theano"), {"theano": info}, NOW.date(), Thresholds())
    assert status.observed.value == "unknown" and status.verdict.value == "unverified"
    assert "the index publishes no upload times (PEP 503 HTML, or PEP 691 JSON without PEP 700)" in status.evidence
    assert "newest version: theano 1.0.5" in status.evidence


def test_nonsense_versions_and_upload_times_cost_a_field_not_the_page() -> None:
    page = {"versions": ["banana", 7, "1.0"], "files": [
        {"filename": "proj-1.0.tar.gz", "upload-time": "yesterday"},
        {"filename": "proj-banana.tar.gz", "upload-time": 12345},
        {"filename": "proj-1.0-py3-none-any.whl", "upload-time": "2026-02-30T00:00:00Z"},
        {"filename": 5}, "not a dict", {"filename": "proj-2.0.tar.gz", "upload-time": "2026-01-02T03:04:05Z"}]}
    r = parse_project("proj", page, NOW)
    assert r.ok and [x.version for x in r.releases] == ["banana", "1.0", "2.0"]
    assert [x.date is None for x in r.releases] == [True, True, False]


def test_redaction_removes_only_the_secret_in_every_spelling() -> None:
    url = "https://u:p%40ss%25%3Aw@host.example/simple/"  # user "u", password "p@ss%:w"
    assert redact(url) == "https://***@host.example/simple/"
    text = "request failed; use an index: p@ss%:w p%40ss%25%3Aw p%40ss%25%3Aw for u"
    assert scrub(text, url) == "request failed; use an index: *** *** *** for u"
    token = "https://tok%2Fen@host.example/simple/"  # a token as the user name, no password
    assert scrub("auth tok/en and tok%2Fen", token) == "auth *** and ***"
    assert scrub("plain words stay", "https://host.example/simple/") == "plain words stay"


def test_a_one_letter_user_name_alters_no_word(index_server, tmp_path: Path) -> None:
    url = index_server.url.replace("http://", "http://u:pw@")
    r = _client(index_server, tmp_path, url=url).fetch("missingproj")
    assert r.error == "not found on the index (404)"


def test_concurrent_refreshes_keep_the_cache_valid(index_server, tmp_path: Path) -> None:
    seen: list[bool] = []
    stop = threading.Event()
    cache = Cache(_client(index_server, tmp_path).cache.root)

    def read() -> None:
        while not stop.is_set():
            if cache.exists("activeproj"):
                seen.append(cache.read("activeproj") is not None)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        def refresh() -> None:
            for _ in range(15):
                assert _client(index_server, tmp_path, refresh=True).fetch("activeproj").ok

        workers = [threading.Thread(target=refresh) for _ in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    finally:
        stop.set()
        reader.join()
    assert seen and all(seen)
    assert not list(cache.root.glob(".*.tmp"))


@pytest.mark.parametrize("content", ["{ torn", '{"format": "other/1", "fetched_at": 1, "data": {}}',
                                     '{"format": "fwprobe.cache/1", "fetched_at": 9e18, "data": {"files": []}}'])
def test_a_torn_or_foreign_cache_file_is_ignored_and_replaced(index_server, tmp_path: Path, content: str) -> None:
    client = _client(index_server, tmp_path)
    client.cache.root.mkdir(parents=True)
    client.cache.path("activeproj").write_text(content)
    assert client.fetch("activeproj").ok and index_server.counts["activeproj"] == 1
    assert json.loads(client.cache.path("activeproj").read_text())["format"] == "fwprobe.cache/1"


def test_fixtures_stay_trimmed() -> None:
    for path in FIXTURES.rglob("*.json"):
        assert "http" not in path.read_text(), path.name


def test_a_redirect_with_an_endless_body_is_not_read(index_server, tmp_path: Path) -> None:
    def serve(handler) -> None:  # a redirect that announces a gigabyte and never finishes sending it
        _headers(handler, "text/plain", {"Location": index_server.url + "activeproj/", "Content-Length": str(10**9)},
                 code=302)
        handler.wfile.write(b"x" * 65536)
        handler.wfile.flush()
        time.sleep(20)

    index_server.routes["trap"] = serve
    r = _client(index_server, tmp_path, timeout=5.0).fetch("trap")
    assert r.ok and r.newest.version == "1.3.0"  # followed at once, its body left unread


def test_credentials_follow_a_redirect_on_the_same_host_only(index_server, tmp_path: Path) -> None:
    index_server.routes["moved-here"] = _redirect("/simple/activeproj/")
    url = index_server.url.replace("http://", "http://user:s3cret@")
    assert _client(index_server, tmp_path, url=url).fetch("moved-here").ok
    assert index_server.auth[-1] is not None and index_server.auth[-1].startswith("Basic ")

"""The index client against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from fakes.index_server import FIXTURES
from fwprobe.index import IndexClient, IndexConfigError, parse_project, redact, resolve_index_url, trim
from fwprobe.model import IndexErrorKind

NOW = dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc)


def _client(server, tmp_path: Path, **kw) -> IndexClient:
    return IndexClient(server.url, cache_dir=tmp_path / "cache", now=lambda: NOW, **kw)


def test_release_history_of_an_active_project(index_server, tmp_path: Path) -> None:
    r = _client(index_server, tmp_path).fetch("activeproj")
    assert r.ok and not r.from_cache
    assert r.newest.version == "1.3.0" and r.newest.day.isoformat() == "2026-10-15"
    assert r.newest_prerelease.version == "2.0.0rc1"
    yanked = {x.version: x for x in r.releases}["1.2.0"]
    assert yanked.yanked and yanked.yanked_reason == "broken wheel: missing native library"
    first = {x.version: x for x in r.releases}["1.0.0"]
    assert first.day.isoformat() == "2024-01-09"  # a release's date is its earliest file
    assert {x.version: x for x in r.releases}["0.9.0"].date is None  # PEP 700 version with no files
    assert [x.version for x in r.releases] == ["0.9.0", "1.0.0", "1.1.0", "1.2.0", "1.3.0", "2.0.0rc1"]
    assert r.releases_last_365_days == 3  # 1.2.0, 1.3.0, 2.0.0rc1
    assert r.project_status is None


def test_non_pep440_versions_are_tolerated_and_sorted_first(index_server, tmp_path: Path) -> None:
    r = _client(index_server, tmp_path).fetch("silentproj")
    assert r.ok and r.newest.version == "1.0.5"
    assert r.releases[0].version == "0.1dev-r2736"


def test_archived_marker_is_read(index_server, tmp_path: Path) -> None:
    r = _client(index_server, tmp_path).fetch("archivedproj")
    assert (r.project_status, r.project_status_reason) == ("archived", "superseded by activeproj")


@pytest.mark.parametrize("name, reason", [
    ("missingproj", "not found on the index (404)"),
    ("garbled", "invalid JSON"),
    ("wrongshape", "not a JSON Simple API project page"),
    ("htmlproj", "an HTML page that lists no distribution files"),
])
def test_bad_answers_are_reasons_not_crashes(index_server, tmp_path: Path, name: str, reason: str) -> None:
    r = _client(index_server, tmp_path).fetch(name)
    assert not r.ok and reason in r.error
    assert r.error_kind is (IndexErrorKind.NOT_FOUND if name == "missingproj" else IndexErrorKind.BAD_RESPONSE)


def test_500_then_200_is_retried(index_server, tmp_path: Path) -> None:
    r = _client(index_server, tmp_path).fetch("flaky")
    assert r.ok and index_server.counts["flaky"] == 2


def test_429_is_retried_honouring_retry_after(index_server, tmp_path: Path) -> None:
    r = _client(index_server, tmp_path).fetch("ratelimited")
    assert r.ok and index_server.counts["ratelimited"] == 3


def test_retry_delay_backs_off_and_caps_retry_after() -> None:
    from fwprobe.index import MAX_RETRY_AFTER
    from fwprobe.index import retry_delay as _retry_delay

    assert _retry_delay(None, 0) < _retry_delay(None, 1) < _retry_delay(None, 2)
    assert _retry_delay("2", 0) == 2.0 and _retry_delay("86400", 0) == MAX_RETRY_AFTER


def test_a_slow_answer_past_the_timeout_is_unknown(index_server, tmp_path: Path) -> None:
    r = _client(index_server, tmp_path, timeout=0.5).fetch("slowproj")
    assert not r.ok and "the index answered too slowly: no complete answer within 0.5 s" in r.error and r.error_kind is IndexErrorKind.TIMEOUT


def test_unreachable_index(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = IndexClient(f"http://127.0.0.1:{port}/simple/", cache_dir=tmp_path).fetch("torch")
    assert not r.ok and "cannot reach the index" in r.error


def test_fetch_many_is_concurrent_and_keyed_by_normalised_name(index_server, tmp_path: Path) -> None:
    out = _client(index_server, tmp_path).fetch_many(["ActiveProj", "silentproj", "missing_proj"])
    assert list(out) == ["activeproj", "silentproj", "missing-proj"]
    assert out["activeproj"].ok and out["silentproj"].ok and not out["missing-proj"].ok


def test_second_run_within_ttl_sends_no_request(index_server, tmp_path: Path) -> None:
    _client(index_server, tmp_path).fetch("activeproj")
    again = _client(index_server, tmp_path).fetch("activeproj")
    assert again.ok and again.from_cache and again.newest.version == "1.3.0"
    assert index_server.counts["activeproj"] == 1
    _client(index_server, tmp_path, refresh=True).fetch("activeproj")
    assert index_server.counts["activeproj"] == 2


def test_expired_cache_is_refetched(index_server, tmp_path: Path) -> None:
    _client(index_server, tmp_path).fetch("activeproj")
    _client(index_server, tmp_path, ttl=0).fetch("activeproj")
    assert index_server.counts["activeproj"] == 2


def test_offline_uses_only_the_cache(index_server, tmp_path: Path) -> None:
    empty = _client(index_server, tmp_path, offline=True).fetch("activeproj")
    assert not empty.ok and "not in the cache" in empty.error
    assert index_server.counts == {}
    _client(index_server, tmp_path).fetch("activeproj")
    cached = _client(index_server, tmp_path, offline=True, ttl=0).fetch("activeproj")
    assert cached.ok and cached.from_cache


def test_corrupted_cache_is_ignored_and_replaced(index_server, tmp_path: Path) -> None:
    client = _client(index_server, tmp_path)
    client.fetch("activeproj")
    path = client.cache.path("activeproj")
    path.write_text("{ not json")
    offline = _client(index_server, tmp_path, offline=True).fetch("activeproj")
    assert not offline.ok and "cache file unreadable" in offline.error
    again = _client(index_server, tmp_path).fetch("activeproj")
    assert again.ok and index_server.counts["activeproj"] == 2
    assert json.loads(path.read_text())["data"]["name"] == "activeproj"


def test_cache_holds_only_trimmed_fields(index_server, tmp_path: Path) -> None:
    client = _client(index_server, tmp_path)
    client.fetch("activeproj")
    stored = json.loads(client.cache.path("activeproj").read_text())["data"]
    assert set(stored["files"][0]) <= {"filename", "upload-time", "yanked", "requires-python"}


def test_fixtures_are_trimmed_and_carry_no_urls() -> None:
    for path in FIXTURES.glob("*.json"):
        text = path.read_text()
        assert "://" not in text, path
        try:
            data = json.loads(text)
        except ValueError:
            continue  # garbled.json is invalid on purpose
        assert trim(data) == data, f"{path.name} has fields fwprobe does not read"


def test_parse_project_wrong_shapes() -> None:
    assert not parse_project("x", [], dt.datetime.now(dt.timezone.utc)).ok
    assert not parse_project("x", {"files": {}}, dt.datetime.now(dt.timezone.utc)).ok


# --- which index, and credentials -------------------------------------------------------------

def test_index_resolution_order() -> None:
    cfg, default = (lambda: "https://example.org/config/simple"), (lambda: "https://example.org/default/simple")
    env = {"FWPROBE_INDEX_URL": "https://example.org/fw/simple", "PIP_INDEX_URL": "https://example.org/pip/simple"}
    assert resolve_index_url("https://example.org/cli/simple", env, cfg, default).startswith("https://example.org/cli/")
    assert resolve_index_url(None, env, cfg, default).startswith("https://example.org/fw/")
    del env["FWPROBE_INDEX_URL"]
    assert resolve_index_url(None, env, cfg, default).startswith("https://example.org/pip/")
    assert resolve_index_url(None, {}, cfg, default).startswith("https://example.org/config/")
    assert resolve_index_url(None, {}, lambda: None, default).startswith("https://example.org/default/")
    with pytest.raises(IndexConfigError, match="no package index URL found"):
        resolve_index_url(None, {}, lambda: None, lambda: None)


def test_pip_default_is_read_from_the_installed_pip() -> None:
    pytest.importorskip("pip")
    from pip._internal.models.index import PyPI

    assert resolve_index_url(None, {}, lambda: None) == PyPI.simple_url.rstrip("/") + "/"


def test_non_http_index_is_a_config_error() -> None:
    with pytest.raises(IndexConfigError, match=r"file:///srv.*not an http\(s\) URL"):
        resolve_index_url("file:///srv/simple", {})


def test_redaction() -> None:
    assert redact("https://user:s3cret@example.org/simple/") == "https://***@example.org/simple/"
    assert redact("https://tok3n@example.org/simple/") == "https://***@example.org/simple/"
    assert redact("https://example.org/simple/") == "https://example.org/simple/"
    with pytest.raises(IndexConfigError) as err:
        resolve_index_url("ftp://user:s3cret@example.org/", {})
    assert "s3cret" not in str(err.value)


def test_credentials_are_sent_but_never_shown(index_server, tmp_path: Path) -> None:
    url = index_server.url.replace("http://", "http://__token__:s3cret-t0ken@")
    client = IndexClient(url, cache_dir=tmp_path, now=lambda: NOW)
    assert "s3cret" not in client.display_url
    missing = client.fetch("missingproj")
    assert index_server.auth[-1] is not None and index_server.auth[-1].startswith("Basic ")
    assert "s3cret" not in (missing.error or "")
    assert not any("s3cret" in p.name for p in tmp_path.rglob("*"))
    assert not any("s3cret" in p.read_text() for p in tmp_path.rglob("*.json"))


def test_pip_config_files_are_read_in_pip_order(tmp_path: Path) -> None:
    from fwprobe.index import pip_config_value as _pip_config_value

    xdg = tmp_path / "xdg"
    (xdg / "pip").mkdir(parents=True)
    (xdg / "pip" / "pip.conf").write_text("[global]\nindex-url = https://example.org/global/simple\n")
    home = tmp_path / "home"
    (home / ".config" / "pip").mkdir(parents=True)
    env = {"XDG_CONFIG_DIRS": str(xdg), "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
    assert _pip_config_value(env) == "https://example.org/global/simple"
    (home / ".config" / "pip" / "pip.conf").write_text(
        "[global]\nindex-url = https://example.org/user/simple\n[install]\nindex-url = https://example.org/install/simple\n")
    assert _pip_config_value(env) == "https://example.org/install/simple"  # user over global, install over global
    explicit = tmp_path / "explicit.conf"
    explicit.write_text("[global]\nindex-url = https://example.org/explicit/simple\n")
    assert _pip_config_value({**env, "PIP_CONFIG_FILE": str(explicit)}) == "https://example.org/explicit/simple"
    assert _pip_config_value({**env, "PIP_CONFIG_FILE": "/dev/null"}) is None
    (home / ".config" / "pip" / "pip.conf").write_text("not [an ini file")
    assert _pip_config_value(env) == "https://example.org/global/simple"  # a broken file is skipped


# --- a warm run asks nothing: answers and absences are cached alike ---------------------------

def test_a_warm_run_sends_no_request_even_where_per_project_json_is_absent(index_server, tmp_path: Path) -> None:
    names = ["activeproj", "forkproj", "missingproj"]  # forkproj: a page but no per-project JSON (404)
    cold = _client(index_server, tmp_path)
    first = cold.fetch_many(names, with_meta=True)
    assert cold.requests_sent == 6 and index_server.counts["json:forkproj"] == 1
    seen = dict(index_server.counts)
    warm = _client(index_server, tmp_path)
    second = warm.fetch_many(names, with_meta=True)
    assert warm.requests_sent == 0 and index_server.counts == seen
    for name in names:  # the same answers, from the cache
        assert second[name].meta == first[name].meta and second[name].error == first[name].error
    assert second["forkproj"].meta.error == "the index's per-project JSON answered HTTP 404"
    assert second["activeproj"].meta.version == first["activeproj"].meta.version is not None
    assert second["missingproj"].error == "not found on the index (404)" and second["missingproj"].from_cache
    offline = _client(index_server, tmp_path, offline=True).fetch_many(names, with_meta=True)
    assert offline["forkproj"].meta == first["forkproj"].meta and index_server.counts == seen
    assert _client(index_server, tmp_path, refresh=True).fetch_many(names, with_meta=True)["forkproj"].ok
    assert index_server.counts["json:forkproj"] == 2 and index_server.counts["missingproj"] == 2


def test_cached_absences_expire_like_any_answer(index_server, tmp_path: Path) -> None:
    _client(index_server, tmp_path).fetch_many(["forkproj", "missingproj"], with_meta=True)
    _client(index_server, tmp_path, ttl=0).fetch_many(["forkproj", "missingproj"], with_meta=True)
    assert index_server.counts["json:forkproj"] == 2 and index_server.counts["missingproj"] == 2


def test_a_transient_failure_of_per_project_json_is_not_cached(index_server, tmp_path: Path) -> None:
    def busy(handler) -> None:
        handler.send_response(503)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    index_server.routes["json:activeproj"] = busy
    client = _client(index_server, tmp_path)
    assert client.fetch_meta("activeproj").error == "the index's per-project JSON answered HTTP 503"
    del index_server.routes["json:activeproj"]
    assert _client(index_server, tmp_path).fetch_meta("activeproj").version is not None
    assert index_server.counts["json:activeproj"] == 2


def test_status_twice_the_second_run_sends_nothing(index_server, tmp_path: Path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from fakes.catalogs import STATUS_CATALOG
    from fwprobe.cli import app

    catalog = tmp_path / "cat.toml"
    catalog.write_text(STATUS_CATALOG)
    monkeypatch.setenv("FWPROBE_NOW", "2026-11-23")
    args = ["status", "--index-url", index_server.url, "--catalog", str(catalog), "--format", "json"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    seen = dict(index_server.counts)
    assert any(k.startswith("json:") for k in seen)
    second = CliRunner().invoke(app, args)
    assert second.exit_code == 0 and index_server.counts == seen
    assert _answers(json.loads(second.stdout)) == _answers(json.loads(first.stdout))


def _answers(report: dict) -> list:
    """The index's answers in a status report, less where they came from (the cache or the wire)."""
    return [[{k: v for k, v in d.items() if k != "from_cache"} for d in fw["index"]] for fw in report["frameworks"]]

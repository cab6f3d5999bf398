"""What an index page says, as a user of `fwprobe status` reads it: yanked releases, a project's
status wherever the page puts it, the Python a release needs, and a cache without URLs."""

from __future__ import annotations

import datetime as dt
import json

from fwprobe.index import html_page, parse_project, trim

NOW = dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc)


def _file(name: str, when: str = "2026-06-01T00:00:00Z", **extra: object) -> dict[str, object]:
    return {"filename": name, "upload-time": when, **extra}


def test_a_plain_pep592_yanked_true_yanks_the_release_without_a_reason() -> None:
    page = {"name": "proj", "files": [
        _file("proj-1.0.tar.gz"),
        _file("proj-1.1-py3-none-any.whl", yanked=True),
        _file("proj-1.1.tar.gz", yanked=True),
        _file("proj-1.2-py3-none-any.whl", yanked=False),
    ]}
    r = parse_project("proj", page, NOW)
    by = {x.version: x for x in r.releases}
    assert by["1.1"].yanked and by["1.1"].yanked_reason is None
    assert not by["1.2"].yanked and not by["1.0"].yanked
    assert r.newest is not None and r.newest.version == "1.2"


def test_a_release_with_one_file_yanked_and_one_not_stays_installable() -> None:
    page = {"name": "proj", "files": [_file("proj-2.0.tar.gz", yanked="bad sdist"),
                                      _file("proj-2.0-py3-none-any.whl")]}
    r = parse_project("proj", page, NOW)
    assert not r.releases[0].yanked and r.newest is not None and r.newest.version == "2.0"


def test_a_yank_reason_is_kept_and_a_blank_one_is_no_reason() -> None:
    page = {"name": "proj", "files": [_file("proj-1.0.tar.gz", yanked="  broken wheel  "),
                                      _file("proj-1.1.tar.gz", yanked="   ")]}
    by = {x.version: x for x in parse_project("proj", page, NOW).releases}
    assert by["1.0"].yanked and by["1.0"].yanked_reason == "broken wheel"
    assert by["1.1"].yanked and by["1.1"].yanked_reason is None


def test_pep792_status_under_meta_is_read() -> None:
    page = {"meta": {"api-version": "1.4", "project-status": {"status": "deprecated", "reason": "use newproj"}},
            "name": "proj", "files": [_file("proj-1.0.tar.gz")]}
    r = parse_project("proj", page, NOW)
    assert (r.project_status, r.project_status_reason) == ("deprecated", "use newproj")


def test_pep792_status_as_a_plain_string_and_with_a_reason_that_is_not_text() -> None:
    plain = parse_project("proj", {"project-status": "archived", "files": [_file("proj-1.0.tar.gz")]}, NOW)
    assert (plain.project_status, plain.project_status_reason) == ("archived", None)
    odd = parse_project("proj", {"meta": {"project-status": {"status": "quarantined", "reason": 7}},
                                 "files": [_file("proj-1.0.tar.gz")]}, NOW)
    assert (odd.project_status, odd.project_status_reason) == ("quarantined", None)
    # a top-level marker wins over one under meta; a malformed one is no status
    both = parse_project("proj", {"project-status": {"status": "archived"},
                                  "meta": {"project-status": {"status": "active"}},
                                  "files": [_file("proj-1.0.tar.gz")]}, NOW)
    assert both.project_status == "archived"
    bad = parse_project("proj", {"project-status": {"state": "archived"}, "files": [_file("proj-1.0.tar.gz")]}, NOW)
    assert bad.project_status is None


def test_pep792_status_in_an_html_page() -> None:
    text = ('<html><head><meta name="pypi:repository-version" content="1.4">'
            '<meta name="pypi:project-status" content="quarantined">'
            '<meta name="pypi:project-status-reason" content="malware reported"></head><body>'
            '<a href="../../files/proj-1.0.tar.gz#sha256=00">proj-1.0.tar.gz</a></body></html>')
    r = parse_project("proj", html_page("proj", text), NOW)
    assert (r.project_status, r.project_status_reason) == ("quarantined", "malware reported")
    assert not r.upload_times


def test_an_html_page_without_a_status_reason_has_the_status_alone() -> None:
    text = ('<meta name="pypi:project-status" content="archived">'
            '<a href="proj-1.0.tar.gz">proj-1.0.tar.gz</a>')
    page = html_page("proj", text)
    assert page["project-status"] == {"status": "archived"}
    assert "project-status" not in html_page("proj", '<a href="proj-1.0.tar.gz">x</a>')


def test_requires_python_of_the_newest_release_is_read_from_json_and_html() -> None:
    page = {"name": "proj", "files": [
        _file("proj-1.0.tar.gz", **{"requires-python": ">=3.6"}),
        _file("proj-2.0-py3-none-any.whl", **{"requires-python": " >=3.9 "}),
        _file("proj-2.0.tar.gz", **{"requires-python": "   "}),
    ]}
    r = parse_project("proj", page, NOW)
    assert r.newest_requires_python == ">=3.9"
    assert set(r.newest_files) == {"proj-2.0-py3-none-any.whl", "proj-2.0.tar.gz"}
    blank = parse_project("proj", {"files": [_file("proj-1.0.tar.gz", **{"requires-python": "  "})]}, NOW)
    assert blank.newest_requires_python is None
    html = html_page("proj", '<a href="proj-3.0.tar.gz" data-requires-python="&gt;=3.10">proj-3.0.tar.gz</a>'
                             '<a href="proj-2.9.tar.gz" data-yanked="">proj-2.9.tar.gz</a>')
    r = parse_project("proj", html, NOW)
    assert r.newest_requires_python == ">=3.10"
    assert {x.version: x.yanked for x in r.releases} == {"2.9": True, "3.0": False}


def test_trim_of_a_full_page_keeps_what_fwprobe_reads_and_no_url() -> None:
    page = {
        "meta": {"api-version": "1.4", "_last-serial": 123, "project-status": {"status": "active"},
                 "tracks": ["https://127.0.0.1/simple/other/"]},
        "name": "proj", "versions": ["1.0"], "alternate-locations": ["https://127.0.0.1/simple/proj/"],
        "project-status": {"status": "active"},
        "files": [{"filename": "proj-1.0.tar.gz", "url": "https://127.0.0.1/files/proj-1.0.tar.gz",
                   "hashes": {"sha256": "00"}, "requires-python": ">=3.9", "core-metadata": {"sha256": "11"},
                   "size": 10, "upload-time": "2026-06-01T00:00:00Z", "yanked": "bad", "dist-info-metadata": True},
                  "not a file"],
    }
    kept = trim(page)
    assert "://" not in json.dumps(kept)
    assert kept == {
        "name": "proj", "versions": ["1.0"], "project-status": {"status": "active"},
        "meta": {"api-version": "1.4", "project-status": {"status": "active"}},
        "files": [{"filename": "proj-1.0.tar.gz", "upload-time": "2026-06-01T00:00:00Z", "yanked": "bad",
                   "requires-python": ">=3.9"}],
    }
    # what the cache stores parses to the same answer as the page itself
    assert parse_project("proj", kept, NOW) == parse_project("proj", page, NOW)
    assert trim(trim(page)) == kept
    assert trim(["not", "a", "page"]) == ["not", "a", "page"]
    assert trim({"files": "nonsense"})["files"] == "nonsense"

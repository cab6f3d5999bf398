"""Parsing Simple API project pages into a DistRelease: JSON (PEP 691, with PEP 700 upload times
and PEP 792 project status) and HTML (PEP 503, with PEP 592 yanked flags, data-requires-python and
PEP 792 status meta tags; no upload times), read as pip reads them.

Tolerant field by field: a version that is not PEP 440, an upload time that is not a timestamp or
a malformed file entry costs that field, not the page. Pure: no network, no files.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote, urlsplit

from fwprobe.catalog import normalize
from fwprobe.model import DistRelease, Release
from fwprobe.pep440 import is_prerelease, sort_key

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
HTML_TYPES = ("application/vnd.pypi.simple.v1+html", "text/html")
# what pip and pypi-simple read: the types PEP 691 defines for answers, and plain HTML (PEP 503)
SIMPLE_TYPES = (JSON_TYPE, *HTML_TYPES)

_ARCHIVE = re.compile(r"\.(tar\.gz|tar\.bz2|tar\.xz|tgz|zip|tar|egg|exe|msi|rpm|dmg)$", re.I)


class BadPage(ValueError):
    """The answer is not a Simple API project page (the message says what it is instead)."""


def version_of_file(filename: str, project: str) -> str | None:
    """The version a distribution file is for; tolerates non-PEP 440 versions."""
    if filename.endswith(".whl"):
        parts = filename[:-4].split("-")
        return parts[1] if len(parts) >= 5 else None
    stem = _ARCHIVE.sub("", filename)
    if stem == filename:
        return None
    if filename.lower().endswith(".rpm"):  # NAME-VERSION-RELEASE.ARCH.rpm: rpm allows no '-' in either
        parts = stem.rsplit("-", 2)
        return (parts[1] or None) if len(parts) == 3 else None
    norm = normalize(project)
    egg = filename.lower().endswith(".egg")
    # the name may itself contain '-' (old sdists): find the split whose prefix is the project
    pieces = stem.split("-")
    for i in range(1, len(pieces)):
        if normalize("-".join(pieces[:i])) == norm:
            if egg:  # NAME-VERSION-pyX.Y[-PLATFORM].egg: '-' is escaped in the name and version
                return pieces[i] or None
            version = "-".join(pieces[i:])
            return re.sub(r"\.(linux|win|macosx|py\d).*$", "", version, flags=re.I) or None
    if egg:
        return (pieces[1] or None) if len(pieces) > 1 else None
    return stem.rsplit("-", 1)[1] if "-" in stem else None


def parse_time(value: Any) -> dt.datetime | None:
    """An aware UTC datetime from an ISO 8601 string, or None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


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


def _release_info(name: str, files: list[dict[str, Any]], extra_versions: list[Any], now: dt.datetime,
                  status: tuple[str | None, str | None], upload_times: bool) -> DistRelease:
    """A DistRelease from normalised file entries (filename, upload-time, yanked)."""
    first: dict[str, dt.datetime] = {}
    files_of: dict[str, int] = {}
    names_of: dict[str, list[str]] = {}
    requires_python: dict[str, str] = {}
    yanked_files: dict[str, int] = {}
    reasons: dict[str, str] = {}
    for f in files:
        version = version_of_file(f["filename"], name)
        if not version:
            continue
        files_of[version] = files_of.get(version, 0) + 1
        names_of.setdefault(version, []).append(f["filename"])
        if isinstance(f.get("requires-python"), str) and f["requires-python"].strip():
            requires_python[version] = f["requires-python"].strip()
        yanked = f.get("yanked", False)
        if yanked:
            yanked_files[version] = yanked_files.get(version, 0) + 1
            if isinstance(yanked, str) and yanked.strip():
                reasons[version] = yanked.strip()
        when = parse_time(f.get("upload-time"))
        if when is not None and (version not in first or when < first[version]):
            first[version] = when
    versions = set(files_of) | {v for v in extra_versions if isinstance(v, str)}
    releases = []
    for v in sorted(versions, key=sort_key):
        releases.append(Release(
            version=v, date=first.get(v),
            yanked=bool(files_of.get(v)) and yanked_files.get(v, 0) == files_of[v],
            yanked_reason=reasons.get(v), prerelease=is_prerelease(v)))
    live = [r for r in releases if not r.yanked]
    stable = [r for r in live if not r.prerelease and sort_key(r.version)[0] == 1]
    newest = stable[-1] if stable else (live[-1] if live and not live[-1].prerelease else None)
    pre = [r for r in live if r.prerelease]
    newest_pre = pre[-1] if pre and (newest is None or sort_key(pre[-1].version) > sort_key(newest.version)) else None
    cutoff = now - dt.timedelta(days=365)
    recent = sum(1 for t in first.values() if t >= cutoff)
    return DistRelease(
        name=name, ok=True, newest=newest, newest_prerelease=newest_pre,
        releases_last_365_days=recent, release_count=len(releases), project_status=status[0],
        project_status_reason=status[1], upload_times=upload_times, releases=tuple(releases),
        newest_files=tuple(names_of.get(newest.version, ())) if newest else (),
        newest_requires_python=requires_python.get(newest.version) if newest else None,
    )


def parse_project(name: str, data: Any, now: dt.datetime) -> DistRelease:
    """DistRelease from a JSON Simple API project page (or an HTML page from ``html_page``);
    ok=False with a reason on a wrong shape."""
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        return DistRelease(name, ok=False, error="the index answer is not a JSON Simple API project "
                                                 "page (no 'files' list)")
    files = [f for f in data["files"] if isinstance(f, dict) and isinstance(f.get("filename"), str)]
    versions = data.get("versions")
    # PEP 700 makes upload-time optional: a page whose files carry none (PEP 691 v1.0, most private
    # indexes) publishes no upload times, exactly like an HTML page
    published = data.get("upload-times") is not False and (
        not files or any(f.get("upload-time") is not None for f in files))
    return _release_info(name, files, versions if isinstance(versions, list) else [], now,
                         _project_status(data), upload_times=published)


def filename_of(href: str) -> str | None:
    """The file name pip reads from a link: the last path segment of the href, percent-decoded,
    without query or fragment (the link text is never read: nginx's autoindex shortens it)."""
    try:
        path = urlsplit(href).path
    except ValueError:
        return None
    name = unquote(posixpath.basename(path.rstrip("/")))
    return name if name not in ("", ".", "..") else None


class _Anchors(HTMLParser):
    """Collects PEP 503 anchors as pip reads them (href, data-yanked, data-requires-python) and
    the PEP 792 project status and reason from ``<meta>`` tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.files: list[dict[str, Any]] = []
        self.status: str | None = None
        self.reason: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a":
            filename = filename_of(values.get("href") or "")
            if filename is None:
                return
            entry: dict[str, Any] = {"filename": filename}
            if "data-yanked" in values:  # PEP 592: present means yanked; its value is the reason
                entry["yanked"] = values["data-yanked"] or True
            requires = values.get("data-requires-python")
            if requires is not None:
                entry["requires-python"] = requires  # HTMLParser already unescaped &lt; and &gt;
            self.files.append(entry)
        elif tag == "meta" and values.get("name") == "pypi:project-status":
            self.status = values.get("content")
        elif tag == "meta" and values.get("name") == "pypi:project-status-reason":
            self.reason = values.get("content")


def html_page(name: str, text: str) -> dict[str, Any]:
    """A PEP 503 HTML project page in the JSON page's shape (files with yanked flags and
    requires-python, no upload times, ``"upload-times": false``), so one parser and the cache
    serve both forms.

    Raises BadPage when the page lists no distribution file (a login page, a proxy's error page).
    """
    parser = _Anchors()
    try:
        parser.feed(text)
        parser.close()
    except Exception as exc:
        raise BadPage(f"the index answered HTML that cannot be parsed ({type(exc).__name__})") from exc
    files = [f for f in parser.files if version_of_file(f["filename"], name)]
    if not files:
        raise BadPage("the index answered an HTML page that lists no distribution files "
                      "(not a PEP 503 project page)")
    page: dict[str, Any] = {"name": name, "files": files, "upload-times": False}
    if parser.status:
        page["project-status"] = {"status": parser.status, **({"reason": parser.reason} if parser.reason else {})}
    return page


def trim(data: Any) -> Any:
    """Only the fields fwprobe reads (no URLs): what the cache stores and test fixtures hold."""
    if not isinstance(data, dict):
        return data
    keep: dict[str, Any] = {k: data[k] for k in ("name", "versions", "project-status", "upload-times")
                            if k in data}
    if isinstance(data.get("meta"), dict):
        keep["meta"] = {k: v for k, v in data["meta"].items() if k in ("api-version", "project-status")}
    if isinstance(data.get("files"), list):
        keep["files"] = [{k: f[k] for k in ("filename", "upload-time", "yanked", "requires-python") if k in f}
                         for f in data["files"] if isinstance(f, dict)]
    else:
        keep["files"] = data.get("files")
    return keep

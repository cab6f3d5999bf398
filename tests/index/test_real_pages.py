"""Real Simple API pages written by others (pypi-simple's corpus, nginx's autoindex, a real
pypiserver) served on 127.0.0.1, read as pip reads them; where pip can answer, pip is the oracle.
Sources and licences: tests/fixtures/simple/README.md."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fwprobe.index import IndexClient, html_page, parse_project
from fwprobe.index.simple import filename_of, version_of_file
from fwprobe.model import IndexErrorKind

NOW = dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc)
PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "simple"
ROOT = Path(__file__).resolve().parents[2]
JSON_TYPE = "application/vnd.pypi.simple.v1+json"


def _client(url: str, tmp_path: Path, **kw) -> IndexClient:
    return IndexClient(url, cache_dir=tmp_path / "cache", now=lambda: NOW, **kw)


def _serve(server, name: str, body: bytes, ctype: str | None) -> None:
    def answer(handler) -> None:
        handler.send_response(200)
        if ctype is not None:
            handler.send_header("Content-Type", ctype)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    server.routes[name] = answer


def _fetch(server, tmp_path: Path, project: str, page: str, ctype: str):
    _serve(server, project, (PAGES / page).read_bytes(), ctype)
    return _client(server.url, tmp_path, refresh=True).fetch(project)


@pytest.mark.parametrize("case", json.loads((PAGES / "filenames.json").read_text()),
                         ids=lambda c: c["filename"])
def test_versions_of_real_file_names_agree_with_pypi_simple(case: dict[str, str]) -> None:
    assert version_of_file(case["filename"], case["project"]) == case["version"]


def test_an_egg_gives_its_version_without_the_python_tag() -> None:
    assert version_of_file("Keras-0.2.0-py2.7.egg", "keras") == "0.2.0"


@pytest.mark.parametrize("href, name", [
    ("../../packages/82/fc/qypi-0.1.0-py3-none-any.whl#sha256=da69", "qypi-0.1.0-py3-none-any.whl"),
    ("tf_nightly-2.19.0.dev20241003%2Blocal-cp312-cp312-win_amd64.whl", "tf_nightly-2.19.0.dev20241003+local-cp312-cp312-win_amd64.whl"),
    ("/packages/pip-23.2.1-py3-none-any.whl?download=1#md5=0", "pip-23.2.1-py3-none-any.whl"),
    ("../", None), ("", None), ("http://[::1", None),
])
def test_the_file_name_is_the_hrefs_last_segment(href: str, name: str | None) -> None:
    assert filename_of(href) == name


def test_html_pages_of_the_public_index_like_pip(index_server, tmp_path: Path) -> None:
    r = _fetch(index_server, tmp_path, "qypi", "qypi.html", "text/html")
    assert r.ok and not r.upload_times
    assert [x.version for x in r.releases] == ["0.1.0", "0.1.0.post1", "0.2.0", "0.3.0", "0.4.0", "0.4.1"]
    assert r.newest.version == "0.4.1" and r.newest_requires_python == "~=3.4"
    assert r.newest_files == ("qypi-0.4.1-py3-none-any.whl", "qypi-0.4.1.tar.gz")


def test_pep_592_yanked_variants(index_server, tmp_path: Path) -> None:
    r = _fetch(index_server, tmp_path, "qypi", "qypi_mixed.html", "application/vnd.pypi.simple.v1+html")
    by = {x.version: x for x in r.releases}
    # both files yanked (one with a reason, one with data-yanked=""): the release is yanked
    assert by["0.1.0"].yanked and by["0.1.0"].yanked_reason == "Metadata was smelly"
    # a bare data-yanked on the wheel only: the sdist is still installable
    assert not by["0.1.0.post1"].yanked
    assert r.newest.version == "0.2.0" and r.newest_requires_python is None


def test_pep_792_status_and_reason_from_meta_tags(index_server, tmp_path: Path) -> None:
    r = _fetch(index_server, tmp_path, "qypi", "qypi-708.html", "text/html; charset=utf-8")
    assert (r.project_status, r.project_status_reason) == ("deprecated", "Dev is tired of project")
    assert r.newest_requires_python == "~=3.4"
    cached = _client(index_server.url, tmp_path, offline=True).fetch("qypi")  # the cache keeps both
    assert cached.from_cache and (cached.project_status_reason, cached.newest_requires_python) == (
        "Dev is tired of project", "~=3.4")


def test_the_same_status_from_json_and_html() -> None:
    page = json.loads((PAGES / "argset-708.json").read_text())
    from_json = parse_project("argset", page, NOW)
    from_html = parse_project("qypi", html_page("qypi", (PAGES / "qypi-708.html").read_text()), NOW)
    assert (from_json.project_status, from_json.project_status_reason) == (
        from_html.project_status, from_html.project_status_reason)


@pytest.mark.parametrize("page, project, versions", [
    ("devpi_devpi.html", "devpi", ["2.0.1", "2.0.2", "2.0.3", "2.1.0", "2.2.0"]),
    ("aws-adfs-ebsco.html", "aws-adfs-ebsco", ["0.3.6-2", "0.3.7-1"]),
])
def test_devpi_and_odd_versions(index_server, tmp_path: Path, page: str, project: str, versions: list[str]) -> None:
    r = _fetch(index_server, tmp_path, project, page, "text/html")
    assert r.ok and [x.version for x in r.releases] == versions


def test_a_json_page_without_upload_times_says_so(index_server, tmp_path: Path) -> None:
    from fwprobe.assess import assess_status
    from fwprobe.catalog import Thresholds, load_catalog

    bare = _fetch(index_server, tmp_path, "argset", "argset.json", JSON_TYPE)  # PEP 691 v1.0: no upload-time
    assert bare.ok and not bare.upload_times and bare.newest.version == "0.1.0" and bare.newest.date is None
    timed = parse_project("argset", json.loads((PAGES / "argset-700.json").read_text()), NOW)
    assert timed.upload_times and timed.newest.day.isoformat() == "2021-06-05"
    status = assess_status(load_catalog().get("theano"), {"theano": bare}, NOW.date(), Thresholds())
    assert "the index publishes no upload times" in status.evidence and "no release date known" not in status.evidence


def test_a_yanked_json_page(index_server, tmp_path: Path) -> None:
    r = _fetch(index_server, tmp_path, "yanked", "yanked.json", JSON_TYPE)
    assert r.ok and r.newest is None
    assert [(x.version, x.yanked, x.yanked_reason) for x in r.releases] == [("0.0.0", True, "not good")]


@pytest.mark.parametrize("ctype", ["application/json", "text/plain", "application/vnd.pypi.simple.latest+json", None])
def test_only_simple_api_content_types_are_read(index_server, tmp_path: Path, ctype: str | None) -> None:
    r = _fetch(index_server, tmp_path, "argset", "argset-700.json", ctype or "")
    assert not r.ok and r.error_kind is IndexErrorKind.BAD_RESPONSE
    assert r.error.startswith(f"not a Simple API page (Content-Type {ctype or 'missing'};")


def test_nginx_autoindex_capture_gives_every_long_name(index_server, tmp_path: Path) -> None:
    r = _fetch(index_server, tmp_path, "tf-nightly", "nginx-autoindex-tf-nightly.html", "text/html")
    assert r.ok and [x.version for x in r.releases] == [
        "2.19.0.dev20241001", "2.19.0.dev20241002", "2.19.0.dev20241003+local", "2.19.0.dev20241004"]


# ---- live servers: real nginx and real pypiserver, with pip's answer as the oracle ----

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_listening(port: int, proc: subprocess.Popen[bytes], what: str) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            pytest.fail(f"{what} exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    pytest.fail(f"{what} did not listen")


def _pip_versions(url: str, project: str) -> list[str]:
    """What `pip index versions` finds, with pip's own configuration and PIP_* variables left out."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    done = subprocess.run([sys.executable, "-m", "pip", "index", "versions", project, "--pre", "--index-url", url,
                           "--disable-pip-version-check", "--no-cache-dir"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    found = re.search(r"^Available versions: (.*)$", done.stdout, re.M)
    assert found, done.stdout
    return found.group(1).split(", ")


@pytest.fixture
def nginx(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Debian's nginx with autoindex on 127.0.0.1, serving a folder; skips when nginx is absent."""
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if binary is None:
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    root, work = tmp_path / "www", tmp_path / "nginx"
    root.mkdir()
    work.mkdir()
    port = _free_port()
    (work / "nginx.conf").write_text(f"""daemon off; master_process off; pid {work}/nginx.pid;
error_log {work}/error.log; events {{}}
http {{ access_log off; client_body_temp_path {work}/body; proxy_temp_path {work}/proxy;
  fastcgi_temp_path {work}/fcgi; uwsgi_temp_path {work}/uwsgi; scgi_temp_path {work}/scgi;
  server {{ listen 127.0.0.1:{port}; root {root}; autoindex on; }} }}
""")
    proc = subprocess.Popen([binary, "-p", str(work), "-e", str(work / "error.log"), "-c", str(work / "nginx.conf")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_listening(port, proc, "nginx")
        yield f"http://127.0.0.1:{port}/simple/", root
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_real_nginx_autoindex_agrees_with_pip(nginx: tuple[str, Path], tmp_path: Path) -> None:
    from packaging.tags import sys_tags

    url, root = nginx
    tag = str(next(iter(sys_tags())))  # wheels pip would install here, so pip lists their versions
    folder = root / "simple" / "tf-nightly"
    folder.mkdir(parents=True)
    names = [f"tf_nightly-2.19.0.dev2024100{i}-{tag}.whl" for i in (1, 2)]
    assert all(len(n) > 50 for n in names)  # nginx shortens these in the link text
    for n in names:
        (folder / n).write_bytes(b"")
    listing = subprocess.run([sys.executable, "-c", "import sys, urllib.request; "
                              "sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())",
                              url + "tf-nightly/"], capture_output=True, text=True, timeout=60).stdout
    assert "..&gt;</a>" in listing  # the shortened link text this test is about
    r = _client(url, tmp_path).fetch("tf-nightly")
    assert r.ok, r.error
    assert sorted(x.version for x in r.releases) == sorted(_pip_versions(url, "tf-nightly")) == [
        "2.19.0.dev20241001", "2.19.0.dev20241002"]


def _real_wheels() -> list[Path]:
    """Real wheels already on this machine: the ones ensurepip bundles, and Debian's python-wheels."""
    import ensurepip

    places = [Path(ensurepip.__file__).parent / "_bundled", Path("/usr/share/python-wheels")]
    return sorted(p for d in places if d.is_dir() for p in d.glob("*.whl"))


def _pypiserver() -> str | None:
    found = os.environ.get("FWPROBE_TEST_PYPISERVER") or str(ROOT / ".venv-pypiserver" / "bin" / "pypi-server")
    return found if os.path.exists(found) else shutil.which("pypi-server")


def test_real_pypiserver_with_real_wheels_agrees_with_pip(tmp_path: Path) -> None:
    server = _pypiserver()
    if server is None:
        pytest.skip("pypiserver is not installed (python3 -m venv .venv-pypiserver && "
                    ".venv-pypiserver/bin/pip install pypiserver)")
    wheels = _real_wheels()
    if not wheels:
        pytest.skip("no real wheel on this machine (ensurepip's or Debian's python-wheels)")
    packages = tmp_path / "packages"
    packages.mkdir()
    for w in wheels:
        shutil.copy(w, packages / w.name)
    port = _free_port()
    proc = subprocess.Popen([server, "run", "-p", str(port), "-i", "127.0.0.1", "--disable-fallback", str(packages)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_listening(port, proc, "pypiserver")
        url = f"http://127.0.0.1:{port}/simple/"
        projects = sorted({w.name.split("-")[0] for w in wheels})
        results = _client(url, tmp_path).fetch_many(projects)
        for project in projects:
            r = results[project]
            assert r.ok and not r.upload_times, r.error
            expected = sorted(w.name.split("-")[1] for w in wheels if w.name.split("-")[0] == project)
            assert sorted(x.version for x in r.releases) == expected
            assert sorted(x.version for x in r.releases) == sorted(_pip_versions(url, project))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_real_pages_carry_no_absolute_url() -> None:
    for path in PAGES.iterdir():
        if not path.name.startswith("LICENSE"):
            assert "://" not in path.read_text(), path.name

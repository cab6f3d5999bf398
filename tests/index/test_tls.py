"""TLS against an HTTPS index on 127.0.0.1: a custom CA bundle is loaded once per session,
and verification (chain and host name) is exactly as strict as requests' own."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from fakes.index_server import IndexServer
from fwprobe.index import IndexClient

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")


def _self_signed(directory: Path, name: str) -> tuple[str, str]:
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return str(cert), str(key)


@pytest.fixture
def https_index(tmp_path: Path):
    cert, key = _self_signed(tmp_path, "server")
    server = IndexServer(tls=(cert, key))
    yield server, cert
    server.close()


def test_custom_ca_bundle_is_trusted_and_loaded_once(https_index, tmp_path: Path, monkeypatch) -> None:
    server, cert = https_index
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", cert)
    client = IndexClient(server.url, cache_dir=tmp_path / "c")
    out = client.fetch_many(["activeproj", "silentproj", "archivedproj", "forkproj"])
    assert all(r.ok for r in out.values()), out
    adapter = client._get_session().get_adapter(server.url)
    assert list(adapter._contexts) == [cert]


def test_an_untrusted_certificate_is_refused_with_advice(https_index, tmp_path: Path, monkeypatch) -> None:
    server, _ = https_index
    other, _ = _self_signed(tmp_path, "other")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", other)
    r = IndexClient(server.url, cache_dir=tmp_path / "c").fetch("activeproj")
    assert not r.ok and "TLS certificate verification failed" in r.error and "REQUESTS_CA_BUNDLE" in r.error


def test_a_host_name_mismatch_is_refused(https_index, tmp_path: Path, monkeypatch) -> None:
    server, cert = https_index
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", cert)
    url = f"https://localhost:{server.port}/simple/"  # the certificate names only 127.0.0.1
    r = IndexClient(url, cache_dir=tmp_path / "c").fetch("activeproj")
    assert not r.ok and "TLS certificate verification failed" in r.error


def test_status_advises_on_tls_by_the_error_kind(https_index, tmp_path: Path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from fakes.catalogs import STATUS_CATALOG
    from fwprobe.cli import app
    from fwprobe.model import IndexErrorKind

    server, _ = https_index
    other, _ = _self_signed(tmp_path, "other")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", other)
    assert IndexClient(server.url, cache_dir=tmp_path / "c").fetch("activeproj").error_kind is IndexErrorKind.TLS
    catalog = tmp_path / "c.toml"
    catalog.write_text(STATUS_CATALOG)
    result = CliRunner().invoke(app, ["status", "--index-url", server.url, "--catalog", str(catalog), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "TLS verification failed: behind a proxy that re-signs HTTPS, set REQUESTS_CA_BUNDLE" in result.stderr

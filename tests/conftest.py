"""Fixtures for the whole suite; the fakes themselves live in the importable ``fakes`` package."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from fakes.catalogs import FAKE_CATALOG, STATUS_CATALOG
from fakes.index_server import IndexServer
from fakes.nvidia import NVIDIA_SMI


@pytest.fixture
def fake_catalog(tmp_path: Path):
    from fwprobe.catalog import load_catalog

    path = tmp_path / "catalog.toml"
    path.write_text(FAKE_CATALOG)
    return load_catalog(path)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty directory put on the target's sys.path through PYTHONPATH."""
    d = tmp_path / "site"
    d.mkdir()
    monkeypatch.setenv("PYTHONPATH", str(d))
    return d



@pytest.fixture
def fake_nvidia_smi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake ``nvidia-smi`` first on PATH: 2 A100s, driver 550.54.15 supporting CUDA 12.4."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    smi = bindir / "nvidia-smi"
    smi.write_text(NVIDIA_SMI)
    smi.chmod(smi.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    return smi


@pytest.fixture
def no_gpu_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PATH without nvidia-smi or nvcc (only the test interpreter's own bin dir)."""
    bindir = tmp_path / "emptybin"
    bindir.mkdir()
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{Path(sys.executable).parent}")
    monkeypatch.delenv("CUDA_HOME", raising=False)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the user's cache, index settings or CUDA_VISIBLE_DEVICES."""
    monkeypatch.setenv("FWPROBE_CACHE_DIR", str(tmp_path / "cache"))
    # the target a test means is named with --python / ScanOptions(python=...); without one, the
    # checkout's .venv (the test interpreter) is what the cwd rule finds
    for var in ("VIRTUAL_ENV", "CONDA_PREFIX"):
        monkeypatch.delenv(var, raising=False)
    for var in ("FWPROBE_INDEX_URL", "PIP_INDEX_URL", "CUDA_VISIBLE_DEVICES", "TF_USE_LEGACY_KERAS",
                "GITHUB_ACTIONS"):
        monkeypatch.delenv(var, raising=False)


# --- a package index on 127.0.0.1 --------------------------------------------------------------


@pytest.fixture
def index_server():
    server = IndexServer()
    yield server
    server.close()



@pytest.fixture
def status_catalog(tmp_path: Path):
    from fwprobe.catalog import load_catalog

    path = tmp_path / "status-catalog.toml"
    path.write_text(STATUS_CATALOG)
    return load_catalog(path)

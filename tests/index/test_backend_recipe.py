"""CONTRIBUTING's "add an index backend", followed once: a source that is not the HTTP client
(here an in-memory one, as a backend reading a database or an internal API would be) drives
scan and status through the ReleaseSource protocol alone."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable
from pathlib import Path

from fakes.catalogs import FAKE_CATALOG
from fakes.frameworks import FAKE_TORCH_CPU, write_module
from fwprobe.catalog import load_catalog, normalize
from fwprobe.core import ScanOptions, scan, status_report
from fwprobe.index import ReleaseSource
from fwprobe.model import DistRelease, IndexErrorKind, Release

NOW = dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc)


class InMemorySource:
    """A backend with two answers: torch, active; anything else, not found (as data)."""

    display_url = "memory://releases"
    offline = False

    def __init__(self) -> None:
        self.asked: list[str] = []

    def fetch_many(self, names: Iterable[str], with_meta: bool = False) -> dict[str, DistRelease]:
        out = {}
        for name in names:
            key = normalize(name)
            self.asked.append(key)
            if key == "torch":
                releases = (Release("2.5.1", NOW - dt.timedelta(days=400)), Release("2.9.0", NOW - dt.timedelta(days=20)))
                out[key] = DistRelease(key, True, newest=releases[-1], releases_last_365_days=1, release_count=2,
                                       releases=releases)
            else:
                out[key] = DistRelease(key, False, error="not in this backend", error_kind=IndexErrorKind.NOT_FOUND)
        return out


def test_the_protocol_is_all_a_backend_needs(site: Path, tmp_path: Path) -> None:
    source: ReleaseSource = InMemorySource()  # mypy: the protocol is satisfied by a plain class
    catalog_path = tmp_path / "cat.toml"
    catalog_path.write_text(FAKE_CATALOG)
    catalog = load_catalog(catalog_path)
    write_module(site, "torch", FAKE_TORCH_CPU, "torch", "2.5.1")
    report = scan(catalog, ScanOptions(python=sys.executable, frameworks=("torch", "jax"), keep_pythonpath=True),
                  index=source, today=NOW)
    torch, jax = report.frameworks
    assert report.index_url == "memory://releases"
    assert torch.status is not None and torch.status.observed.value == "active"
    assert torch.status.newest is not None and torch.status.newest.version == "2.9.0"
    assert torch.status.installed_behind == 1
    assert jax.status is not None and jax.status.observed.value == "unknown" and "not in this backend" in jax.status.evidence
    status = status_report(catalog, source, ["torch"], today=NOW)
    assert status.frameworks[0].status is not None and status.frameworks[0].status.verdict.value == "confirmed"
    assert "torch" in source.asked  # type: ignore[attr-defined]


def test_a_scan_asks_only_what_it_judges_and_status_the_claims_too() -> None:
    """The shipped catalog's PyTorch claims name torchtext: `status` asks the index about it, a
    scan (which judges no claim) does not spend a request on it."""
    catalog = load_catalog()
    scanned = InMemorySource()
    scan(catalog, ScanOptions(python=sys.executable, frameworks=("pytorch",), do_import=False), index=scanned,
         today=NOW)
    assert "torch" in scanned.asked and "torchtext" not in scanned.asked
    statused = InMemorySource()
    status_report(catalog, statused, ["pytorch"], today=NOW)
    assert "torchtext" in statused.asked

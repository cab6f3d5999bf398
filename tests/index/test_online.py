"""Opt-in checks against the real default package index: pytest -m online."""

from __future__ import annotations

import pytest

from fwprobe.catalog import load_catalog
from fwprobe.core import status_report
from fwprobe.index import IndexClient, resolve_index_url
from fwprobe.model import Status, Verdict

pytestmark = pytest.mark.online


def test_theano_is_unmaintained_with_an_active_fork_and_torch_is_active(tmp_path) -> None:
    client = IndexClient(resolve_index_url(), cache_dir=tmp_path, refresh=True)
    report = status_report(load_catalog(), client, ["theano", "torch"])
    theano, torch = report.frameworks
    assert theano.status.observed is Status.UNMAINTAINED, theano.status.evidence
    assert theano.status.newest.version == "1.0.5"
    assert any(f.status is Status.ACTIVE for f in theano.status.forks), theano.status.forks
    assert theano.status.verdict is Verdict.CONFIRMED
    assert torch.status.observed is Status.ACTIVE, torch.status.evidence
    assert torch.status.verdict is Verdict.CONFIRMED

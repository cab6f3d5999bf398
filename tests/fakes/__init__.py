"""Test doubles shared by the whole suite, importable as ``fakes`` (pytest puts tests/ on sys.path).

- ``frameworks``: fake torch / tensorflow / jax packages shaped like the real APIs, and writers
  for packages and ``*.dist-info`` directories
- ``catalogs``: small catalogs naming those fakes and the index fixtures
- ``nvidia``: a fake ``nvidia-smi``
- ``index_server``: a package index on 127.0.0.1 serving tests/fixtures/index
- ``reports``: a builder for reports, so a diagnosis rule is unit-tested without processes
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

"""PEP 440 versions as fwprobe reads them, for the index client and the assessment alike (one
floor below both): parsing that never raises, pre-release detection, and a sort order that puts
non-PEP 440 versions first. Imports packaging when first called."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from packaging.version import Version


def parse_version(text: str | None) -> Version | None:
    """A PEP 440 Version, or None when ``text`` is empty or not PEP 440."""
    from packaging.version import InvalidVersion, Version

    if not text:
        return None
    try:
        return Version(text)
    except InvalidVersion:
        return None


def is_prerelease(text: str) -> bool:
    """A pre- or dev-release (``2.22.0rc0``, ``1.0.dev3``); False for a non-PEP 440 version."""
    v = parse_version(text)
    return v is not None and (v.is_prerelease or v.is_devrelease)


def sort_key(text: str) -> tuple[int, Any]:
    """Oldest first: non-PEP 440 versions (as text) before every valid one."""
    v = parse_version(text)
    return (1, v) if v is not None else (0, text)

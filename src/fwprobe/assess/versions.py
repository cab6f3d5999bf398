"""Version helpers: parsing, release tuples, how far an installed version is behind. Pure."""

from __future__ import annotations

import re

from packaging.version import Version

from fwprobe.model import DistRelease, Release
from fwprobe.pep440 import parse_version

__all__ = ["installed_release", "parse_version", "release_tuple", "releases_behind"]


def release_tuple(text: str | None) -> tuple[int, int] | None:
    """(major, minor) from the start of a version string ("12.4", "2.17.0rc1"), or None."""
    m = re.match(r"(\d+)\.(\d+)", text or "")
    return (int(m.group(1)), int(m.group(2))) if m else None


def releases_behind(installed: str, info: DistRelease) -> int | None:
    """How many non-yanked stable releases are newer than ``installed``; None if unparsable."""
    mine = parse_version(installed)
    if mine is None:
        return None
    mine_public = Version(mine.public)
    count = 0
    for rel in info.releases:
        v = parse_version(rel.version)
        if v is not None and not v.is_prerelease and not rel.yanked and v > mine_public:
            count += 1
    return count


def installed_release(installed: str, info: DistRelease) -> Release | None:
    """The index's record of the installed version (local labels like +cpu ignored)."""
    mine = parse_version(installed)
    for rel in info.releases:
        v = parse_version(rel.version)
        if (mine is not None and v is not None and v == Version(mine.public)) or rel.version == installed:
            return rel
    return None

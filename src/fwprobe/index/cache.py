"""The on-disk cache of trimmed index answers: one JSON file per distribution, written atomically.

Two fwprobe processes may refresh it at once: each writes a private temp file and renames it over
the entry, so a reader sees the old entry or the new one, never half of one. An entry that is
torn, foreign (not written by fwprobe) or from the future is ignored and replaced.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

FORMAT = "fwprobe.cache/1"


def default_cache_dir() -> Path:
    env = os.environ.get("FWPROBE_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("fwprobe"))


class Cache:
    """Trimmed answers under ``root``; every failure to read or write is a miss, never an error."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, name: str) -> Path:
        return self.root / f"{name}.json"

    def read(self, name: str) -> tuple[Any, float] | None:
        """(data, fetched_at) or None when absent, unreadable, foreign or torn."""
        try:
            entry = json.loads(self.path(name).read_text(encoding="utf-8"))
            if entry.get("format") != FORMAT:
                return None
            fetched = float(entry["fetched_at"])
            data = entry["data"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # corrupted or foreign: ignored, and replaced by the next successful fetch
        if not isinstance(data, dict) or not 0 < fetched <= time.time() + 60:
            return None
        return data, fetched

    def exists(self, name: str) -> bool:
        return self.path(name).exists()

    def write(self, name: str, data: Any, index: str) -> None:
        path = self.path(name)
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{name}.", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"format": FORMAT, "fetched_at": time.time(), "index": index, "data": data}, handle)
            os.replace(tmp, path)
            tmp = None
        except OSError:
            pass  # a read-only cache dir costs speed, not correctness
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass

"""The package index client, one module per job:

- ``config``: which index (--index-url, FWPROBE_INDEX_URL, pip's configuration, pip's default)
- ``redact``: exact removal of the URL's secrets from anything shown
- ``simple``: Simple API project pages (JSON and HTML) -> DistRelease; pure
- ``cache``: the on-disk cache, atomic
- ``http``: the session and a download bounded in time and size
- ``client``: IndexClient (concurrency, retries, cache, offline), behind ``ReleaseSource``
"""

from __future__ import annotations

from fwprobe.index.client import (
    CACHE_TTL_SECONDS,
    DEFAULT_TIMEOUT,
    MAX_RETRY_AFTER,
    IndexClient,
    ReleaseSource,
    retry_delay,
)
from fwprobe.index.config import IndexConfigError, pip_config_files, pip_config_value, pip_default, resolve_index_url
from fwprobe.index.http import MAX_ANSWER_BYTES
from fwprobe.index.redact import redact, scrub
from fwprobe.index.simple import html_page, parse_project, trim

__all__ = [
    "CACHE_TTL_SECONDS", "DEFAULT_TIMEOUT", "MAX_ANSWER_BYTES", "MAX_RETRY_AFTER", "IndexClient",
    "IndexConfigError", "ReleaseSource", "html_page", "parse_project", "pip_config_files",
    "pip_config_value", "pip_default", "redact", "resolve_index_url", "retry_delay", "scrub", "trim",
]

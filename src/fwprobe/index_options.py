"""The package-index options every index-using command shares (scan, check, status), and the
one line of advice when the index gave nothing at all.

Kept outside ``fwprobe.index`` on purpose: importing that package loads the HTTP client
(requests, ~70 ms), which a command pays for only once it makes a client.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fwprobe.errors import UsageError

if TYPE_CHECKING:
    from fwprobe.index import IndexClient
    from fwprobe.model import Report


@dataclass(frozen=True)
class IndexOptions:
    disabled: bool = False
    url: str | None = None
    offline: bool = False
    refresh: bool = False
    timeout: float = 15.0

    def __post_init__(self) -> None:
        if self.timeout <= 0:  # here, before a scan starts any work
            raise UsageError("--index-timeout must be a positive number of seconds")

    def client(self, required: bool, warn: Callable[[str], None]) -> IndexClient | None:
        """The client; when not ``required`` (scan, check) a missing configuration is a warning
        (through ``warn``) and the report simply has no release columns."""
        if self.disabled:
            return None  # before importing the index client: --no-index pays nothing for it
        from fwprobe.index import IndexClient, IndexConfigError, resolve_index_url

        try:
            url = resolve_index_url(self.url)
        except IndexConfigError as exc:
            if required or self.url:
                raise
            warn(f"warning: {exc}; continuing without release status (--no-index)")
            return None
        return IndexClient(url, offline=self.offline, refresh=self.refresh, timeout=self.timeout)


def advice(report: Report, without_index: str = ", or --no-index") -> str | None:
    """What to do when no distribution could be fetched at all, or None (``status``, which has
    no --no-index, passes ``without_index=""``)."""
    from fwprobe.model import IndexErrorKind

    answers = [i for r in report.frameworks for i in r.index]
    if not answers or any(i.ok for i in answers):
        return None
    kinds = {i.error_kind for i in answers}
    if kinds & {IndexErrorKind.UNREACHABLE, IndexErrorKind.TIMEOUT}:
        return ("the package index did not answer (in time): your network may block it; try --offline "
                f"(cached answers), a longer --index-timeout{without_index}")
    if IndexErrorKind.NOT_CACHED in kinds:
        return "nothing is cached yet for --offline: run once with network access"
    if IndexErrorKind.TLS in kinds:
        return "TLS verification failed: behind a proxy that re-signs HTTPS, set REQUESTS_CA_BUNDLE"
    return None

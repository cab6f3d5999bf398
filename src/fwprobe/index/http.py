"""HTTP for the index: one requests session, and a download that is bounded in time and size.

Every request has a deadline for the whole answer (not per read: a server that trickles one byte
a second still ends at the deadline), and the body is read as a stream and abandoned past a size
cap, counted both on the wire and after decompression (gzip and deflate: raw bytes are read from
the socket, never decoded by urllib3, and inflated here a bounded step at a time, so a bomb of any
size and ratio costs the cap plus one step). Failures raise FetchError with
a typed kind. Redirects are followed here (requests would read each redirect's whole body), at
most MAX_REDIRECTS, and carry the URL's credentials only to the same host (tested).
"""

from __future__ import annotations

import os
import time
import zlib
from typing import Any

from fwprobe.index.simple import HTML_TYPES, JSON_TYPE
from fwprobe.model import IndexErrorKind

ACCEPT = f"{JSON_TYPE}, {HTML_TYPES[0]};q=0.2, text/html;q=0.1"
# Real JSON project pages measured on 2026-11-24 through this machine's index: torch 0.42 MB,
# tensorflow 0.78 MB, tf-nightly 1.11 MB (2,388 files), jaxlib 0.39 MB. The cap allows 57 times
# the largest; parsing a page at the cap peaks at about 300 MB of memory (measured).
MAX_ANSWER_BYTES = 64 * 2**20
CHUNK = 64 * 1024
INFLATE_STEP = 256 * 1024  # the most one decompress call may produce
CONNECT_TIMEOUT = 5.0
MAX_REDIRECTS = 5


class FetchError(Exception):
    """One request failed; ``kind`` says how, the message says it for people."""

    def __init__(self, kind: IndexErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def new_session(user_agent: str, pool_size: int) -> Any:
    import requests
    from requests.adapters import HTTPAdapter

    class Session(requests.Session):
        def get_redirect_target(self, resp: Any) -> None:
            # requests reads a redirect's whole body before following it (even with
            # allow_redirects=False, to prepare Response.next): fwprobe follows redirects itself
            return None

    session = Session()
    adapter = shared_tls_adapter(HTTPAdapter)(pool_connections=4, pool_maxsize=pool_size, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.max_redirects = MAX_REDIRECTS
    # only encodings fwprobe decodes itself, with a bound (not br/zstd, whatever is installed)
    session.headers.update({"Accept": ACCEPT, "User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"})
    return session


class Answer:
    """A complete 200 answer: content type and decoded body."""

    def __init__(self, status: int, content_type: str, body: bytes, headers: Any) -> None:
        self.status, self.content_type, self.body, self.headers = status, content_type, body, headers


def too_slow(deadline_seconds: float) -> FetchError:
    return FetchError(IndexErrorKind.TIMEOUT,
                      f"the index answered too slowly: no complete answer within {deadline_seconds:g} s")


def get(session: Any, url: str, deadline: float, budget: float, max_bytes: int = MAX_ANSWER_BYTES) -> Answer:
    """GET ``url``, finished by ``deadline`` (a time.monotonic() value) and within ``max_bytes``.

    Redirects are followed here, not by requests (which reads a redirect's whole body into
    memory): at most MAX_REDIRECTS, no redirect body read, and the URL's credentials carried
    only to the same host. ``budget`` is the deadline's length in seconds, for messages.
    Raises FetchError.
    """
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        response = _send(session, current, deadline, budget)
        with response:
            location = response.headers.get("Location")
            if response.status_code in (301, 302, 303, 307, 308) and location:
                try:
                    current = _redirect_target(url, current, location)
                except ValueError as exc:  # urljoin/urlsplit refuse it: a reason, like any malformed Location
                    raise FetchError(IndexErrorKind.BAD_RESPONSE,
                                     f"the index redirected to a malformed URL ({short(exc)})") from exc
                continue  # leaving the block closes the redirect unread
            if response.status_code != 200:
                return Answer(response.status_code, response.headers.get("Content-Type", ""), b"", response.headers)
            body = _read_body(response, deadline, budget, max_bytes)
            return Answer(200, response.headers.get("Content-Type", ""), body, response.headers)
    raise FetchError(IndexErrorKind.BAD_RESPONSE, f"the index redirected more than {MAX_REDIRECTS} times (a redirect loop?)")


def _redirect_target(original: str, current: str, location: str) -> str:
    """Where a redirect points; the original URL's user-info goes along only to the same host."""
    from urllib.parse import urljoin, urlsplit, urlunsplit

    target = urljoin(current, location)
    first, nxt = urlsplit(original), urlsplit(target)
    if "@" in first.netloc and "@" not in nxt.netloc and nxt.hostname == first.hostname \
            and (nxt.port or nxt.scheme) == (first.port or first.scheme):
        userinfo = first.netloc.rsplit("@", 1)[0]
        target = urlunsplit((nxt.scheme, f"{userinfo}@{nxt.netloc}", nxt.path, nxt.query, nxt.fragment))
    return target


def _send(session: Any, url: str, deadline: float, budget: float) -> Any:
    import requests

    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise too_slow(budget)
    try:
        return session.get(url, stream=True, allow_redirects=False,
                           timeout=(min(CONNECT_TIMEOUT, remaining), remaining))
    except requests.exceptions.SSLError as exc:
        raise FetchError(IndexErrorKind.TLS, f"TLS certificate verification failed ({short(exc)}); if a proxy "
                         "re-signs HTTPS traffic, point REQUESTS_CA_BUNDLE at its CA bundle") from exc
    except requests.Timeout as exc:
        raise too_slow(budget) from exc
    except requests.ConnectionError as exc:
        raise FetchError(IndexErrorKind.UNREACHABLE, f"cannot reach the index: {short(exc)}") from exc
    except (requests.RequestException, ValueError) as exc:  # ValueError: a malformed Location
        raise FetchError(IndexErrorKind.BAD_RESPONSE, f"request failed: {short(exc)}") from exc


class _Inflater:
    """gzip or deflate, inflated at most INFLATE_STEP bytes per call into ``out``, so memory stays
    near the cap whatever the compression ratio (one 64 KB read of a bomb inflates to 64 MB)."""

    def __init__(self, encoding: str, out: bytearray, max_bytes: int, too_large: FetchError) -> None:
        self.gzip = encoding == "gzip"
        self.out, self.max_bytes, self.too_large = out, max_bytes, too_large
        self.decoder = self._new()

    def _new(self) -> Any:
        # deflate is zlib-wrapped, as the HTTP spec says
        return zlib.decompressobj(16 + zlib.MAX_WBITS if self.gzip else zlib.MAX_WBITS)

    def feed(self, data: bytes) -> None:
        while data:
            room = self.max_bytes + 1 - len(self.out)  # one byte past the cap proves it too large
            piece = self.decoder.decompress(data, min(INFLATE_STEP, room))
            self.out += piece
            if len(self.out) > self.max_bytes:
                raise self.too_large
            if self.decoder.eof:
                data = self.decoder.unused_data
                if not self.gzip or not data:
                    return  # what follows a deflate stream is ignored, as urllib3 does
                self.decoder = self._new()  # a gzip body may hold several members (RFC 1952)
            elif not piece and self.decoder.unconsumed_tail == data:
                return  # no progress: zlib needs more input
            else:
                data = self.decoder.unconsumed_tail

    def finish(self) -> None:
        if self.decoder.unconsumed_tail:  # flush() would inflate it whole: never reached, feed() drains it
            raise FetchError(IndexErrorKind.BAD_RESPONSE, "the index sent a corrupt compressed answer")
        self.out += self.decoder.flush()  # output still held for input already consumed: a few bytes
        if len(self.out) > self.max_bytes:
            raise self.too_large


def _decoder(encoding: str) -> str | None:
    """The encoding fwprobe inflates itself ("gzip" or "deflate"), None for none; FetchError else."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return "gzip"
    if encoding == "deflate":
        return "deflate"
    raise FetchError(IndexErrorKind.BAD_RESPONSE, f"the index answered with an unsupported content "
                     f"encoding {encoding!r} (fwprobe asks for gzip or deflate)")


def _read_body(response: Any, deadline: float, budget: float, max_bytes: int) -> bytes:
    import requests
    from urllib3.exceptions import ProtocolError, ReadTimeoutError

    too_large = FetchError(IndexErrorKind.TOO_LARGE, f"answer larger than {max_bytes / 2**20:g} MB")
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise too_large
    encoding = _decoder(response.headers.get("Content-Encoding", ""))
    raw = response.raw
    out = bytearray()
    inflater = _Inflater(encoding, out, max_bytes, too_large) if encoding else None
    wire = 0
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise too_slow(budget)
            _set_read_timeout(raw, remaining)
            chunk = raw.read1(CHUNK, decode_content=False)  # at most one recv: the deadline holds
            if not chunk:
                break
            wire += len(chunk)
            if wire > max_bytes:
                raise too_large
            if inflater is None:
                out += chunk
            else:
                inflater.feed(chunk)
            if len(out) > max_bytes:
                raise too_large
        if inflater is not None:
            inflater.finish()
    except zlib.error as exc:
        raise FetchError(IndexErrorKind.BAD_RESPONSE, f"the index sent a corrupt compressed answer ({exc})") from exc
    except (TimeoutError, OSError, requests.RequestException, ReadTimeoutError, ProtocolError) as exc:
        # urllib3 wraps a raw read's socket errors: a read timeout, or "Connection broken" (reset, cut short)
        if time.monotonic() >= deadline - 0.05:
            raise too_slow(budget) from exc
        raise FetchError(IndexErrorKind.UNREACHABLE, f"the connection broke while reading: {short(exc)}") from exc
    except Exception as exc:
        if isinstance(exc, FetchError):
            raise
        raise FetchError(IndexErrorKind.BAD_RESPONSE, f"the answer could not be read: {short(exc)}") from exc
    return bytes(out)


def _set_read_timeout(raw: Any, seconds: float) -> None:
    """Bound the next recv by the time left, so no single read can outlive the deadline."""
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    if sock is not None:
        try:
            sock.settimeout(max(seconds, 0.001))
        except OSError:
            pass


def short(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) < 300 else text[:297] + "..."


def shared_tls_adapter(base: Any) -> Any:
    """An HTTPAdapter subclass that loads a custom CA bundle (REQUESTS_CA_BUNDLE, verify=path)
    once per session instead of once per connection.

    requests hands the bundle path to urllib3, which calls load_verify_locations for every new
    connection: ~45 ms of CPU each here, serialised, which made 8 concurrent requests slower
    than 4. Verification itself is unchanged: CERT_REQUIRED, same bundle, urllib3's hostname
    check. Uses requests' documented hook, build_connection_pool_key_attributes (>= 2.32).
    """
    import ssl
    import threading

    from urllib3.util.ssl_ import create_urllib3_context

    class SharedTLSAdapter(base):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self._contexts: dict[str, ssl.SSLContext] = {}
            self._lock = threading.Lock()
            super().__init__(*args, **kwargs)

        def _context(self, path: str) -> ssl.SSLContext:
            with self._lock:
                if path not in self._contexts:
                    ctx = create_urllib3_context(cert_reqs=ssl.CERT_REQUIRED)
                    if os.path.isdir(path):
                        ctx.load_verify_locations(capath=path)
                    else:
                        ctx.load_verify_locations(cafile=path)
                    self._contexts[path] = ctx
                return self._contexts[path]

        def build_connection_pool_key_attributes(self, request: Any, verify: Any, cert: Any = None) -> Any:
            host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
            if isinstance(verify, str) and os.path.exists(verify):
                pool_kwargs.pop("ca_certs", None)
                pool_kwargs.pop("ca_cert_dir", None)
                pool_kwargs["ssl_context"] = self._context(verify)
            return host_params, pool_kwargs

        def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
            super().cert_verify(conn, url, verify, cert)
            if isinstance(verify, str) and verify in self._contexts:
                conn.ca_certs = None  # the pool's shared context already trusts this bundle
                conn.ca_cert_dir = None

    return SharedTLSAdapter

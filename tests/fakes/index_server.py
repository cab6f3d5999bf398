"""A package index on 127.0.0.1 serving the trimmed fixtures in tests/fixtures/index."""

from __future__ import annotations

from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "index"


class IndexServer:
    """Serves tests/fixtures/index/<name>.json as JSON Simple API pages under /simple/<name>/.

    ``/pypi/<name>/json`` serves tests/fixtures/index/json/<name>.json (the per-project JSON,
    trimmed to the ``info`` fields fwprobe reads), 404 when absent.
    Special names: ``flaky`` answers 500 once, then 200; ``ratelimited`` 429 twice, then 200; ``slowproj`` answers after 3 s;
    ``htmlproj`` answers text/html. Counts requests per name. ``routes[name] = fn(handler)``
    replaces the answer for one name (a test's hostile server: drips, bombs, redirects);
    ``routes["json:NAME"]`` that of its per-project JSON.
    """

    def __init__(self, tls: tuple[str, str] | None = None) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        server_self = self
        self.counts: dict[str, int] = {}
        self.auth: list[str | None] = []
        self.routes: dict[str, Any] = {}

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                import time as _time

                parts = [p for p in self.path.split("/") if p]
                if len(parts) >= 3 and parts[-3] == "pypi" and parts[-1] == "json":  # per-project JSON
                    meta = FIXTURES / "json" / f"{parts[-2]}.json"
                    server_self.counts[f"json:{parts[-2]}"] = server_self.counts.get(f"json:{parts[-2]}", 0) + 1
                    if f"json:{parts[-2]}" in server_self.routes:
                        return server_self.routes[f"json:{parts[-2]}"](self)
                    if not meta.exists():
                        return self._send(404, b"not found", "text/plain")
                    return self._send(200, meta.read_bytes(), "application/json")
                name = parts[-1] if parts else ""
                server_self.counts[name] = server_self.counts.get(name, 0) + 1
                server_self.auth.append(self.headers.get("Authorization"))
                if name in server_self.routes:
                    try:
                        return server_self.routes[name](self)
                    except (BrokenPipeError, ConnectionResetError):
                        return None  # the client gave up, as it should
                if name == "flaky" and server_self.counts[name] == 1:
                    return self._send(500, b"oops", "text/plain")
                if name == "ratelimited":
                    if server_self.counts[name] <= 2:
                        return self._send(429, b"slow down", "text/plain", {"Retry-After": "0"})
                    name = "flaky"
                if name == "slowproj":
                    _time.sleep(3)
                if name == "htmlproj":
                    return self._send(200, b"<html></html>", "text/html")
                path = FIXTURES / f"{name}.json"
                if not path.exists():
                    return self._send(404, b"not found", "text/plain")
                self._send(200, path.read_bytes(), "application/vnd.pypi.simple.v1+json")

            def _send(self, code: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
                self.send_response(code)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        scheme = "http"
        if tls is not None:  # (certfile, keyfile): serve HTTPS
            import ssl

            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
            scheme = "https"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.port = self.httpd.server_address[1]
        self.url = f"{scheme}://127.0.0.1:{self.port}/simple/"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

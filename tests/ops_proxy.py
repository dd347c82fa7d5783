"""Helpers for the multi-instance test: a tiny HTTP client that behaves like a browser behind a
TLS proxy, and a TCP relay that can cut an instance off from its database and let it back."""
from __future__ import annotations

import http.client
import socket
import threading
from dataclasses import dataclass
from urllib.parse import urlencode


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str


class Client:
    """Requests as a browser sends them through the HTTPS proxy: X-Forwarded-Proto https (the app
    trusts one proxy), a same-origin Referer (CSRF's strict check under https), and the cookies,
    which are Secure and so kept here by hand rather than by a cookie jar that refuses plain HTTP."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None, forwarded_for: str = "10.9.9.9"):
        self.port = port
        self.cookies = cookies if cookies is not None else {}
        self.forwarded_for = forwarded_for

    def get(self, path: str, headers: dict | None = None) -> Answer:
        return self.request("GET", path, None, headers)

    def request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None) -> Answer:
        origin = f"https://127.0.0.1:{self.port}"
        h = {"X-Forwarded-Proto": "https", "X-Forwarded-For": self.forwarded_for,
             "Referer": origin + "/", "User-Agent": "Mozilla/5.0 (X11; Linux) Firefox/128.0"}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            h["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=h | (headers or {}))
            r = conn.getresponse()
            text = r.read().decode("utf-8", "replace")
            for line in r.headers.get_all("Set-Cookie") or []:
                name, _, rest = line.partition("=")
                value = rest.split(";", 1)[0]
                if "expires=thu, 01 jan 1970" in line.lower() or "max-age=0" in line.lower():
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = value
            return Answer(r.status, {k: v for k, v in r.getheaders()}, text)
        finally:
            conn.close()


class TcpRelay:
    """Forwards a local port to the database. stop() closes the port and every relayed connection
    (the instance sees its database vanish); start() opens the same port again."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.start()

    def start(self) -> None:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(64)
        self._listener = s
        threading.Thread(target=self._accept, args=(s,), daemon=True).start()

    def stop(self) -> None:
        if self._listener is not None:
            self._close(self._listener)
            self._listener = None
        with self._lock:
            conns, self._open = list(self._open), set()
        for c in conns:
            self._close(c)

    @staticmethod
    def _close(s: socket.socket) -> None:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

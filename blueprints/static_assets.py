"""Static files, fingerprinted and compressed without a build step.

At start-up every file under static/ is read once: its content hash goes into every URL that
url_for("static", ...) builds (?v=<hash>), so a fingerprinted URL never changes meaning and is
cached by browsers for a year as immutable; a changed file gets a new URL. Text files are also
kept gzip-compressed and sent that way to clients that accept it."""
from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, abort, request

IMMUTABLE = "public, max-age=31536000, immutable"
COMPRESSIBLE = {".css", ".js", ".svg", ".webmanifest", ".json", ".txt", ".html"}
mimetypes.add_type("application/manifest+json", ".webmanifest")


@dataclass(frozen=True)
class Asset:
    digest: str
    body: bytes
    gzipped: bytes | None
    mimetype: str


def _load(folder: Path) -> dict[str, Asset]:
    assets = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        body = path.read_bytes()
        packed = gzip.compress(body, 9, mtime=0) if path.suffix in COMPRESSIBLE else None
        mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        assets[path.relative_to(folder).as_posix()] = Asset(
            hashlib.sha256(body).hexdigest()[:16], body,
            packed if packed is not None and len(packed) < len(body) else None, mimetype)
    return assets


def init_app(app: Flask) -> None:
    assets = _load(Path(app.static_folder or "static"))
    app.extensions["fokus_static"] = assets   # the service worker precaches every file (offline.py)

    @app.url_defaults
    def _fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static" and values.get("filename") in assets:
            values.setdefault("v", assets[values["filename"]].digest)

    def serve(filename: str) -> Response:
        asset = assets.get(filename)
        if asset is None:
            abort(404)
        gz = asset.gzipped is not None and "gzip" in request.headers.get("Accept-Encoding", "")
        resp = Response(asset.gzipped if gz else asset.body, mimetype=asset.mimetype)
        if gz:
            resp.headers["Content-Encoding"] = "gzip"
        resp.headers["Vary"] = "Accept-Encoding"
        resp.set_etag(asset.digest + ("-gz" if gz else ""))
        # Only the URL with the current hash is immutable; a bare or old URL is re-checked.
        resp.headers["Cache-Control"] = IMMUTABLE if request.args.get("v") == asset.digest else "no-cache"
        return resp.make_conditional(request)

    app.view_functions["static"] = serve

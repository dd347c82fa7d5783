"""Static files: fingerprinted URLs cached as immutable, gzip when accepted, old URLs re-checked."""
from __future__ import annotations

import gzip
import re


def test_pages_link_fingerprinted_assets_that_are_immutable_and_compressed(client):
    html = client.get("/").get_data(as_text=True)
    url = re.search(r'href="(/static/style\.css\?v=[0-9a-f]{16})"', html).group(1)
    plain = client.get(url)
    assert plain.status_code == 200 and plain.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Content-Encoding" not in plain.headers and plain.mimetype == "text/css"
    packed = client.get(url, headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert len(packed.get_data()) < len(plain.get_data()) / 2
    again = client.get(url, headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304
    assert re.search(r'src="/static/app\.js\?v=[0-9a-f]{16}"', html)


def test_unfingerprinted_or_old_urls_are_rechecked_and_unknown_files_404(client):
    assert client.get("/static/style.css").headers["Cache-Control"] == "no-cache"
    assert client.get("/static/style.css?v=0000000000000000").headers["Cache-Control"] == "no-cache"
    assert client.get("/static/nope.css").status_code == 404
    assert client.get("/static/../app.py").status_code == 404

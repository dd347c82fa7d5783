"""Ids in URLs that are not plain hex/base64 (NUL bytes, huge strings) are 404, never a 500."""
import pytest


@pytest.mark.parametrize("path", ["/entries/%00", "/entries/%00/edit", "/processes/%00", "/groups/%00",
                                  "/shares/%00", "/entries/" + "a" * 200, "/invite/%00", "/contacts/%27"])
def test_odd_ids_are_not_found(client, user, path):
    assert client.get(path).status_code == 404


def test_static_files_are_served(client):
    r = client.get("/static/style.css")
    try:
        assert r.status_code == 200 and r.mimetype == "text/css"
    finally:
        r.close()

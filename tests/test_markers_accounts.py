"""A leaked database reveals nothing typed into the account forms: unique markers go in as login
name, display name and passwords through the web forms, and none of them (nor the user key) can be
found in the raw bytes of the database afterwards (SQLite file + WAL, or every PostgreSQL text and
bytea value)."""
from __future__ import annotations

import base64
import secrets

from blueprints import guards
from domain.accounts import account as accounts
from tests.conftest import Auth, csrf_from, raw_database_bytes, said


def forms_of(value: bytes) -> dict[str, bytes]:
    """The ways a value could sit in a database: raw, UTF-16, hex and base64 (standard and URL-safe,
    with and without padding)."""
    b64 = base64.b64encode(value)
    url = base64.urlsafe_b64encode(value)
    found = {"raw": value, "hex": value.hex().encode(), "HEX": value.hex().upper().encode(),
             "b64": b64, "b64-unpadded": b64.rstrip(b"="), "b64url": url.rstrip(b"=")}
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        return found
    found["utf-16-le"] = text.encode("utf-16-le")
    found["utf-16-be"] = text.encode("utf-16-be")
    found["lower"] = text.lower().encode()
    return found


def assert_absent(raw: bytes, label: str, value: bytes) -> None:
    for form, needle in forms_of(value).items():
        assert needle not in raw, f"{label} found in the database as {form}"


def test_markers_typed_into_account_forms_never_reach_the_database(app, client):
    tag = secrets.token_hex(6)
    login = f"MARKERlogin{tag}"
    name = f"MARKERname{tag} Quill"
    password = f"MARKERpass{tag} violet orbit canyon"
    new_password = f"MARKERnewpass{tag} gravel mosaic thunder"
    auth = Auth(client)

    code = auth.signup(login=login, name=name, password=password)
    assert said(app, "Logged in as %(name)s.", name=name) in client.get("/settings/").get_data(as_text=True)
    r = auth.post("/settings/password", {"current": password, "password": new_password,
                                         "confirm": new_password})
    assert r.status_code == 302
    # A failed login and a failed recovery with markers must not leave them behind either.
    other = Auth(app.test_client())
    other.login(login=f"MARKERunknown{tag}", password=f"MARKERwrong{tag} pass phrase")
    other.post("/recover", {"login": login, "recovery_code": "A" * 32,
                            "password": f"MARKERrecover{tag} pass phrase", "confirm": "x"})
    token = csrf_from(client.get("/about").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert auth.login(login=login, password=new_password).status_code == 302

    with app.app_context():
        found = accounts.authenticate(guards.kdf_policy(), guards.server_secret(), login, new_password)
        assert found is not None
        user_id, user_key = found[0].id, found[1]
        private_key = accounts.private_key(found[0], user_key)

    raw = raw_database_bytes(app)
    assert user_id.encode() in raw  # we really read the rows
    for label, value in [("login name", login), ("display name", name), ("password", password),
                         ("new password", new_password), ("unknown login", f"MARKERunknown{tag}"),
                         ("wrong password", f"MARKERwrong{tag} pass phrase"),
                         ("recovery password", f"MARKERrecover{tag} pass phrase")]:
        assert_absent(raw, label, value.encode())
        assert_absent(raw, label + " (lower-cased)", value.lower().encode())
    assert b"MARKER" not in raw and b"marker" not in raw.lower()
    assert_absent(raw, "recovery code", code.encode())
    assert_absent(raw, "recovery code without dashes", code.replace("-", "").encode())
    assert_absent(raw, "user key", user_key)
    assert_absent(raw, "identity private key", private_key)

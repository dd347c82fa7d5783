"""Urgent notices by e-mail: only where SMTP is configured and the reader asked for them; the mail
says only that something urgent waits (no entry text, question, code or name); the address is
never in the database in clear; one mail per share, not per tap."""
from __future__ import annotations

from app import create_app
from tests.conftest import base_config, raw_database_bytes, said
from tests.test_invite_mail import FakeSMTP
from tests.test_sharing_crypto import login_client
from tests.test_sharing_http import html, post
from tests.test_urgent_http import people, save_dilemma

ADDRESS = "zqvera.notices@example.test"


def test_the_reader_gets_a_contentless_mail_for_an_urgent_share(db_url, tmp_path, monkeypatch):
    monkeypatch.setattr("smtplib.SMTP", FakeSMTP)
    FakeSMTP.sent = []
    app = create_app(base_config(db_url, tmp_path) | {"FOKUS_SMTP_HOST": "mail.example.test"})
    ppl = people(app, ("vera", "supervisor"))
    vera = login_client(app, "vera")
    assert 'name="email"' in html(vera.get("/inbox"))
    r = post(vera, "/inbox/urgent-mail", {"email": "not an address"})
    assert r.status_code == 400 and "not an address" in html(r)
    assert post(vera, "/inbox/urgent-mail", {"email": ADDRESS}).status_code == 302
    assert ADDRESS in html(vera.get("/inbox"))
    tess = login_client(app, "tess")
    _r, entry_id = save_dilemma(tess, text="zqdilemmatext about the evening")
    for _tap in range(2):
        post(tess, f"/entries/{entry_id}/urgent", {"readers": [ppl["vera"].id], "question": "zqquestiontext"})
    (msg,) = FakeSMTP.sent
    assert msg["To"] == ADDRESS
    body = msg.get_content()
    assert msg["Subject"] == said(app, "Something urgent waits for you in Fokus") and "/inbox" in body
    assert not any(s in body + msg["Subject"] for s in ("zqdilemma", "zqquestion", "Tess", "ethical"))
    # a share that is not urgent sends nothing
    _r, calm_id = save_dilemma(tess, supervision="yes", text="calm")
    post(tess, f"/entries/{calm_id}/share", {"readers": [ppl["vera"].id]})
    assert len(FakeSMTP.sent) == 1
    # stopping: an empty field, and the next urgent share sends nothing
    assert post(vera, "/inbox/urgent-mail", {"email": ""}).status_code == 302
    _r, next_id = save_dilemma(tess, text="another")
    post(tess, f"/entries/{next_id}/urgent", {"readers": [ppl["vera"].id], "question": "q"})
    assert len(FakeSMTP.sent) == 1
    assert ADDRESS.encode() not in raw_database_bytes(app)


def test_no_mail_setting_without_smtp(app):
    people(app, ("vera", "supervisor"))
    assert "/inbox/urgent-mail" not in html(login_client(app, "vera").get("/inbox"))

"""Invitation links by e-mail, only where SMTP is configured; the mail holds no journal content."""
import re
from typing import ClassVar

from app import create_app
from domain.core.db import db
from tests.conftest import Auth, base_config


class FakeSMTP:
    sent: ClassVar[list] = []

    def __init__(self, host, port, timeout=None):
        self.host, self.port = host, port

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self, context=None):
        pass

    def login(self, user, password):
        pass

    def send_message(self, msg):
        FakeSMTP.sent.append(msg)


def test_invite_link_is_mailed_when_smtp_is_configured(db_url, tmp_path, monkeypatch):
    monkeypatch.setattr("smtplib.SMTP", FakeSMTP)
    FakeSMTP.sent = []
    app = create_app(base_config(db_url, tmp_path) | {"FOKUS_SMTP_HOST": "mail.example.test"})
    try:
        _invite_by_mail(app)
    finally:
        with app.app_context():  # close pooled connections now, not at garbage collection
            db.session.remove()
            db.engine.dispose()


def _invite_by_mail(app):
    client = app.test_client()
    auth = Auth(client)
    auth.signup("tess", "Tess Therapist")
    assert "Also send the link by e-mail" in client.get("/contacts").get_data(as_text=True)
    r = auth.post("/contacts/invite", {"role": "peer", "email": "not-an-address"}, form_url="/contacts")
    assert r.status_code == 400 and "does not look like an e-mail" in r.get_data(as_text=True)
    r = auth.post("/contacts/invite", {"role": "peer", "email": "peer@example.test"}, form_url="/contacts")
    assert r.status_code == 200 and "sent by e-mail" in r.get_data(as_text=True)
    link = re.search(r'<code id="invite-link">([^<]+)</code>', r.get_data(as_text=True)).group(1)
    (msg,) = FakeSMTP.sent
    assert msg["To"] == "peer@example.test" and link in msg.get_content() and "Tess Therapist" in msg.get_content()


def test_no_mail_field_without_smtp(client, user):
    assert "Also send the link by e-mail" not in client.get("/contacts").get_data(as_text=True)

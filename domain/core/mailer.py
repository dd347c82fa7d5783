"""Optional e-mail for invitation links (FOKUS_SMTP_*). Mails carry a link and the inviter's
name, never journal content. Without FOKUS_SMTP_HOST nothing is ever sent.

The domain does not know the reader's language: the texts are English msgids (N_) and the caller
passes `translate` (flask_babel.gettext at request time, so the mail speaks the inviter's language)."""
from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage

from domain.core.refusal import N_

INVITE_SUBJECT = N_("An invitation to Fokus")
INVITE_BODY = N_("%(inviter)s invites you to Fokus as their %(role)s, so they can share chosen journal "
                 "entries with you for reflection.\n\nOpen this link to accept (it works once, until "
                 "%(expires)s):\n%(link)s\n\nIf you did not expect this, you can ignore this message.\n")


class MailError(RuntimeError):
    """`message` is an English msgid, like a Refusal's (shown with blueprints.i18n.say)."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def configured(cfg) -> bool:
    return bool(cfg.get("SMTP_HOST"))


def _english(message: str, **params) -> str:
    return message % params if params else message


def send_invitation(cfg, to: str, inviter: str, role: str, link: str, expires: str,
                    translate: Callable[..., str] = _english) -> None:
    """`role` and `expires` come already in the reader's words ("veileder", "7. desember 2026")."""
    send(cfg, to, translate(INVITE_SUBJECT),
         translate(INVITE_BODY, inviter=inviter, role=role.lower(), expires=expires, link=link))


def send(cfg, to: str, subject: str, body: str) -> None:
    """One plain-text mail through the configured server; MailError when it cannot be sent."""
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"] = subject, cfg["SMTP_FROM"], to
    msg.set_content(body)
    try:
        with smtplib.SMTP(cfg["SMTP_HOST"], int(cfg["SMTP_PORT"]), timeout=15) as smtp:
            if cfg.get("SMTP_STARTTLS", True):
                smtp.starttls(context=ssl.create_default_context())
            if cfg.get("SMTP_USER"):
                smtp.login(cfg["SMTP_USER"], cfg.get("SMTP_PASSWORD") or "")
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(N_("The e-mail could not be sent. Copy the link instead.")) from exc

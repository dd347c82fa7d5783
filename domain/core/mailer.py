"""Optional e-mail for invitation links (FOKUS_SMTP_*). Mails carry a link and the inviter's
name, never journal content. Without FOKUS_SMTP_HOST nothing is ever sent."""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage


class MailError(RuntimeError):
    pass


def configured(cfg) -> bool:
    return bool(cfg.get("SMTP_HOST"))


def send_invitation(cfg, to: str, inviter: str, role: str, link: str, expires: str) -> None:
    msg = EmailMessage()
    msg["Subject"] = "An invitation to Fokus"
    msg["From"] = cfg["SMTP_FROM"]
    msg["To"] = to
    msg.set_content(
        f"{inviter} invites you to Fokus as their {role.lower()}, so they can share chosen journal "
        f"entries with you for reflection.\n\nOpen this link to accept (it works once, until {expires}):\n"
        f"{link}\n\nIf you did not expect this, you can ignore this message.\n")
    try:
        with smtplib.SMTP(cfg["SMTP_HOST"], int(cfg["SMTP_PORT"]), timeout=15) as smtp:
            if cfg.get("SMTP_STARTTLS", True):
                smtp.starttls(context=ssl.create_default_context())
            if cfg.get("SMTP_USER"):
                smtp.login(cfg["SMTP_USER"], cfg.get("SMTP_PASSWORD") or "")
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError("The e-mail could not be sent. Copy the link instead.") from exc

"""An optional e-mail to a reader when something urgent is shared with them: it says only that
something urgent waits in Fokus (no entry text, no process code, no theme, no name).

The reader opts in with an address. The server must not keep it in clear, and the reader is not
there when the owner shares, so the address travels the way contact news already does: sealed to
each colleague who has the reader as a contact (their contact mailbox, HPKE to their public key),
folded into that colleague's sealed contact row on their next visit. The owner's share request
opens it with the owner's key and hands it to the mailer. The reader keeps their own copy in their
side of each contact row (sealed under their user key) so the settings card can show it."""
from __future__ import annotations

from sqlalchemy import select

from domain.accounts import account as accounts
from domain.core import mailer
from domain.core.db import db
from domain.core.models import ContactLink, User
from domain.core.refusal import N_

# contacts' sealing helpers are private to the sharing package; this module is part of it
from domain.sharing.contacts import _read, _seal_info, _to_mailbox, link_between

SUBJECT = N_("Something urgent waits for you in Fokus")
BODY = N_("A colleague has shared something with you in Fokus and marked it urgent.\n\n"
          "Log in to read it:\n%(link)s\n")


def own_address(reader: User, reader_key: bytes) -> str:
    for mine in db.session.scalars(select(ContactLink).where(ContactLink.holder_id == reader.id)):
        address = _read(mine, reader, reader_key).get("my_urgent_mail")
        if address:
            return address
    return ""


def set_address(reader: User, reader_key: bytes, address: str) -> int:
    """Give the address ("" to stop) to every colleague who has the reader as a contact; returns
    how many were told. A pending mailbox held only the reader's own name, which is sent again."""
    told = 0
    name = accounts.read_profile(reader, reader_key).get("display_name", "")
    for mine in list(db.session.scalars(select(ContactLink).where(ContactLink.holder_id == reader.id))):
        _seal_info(mine, reader_key, _read(mine, reader, reader_key) | {"my_urgent_mail": address})
        theirs = link_between(mine.other_id, reader.id)
        holder = db.session.get(User, mine.other_id)
        if theirs is None or holder is None:
            continue
        news = {"urgent_mail": address} | ({"name": name} if theirs.mailbox else {})
        theirs.mailbox = _to_mailbox(holder, reader.id, news)
        told += 1
    return told


def address_for(owner: User, owner_key: bytes, reader_id: str) -> str:
    """The address the reader gave this owner for urgent notices, or ""."""
    link = link_between(owner.id, reader_id)
    return (_read(link, owner, owner_key).get("urgent_mail") or "") if link is not None else ""


def send_notice(cfg, to: str, link: str, translate) -> bool:
    """Send the notice; False when the mail server refuses (the share stands either way)."""
    try:
        mailer.send(cfg, to, translate(SUBJECT), translate(BODY, link=link))
    except mailer.MailError:
        return False
    return True

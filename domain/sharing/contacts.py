"""Contacts: invitation links, accepting, roles, removal, and pinned public keys."""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from domain.accounts import account as accounts
from domain.core import keyring
from domain.core.db import db, for_update, get_for_update, id_ok, utcnow
from domain.core.models import ContactLink, Invitation, User
from domain.core.refusal import N_, Message, Refusal

INVITE_TTL = timedelta(days=7)
ROLES = ("peer", "supervisor")
# English msgids (N_): the pages translate them.
ROLE_LABELS = {"peer": N_("Peer"), "supervisor": N_("Supervisor"), "client": N_("Shares with me")}
UNNAMED = Message(N_("Unnamed colleague"))  # a Message: pages show it in the reader's language


@dataclass
class Contact:
    link: ContactLink
    name: str
    key_changed: bool
    current_key: bytes = b""   # the other's public key as stored now (differs from pinned if changed)

    @property
    def other_id(self) -> str:
        return self.link.other_id

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.link.role, self.link.role)

    @property
    def fingerprint(self) -> str:
        return keyring.fingerprint(self.link.pinned_key)

    @property
    def current_fingerprint(self) -> str:
        """What to compare before confirming a changed key (the pinned one is the old key)."""
        return keyring.fingerprint(self.current_key or self.link.pinned_key)


def own_fingerprint(user: User) -> str:
    """The user's own key fingerprint, for the other side of a contact to compare with."""
    return keyring.fingerprint(user.public_key)


def _token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def _payload_key(token: str) -> bytes:
    return keyring.hkdf(token.encode(), "invitation")


def _form_token(secret: bytes, inviter_id: str, form_id: str) -> tuple[str, str]:
    """(row id, token) for an invitation whose form chose `form_id`: the same form posted twice
    finds the same row and shows the same link. The row id is a hash of the form id and the token
    a keyed hash under the server secret, so neither the database nor the page alone gives the link."""
    row_id = hashlib.sha256(f"invitation-id|{form_id}".encode()).hexdigest()[:32]
    mac = hmac.new(keyring.hkdf(secret, "invitation-token"), f"{inviter_id}|{form_id}".encode(), hashlib.sha256)
    return row_id, keyring.b64e(mac.digest())


def invite(inviter: User, inviter_key: bytes, role: str, now: datetime | None = None,
           form_id: str = "", secret: bytes = b"") -> tuple[Invitation, str]:
    """Create a single-use invitation; returns (row, token). The token goes only into the link.
    With a form-chosen id (and the server secret) a repeated submit returns the same invitation."""
    if role not in ROLES:
        raise Refusal(N_("Choose peer or supervisor."))
    row_id = None
    if secret and id_ok(form_id):
        get_for_update(User, inviter.id)  # one inviter's invitations are created one at a time
        row_id, token = _form_token(secret, inviter.id, form_id)
        existing = db.session.get(Invitation, row_id)
        if existing is not None:
            if existing.inviter_id != inviter.id:
                raise Refusal(N_("Please reload the page and try again."), 409)
            return existing, token
    else:
        token = secrets.token_urlsafe(32)
    name = accounts.read_profile(inviter, inviter_key).get("display_name", "")
    now = now or utcnow()
    row = Invitation(id=row_id, inviter_id=inviter.id, token_hash=_token_hash(token), role=role,
                     expires_at=now + INVITE_TTL,
                     payload=keyring.seal(_payload_key(token), json.dumps({"name": name}).encode(),
                                          keyring.aad("invitation", inviter.id)))
    db.session.add(row)
    return row, token


def open_invitation(token: str, now: datetime | None = None) -> tuple[Invitation, str]:
    """The invitation behind a link and the inviter's name, or Refusal (404 / 410)."""
    if not token or len(token) > 100:
        raise Refusal(N_("This invitation link is not valid."), 404)
    row = db.session.scalar(select(Invitation).where(Invitation.token_hash == _token_hash(token)))
    if row is None:
        raise Refusal(N_("This invitation link is not valid. Ask for a new one."), 404)
    if row.used_at is not None:
        raise Refusal(N_("This invitation has already been used. Ask for a new one."), 410)
    if (now or utcnow()) > row.expires_at:
        raise Refusal(N_("This invitation has expired. Ask for a new one."), 410)
    try:
        name = json.loads(keyring.open_blob(_payload_key(token), row.payload,
                                            keyring.aad("invitation", row.inviter_id)))["name"]
    except keyring.CryptoError as exc:
        raise Refusal(N_("This invitation link is not valid."), 404) from exc
    return row, name


def accept(token: str, invitee: User, invitee_key: bytes) -> tuple[ContactLink, str]:
    """Accept an invitation; returns (the invitee's link, the inviter's name). The invitation is
    locked and re-read first, so two submits of the same link make one contact; the second one
    finds it and answers like the first."""
    held = db.session.scalar(for_update(select(Invitation).where(Invitation.token_hash == _token_hash(token or "")))
                             .execution_options(populate_existing=True)) if token and len(token) <= 100 else None
    if held is not None and held.used_at is not None:
        done = link_between(invitee.id, held.inviter_id)
        # this very invitation made that link (a second tap): accepting stamps both with one time
        if done is not None and not done.inviter and done.created_at == held.used_at:
            return done, _read(done, invitee, invitee_key).get("name") or "your colleague"
    inv, inviter_name = open_invitation(token)
    if inv.inviter_id == invitee.id:
        raise Refusal(N_("This is your own invitation. Send the link to your colleague instead."))
    inviter = db.session.get(User, inv.inviter_id)
    if inviter is None:
        raise Refusal(N_("This invitation link is not valid."), 404)
    if link_between(invitee.id, inviter.id) is not None:
        inv.used_at = utcnow()
        raise Refusal(N_("You are already connected with this person."), 409)
    inv.used_at = now = utcnow()
    invitee_name = accounts.read_profile(invitee, invitee_key).get("display_name", "")
    mine = ContactLink(holder_id=invitee.id, other_id=inviter.id, role="client", inviter=False,
                       pinned_key=inviter.public_key, created_at=now)
    _seal_info(mine, invitee_key, {"name": inviter_name})
    # The inviter is not here to seal the invitee's name under their own key, so it waits in their
    # mailbox, sealed to their public key, until their next visit.
    theirs = ContactLink(holder_id=inviter.id, other_id=invitee.id, role=inv.role, inviter=True,
                         pinned_key=invitee.public_key,
                         mailbox=_to_mailbox(inviter, invitee.id, {"name": invitee_name}))
    db.session.add_all([mine, theirs])
    return mine, inviter_name


def _info_aad(link: ContactLink) -> bytes:
    return keyring.aad("contact", link.holder_id, link.other_id)


def _seal_info(link: ContactLink, holder_key: bytes, info: dict) -> None:
    link.sealed = keyring.seal_for(holder_key, "contact", json.dumps(info).encode(), _info_aad(link))


def _mailbox_aad(holder_id: str, other_id: str) -> bytes:
    return keyring.aad("contact-mailbox", "holder", holder_id, "other", other_id)


def _to_mailbox(holder: User, other_id: str, info: dict) -> bytes:
    return keyring.hpke_seal(holder.public_key, json.dumps(info).encode(), _mailbox_aad(holder.id, other_id))


def _open_mailbox(link: ContactLink, private: bytes) -> dict:
    """News for the holder; mailboxes from before name only the holder in their info."""
    try:
        return json.loads(keyring.hpke_open(private, link.mailbox, _mailbox_aad(link.holder_id, link.other_id)))
    except keyring.CryptoError:
        return json.loads(keyring.hpke_open(private, link.mailbox, keyring.aad("contact-mailbox", link.holder_id)))


def _read(link: ContactLink, holder: User, holder_key: bytes) -> dict:
    """The holder's view of a link, with any mailbox news read in memory (a page view writes
    nothing; `fold_mailboxes` stores the news on the holder's next write)."""
    info = json.loads(keyring.open_for(holder_key, "contact", link.sealed, _info_aad(link))) if link.sealed else {}
    if link.mailbox:
        try:
            info.update(_open_mailbox(link, accounts.private_key(holder, holder_key)))
        except keyring.CryptoError:
            pass
    return info


def fold_mailboxes(holder: User, holder_key: bytes) -> None:
    """Move mailbox news into the holder's sealed rows (called from the holder's POST requests)."""
    for link in db.session.scalars(select(ContactLink).where(ContactLink.holder_id == holder.id,
                                                             ContactLink.mailbox.is_not(None))):
        info = _read(link, holder, holder_key)
        link.mailbox = None
        _seal_info(link, holder_key, info)


def link_between(holder_id: str, other_id: str) -> ContactLink | None:
    return db.session.scalar(select(ContactLink).where(ContactLink.holder_id == holder_id,
                                                       ContactLink.other_id == other_id))


def contacts_of(holder: User, holder_key: bytes) -> list[Contact]:
    links = db.session.scalars(select(ContactLink).where(ContactLink.holder_id == holder.id))
    out = []
    for link in links:
        other = db.session.get(User, link.other_id)
        name = _read(link, holder, holder_key).get("name") or UNNAMED
        out.append(Contact(link, name, key_changed=other is not None and other.public_key != link.pinned_key,
                           current_key=other.public_key if other is not None else b""))
    out.sort(key=lambda c: c.name.casefold())
    return out


def contact(holder: User, holder_key: bytes, link_id: str) -> Contact | None:
    return next((c for c in contacts_of(holder, holder_key) if c.link.id == link_id), None)


def set_role(link: ContactLink, role: str) -> None:
    """Only the inviter chooses the role; the other side's row keeps saying "shares with me"."""
    if not link.inviter:
        raise Refusal(N_("Only the person who sent the invitation can change the role."), 403)
    if role not in ROLES:
        raise Refusal(N_("Choose peer or supervisor."))
    link.role = role


def confirm_key(link: ContactLink) -> None:
    """The holder compared fingerprints and accepts the other's current public key."""
    other = db.session.get(User, link.other_id)
    if other is not None:
        link.pinned_key = other.public_key


def remove(holder_id: str, other_id: str) -> None:
    """Delete both sides of a contact. Shares between them are ended by sharing.end_between."""
    for a, b in ((holder_id, other_id), (other_id, holder_id)):
        link = link_between(a, b)
        if link is not None:
            db.session.delete(link)


def pending_invitations(inviter_id: str, now: datetime | None = None) -> list[Invitation]:
    now = now or utcnow()
    return list(db.session.scalars(select(Invitation).where(
        Invitation.inviter_id == inviter_id, Invitation.used_at.is_(None), Invitation.expires_at > now)
        .order_by(Invitation.created_at.desc())))

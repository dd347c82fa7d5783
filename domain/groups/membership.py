"""Seminar groups: create, invite links, join, members, leads, and each member's consent."""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update

from domain.accounts import account as accounts
from domain.core import keyring, server_keys
from domain.core.db import db, new_id, utcnow
from domain.core.models import Group, GroupInvite, GroupMember, TrendFact, User
from domain.core.refusal import N_, Refusal
from domain.trends.suppression import MIN_K

NAME_MAX = 80
K_MAX = 50


@dataclass
class Membership:
    """A member's own view of a group: the group key, name, and their private consent state."""
    group: Group
    member: GroupMember
    key: bytes
    name: str
    state: dict

    @property
    def is_lead(self) -> bool:
        return self.member.role == "lead"

    @property
    def contributing(self) -> bool:
        return bool(self.state.get("contributing"))


def _aad(*parts) -> bytes:
    return keyring.aad("group", *parts)


def pseudonym(user_key: bytes, group_id: str) -> str:
    """Per-group pseudonym from the user key: stable for the member, unlinkable for the database."""
    return hmac.new(keyring.hkdf(user_key, "group-pseudonym"), group_id.encode(), hashlib.sha256).hexdigest()[:32]


def _pseudonym_key(server_secret: bytes) -> bytes:
    return keyring.hkdf(server_secret, "group-pseudonym-escrow")


def _new_member(group: Group, group_key: bytes, user: User, user_key: bytes, role: str,
                server_secret: bytes) -> GroupMember:
    m = GroupMember(id=new_id(), group_id=group.id, user_id=user.id, role=role)
    m.group_key_wrapped = keyring.wrap_for(user_key, "group-key", group_key, _aad("key", group.id, user.id))
    name = accounts.read_profile(user, user_key).get("display_name", "")
    m.name_sealed = keyring.seal(group_key, name.encode(), _aad("member-name", group.id, m.id))
    m.pseudonym_sealed = keyring.seal(_pseudonym_key(server_secret), pseudonym(user_key, group.id).encode(),
                                      _aad("pseudonym", group.id, m.id))
    write_state(m, user_key, {"contributing": False})
    db.session.add(m)
    return m


def write_state(m: GroupMember, user_key: bytes, state: dict) -> None:
    m.state_sealed = keyring.seal_for(user_key, "group-state", json.dumps(state).encode(),
                                      _aad("state", m.group_id, m.user_id))


def create(lead: User, lead_key: bytes, name: str, k: int, server_secret: bytes) -> Group:
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise Refusal(N_("Give the group a name of at most %(max)d characters."), max=NAME_MAX)
    check_k(k)
    key = keyring.random_key()
    group = Group(id=new_id(), k=k)
    group.name_sealed = keyring.seal(key, name.encode(), _aad("name", group.id))
    db.session.add(group)
    _new_member(group, key, lead, lead_key, "lead", server_secret)
    return group


def check_k(k: int) -> None:
    if not MIN_K <= k <= K_MAX:
        raise Refusal(N_("k must be between %(low)d and %(high)d; %(low)d is the lowest that protects "
                         "anyone."), low=MIN_K, high=K_MAX)


def membership(user: User, user_key: bytes, group_id: str) -> Membership | None:
    m = db.session.scalar(select(GroupMember).where(GroupMember.group_id == group_id,
                                                    GroupMember.user_id == user.id)) if group_id else None
    if m is None:
        return None
    group = db.session.get(Group, group_id)
    key = keyring.unwrap_for(user_key, "group-key", m.group_key_wrapped, _aad("key", group_id, user.id))
    name = keyring.open_blob(key, group.name_sealed, _aad("name", group_id)).decode()
    state = json.loads(keyring.open_for(user_key, "group-state", m.state_sealed, _aad("state", group_id, user.id)))
    return Membership(group, m, key, name, state)


def memberships(user: User, user_key: bytes) -> list[Membership]:
    ids = db.session.scalars(select(GroupMember.group_id).where(GroupMember.user_id == user.id))
    return sorted((membership(user, user_key, gid) for gid in ids), key=lambda ms: ms.name.casefold())


def members(ms: Membership) -> list[tuple[GroupMember, str]]:
    """Member list with names (sealed under the group key): for leads to manage. Says nothing
    about who contributes."""
    rows = db.session.scalars(select(GroupMember).where(GroupMember.group_id == ms.group.id)
                              .order_by(GroupMember.joined_at))
    return [(m, keyring.open_blob(ms.key, m.name_sealed, _aad("member-name", m.group_id, m.id)).decode())
            for m in rows]


def invite(ms: Membership, multi_use: bool, days: int, now: datetime | None = None) -> tuple[GroupInvite, str]:
    if not ms.is_lead:
        raise Refusal(N_("Only a lead can invite."), 403)
    if not 1 <= days <= 60:
        raise Refusal(N_("Choose between 1 and 60 days."))
    token = secrets.token_urlsafe(32)
    inv = GroupInvite(id=new_id(), group_id=ms.group.id, token_hash=hashlib.sha256(token.encode()).digest(),
                      multi_use=multi_use, expires_at=(now or utcnow()) + timedelta(days=days))
    inv.payload = keyring.seal(keyring.hkdf(token.encode(), "group-invite"), ms.key, _aad("invite", ms.group.id))
    db.session.add(inv)
    return inv, token


def open_invite(token: str, now: datetime | None = None) -> tuple[GroupInvite, bytes, str]:
    """(invite, group key, group name) or Refusal 404/410."""
    inv = db.session.scalar(select(GroupInvite).where(
        GroupInvite.token_hash == hashlib.sha256((token or "").encode()).digest())) if token and len(token) < 100 else None
    if inv is None:
        raise Refusal(N_("This group link is not valid."), 404)
    if inv.revoked or (not inv.multi_use and inv.uses > 0):
        raise Refusal(N_("This group link has already been used. Ask the seminar lead for a new one."), 410)
    if (now or utcnow()) > inv.expires_at:
        raise Refusal(N_("This group link has expired. Ask the seminar lead for a new one."), 410)
    try:
        key = keyring.unwrap_key(keyring.hkdf(token.encode(), "group-invite"), inv.payload, _aad("invite", inv.group_id))
    except keyring.CryptoError as exc:
        raise Refusal(N_("This group link is not valid."), 404) from exc
    group = db.session.get(Group, inv.group_id)
    return inv, key, keyring.open_blob(key, group.name_sealed, _aad("name", group.id)).decode()


def join(token: str, user: User, user_key: bytes, server_secret: bytes) -> Group:
    inv, key, _name = open_invite(token)
    if db.session.scalar(select(GroupMember).where(GroupMember.group_id == inv.group_id,
                                                   GroupMember.user_id == user.id)):
        raise Refusal(N_("You are already a member of this group."), 409)
    # Claim the use in the database, so two people racing on one single-use link cannot both join.
    claimed = db.session.execute(
        update(GroupInvite).where(GroupInvite.id == inv.id, GroupInvite.revoked.is_(False),
                                  GroupInvite.multi_use.is_(True) | (GroupInvite.uses == 0))
        .values(uses=GroupInvite.uses + 1).execution_options(synchronize_session=False)).rowcount
    if not claimed:
        raise Refusal(N_("This group link has already been used. Ask the seminar lead for a new one."), 410)
    db.session.refresh(inv)
    group = db.session.get(Group, inv.group_id)
    _new_member(group, key, user, user_key, "member", server_secret)
    return group


def purge_facts(group_id: str, member: GroupMember, server_secret: bytes) -> int:
    pseud = open_pseudonym(group_id, member, server_secret)
    from domain.trends import rollup as trend_rollup
    trend_rollup.removed_pseudonym(group_id, pseud)
    return db.session.execute(delete(TrendFact).where(TrendFact.group_id == group_id,
                                                      TrendFact.pseudonym == pseud)).rowcount or 0


def open_pseudonym(group_id: str, member: GroupMember, server_secret: bytes) -> str:
    """The escrowed pseudonym, opened with the current secret or, mid-rotation, a previous one."""
    return server_keys.open_with_any(server_secret, lambda s: keyring.open_blob(
        _pseudonym_key(s), member.pseudonym_sealed, _aad("pseudonym", group_id, member.id))).decode()


def reseal_pseudonym(member: GroupMember, server_secret: bytes) -> bool:
    """Secret rotation: seal the escrowed pseudonym under the current secret (False: it was)."""
    aad = _aad("pseudonym", member.group_id, member.id)
    try:
        keyring.open_blob(_pseudonym_key(server_secret), member.pseudonym_sealed, aad)
        return False
    except keyring.CryptoError:
        pass
    pseud = open_pseudonym(member.group_id, member, server_secret)
    member.pseudonym_sealed = keyring.seal(_pseudonym_key(server_secret), pseud.encode(), aad)
    return True


def remove(ms: Membership, member_id: str, server_secret: bytes) -> None:
    """A lead removes a member (or anyone leaves): their facts go with them; the last lead stays."""
    target = db.session.get(GroupMember, member_id)
    if target is None or target.group_id != ms.group.id:
        raise Refusal(N_("No such member."), 404)
    if target.id != ms.member.id and not ms.is_lead:
        raise Refusal(N_("Only a lead can remove members."), 403)
    if target.role == "lead" and _lead_count(ms.group.id) <= 1 and _member_count(ms.group.id) > 1:
        raise Refusal(N_("A group needs a lead. Make someone else a lead first."), 409)
    purge_facts(ms.group.id, target, server_secret)
    db.session.delete(target)
    if _member_count(ms.group.id) == 0:
        db.session.delete(ms.group)


def _member_count(group_id: str, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(GroupMember).where(
        GroupMember.group_id == group_id, *where)) or 0


def _lead_count(group_id: str) -> int:
    return _member_count(group_id, GroupMember.role == "lead")


def set_lead(ms: Membership, member_id: str, lead: bool) -> None:
    if not ms.is_lead:
        raise Refusal(N_("Only a lead can change roles."), 403)
    target = db.session.get(GroupMember, member_id)
    if target is None or target.group_id != ms.group.id:
        raise Refusal(N_("No such member."), 404)
    if not lead and target.role == "lead" and _lead_count(ms.group.id) <= 1:
        raise Refusal(N_("A group needs at least one lead."), 409)
    target.role = "lead" if lead else "member"

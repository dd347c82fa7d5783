"""The group's threshold k: chosen by a lead until the first member contributes, fixed after.

Why fixed: complementary suppression hides different cells at different k, so the same counts
released at two thresholds could give a hidden one away (docs/ARCHITECTURE.md, "Seminar
trends: adaptive detail, headline, handout")."""
from __future__ import annotations

from sqlalchemy import update

from domain.core.db import db, utcnow
from domain.core.models import Group
from domain.core.refusal import N_, Refusal
from domain.groups.membership import Membership, check_k

_K_FIXED = N_("k is fixed once a member contributes: the same numbers shown at two thresholds could give "
              "away a hidden one.")


def may_set_k(ms: Membership) -> None:
    """Refuse unless this lead may still change k (nothing has been contributed yet)."""
    if not ms.is_lead:
        raise Refusal(N_("Only a lead can change k."), 403)
    if ms.group.k_fixed_at is not None:
        raise Refusal(_K_FIXED, 409)


def fix_k(group_id: str) -> None:
    """Counts may be released from now on: k stays as it is. Called wherever facts are added
    (contributions.consent and object_changed), so a member who consented before there was
    anything to count fixes it with their first fact."""
    db.session.execute(update(Group).where(Group.id == group_id, Group.k_fixed_at.is_(None))
                       .values(k_fixed_at=utcnow()))


def set_k(ms: Membership, k: int) -> None:
    """One conditional UPDATE: a consent committed by another worker since this request read the
    group row wins (its UPDATE of k_fixed_at holds the row until it commits)."""
    may_set_k(ms)
    check_k(k)
    done = db.session.execute(update(Group).where(Group.id == ms.group.id, Group.k_fixed_at.is_(None))
                              .values(k=k).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise Refusal(_K_FIXED, 409)
    db.session.refresh(ms.group)

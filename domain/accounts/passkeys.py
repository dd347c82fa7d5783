"""Passkeys (WebAuthn): register, log in, list, remove. Checking is done by the `webauthn` library.

A passkey always proves who is logging in. Where the authenticator has the PRF extension it also
unlocks: the browser sends the PRF output for this credential's random salt, `keyring` derives a
key from it and (un)wraps the user key. Without PRF the password is still needed to open the user
key, and the passkey is the second factor next to it.

Challenges are rows (several app processes), deleted by the one request that answers them, and
refused after CHALLENGE_TTL. The signature counter must grow where the authenticator keeps one.
"""
from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import parse_authentication_credential_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from domain.core import keyring
from domain.core.db import db, new_id, utcnow
from domain.core.models import Passkey, PasskeyChallenge, User
from domain.core.refusal import N_, Refusal

log = logging.getLogger("fokus.security")

CHALLENGE_TTL = timedelta(minutes=3)
MAX_PER_USER = 10
RP_NAME = "Fokus"


class PasskeyError(Refusal):
    """The answer cannot be accepted; the message (an N_ msgid) is safe to show, through
    blueprints.i18n.say."""


@dataclass(frozen=True)
class LoginResult:
    passkey: Passkey
    user: User
    user_key: bytes | None      # None: this passkey cannot unlock, the password is needed
    user_verified: bool
    needs_prf: bool = False     # it can unlock, but the browser did not ask for the PRF output


def _name_aad(user_id: str, passkey_id: str) -> bytes:
    return keyring.aad("passkey-name", passkey_id, "owner", user_id)


def _new_challenge(purpose: str, user_id: str | None, prf_salt: bytes | None = None) -> PasskeyChallenge:
    db.session.execute(delete(PasskeyChallenge).where(PasskeyChallenge.expires_at < utcnow()))
    row = PasskeyChallenge(purpose=purpose, user_id=user_id, challenge=secrets.token_bytes(32),
                           prf_salt=prf_salt, expires_at=utcnow() + CHALLENGE_TTL)
    db.session.add(row)
    db.session.flush()
    return row


def take_challenge(row_id: str | None, purpose: str) -> PasskeyChallenge:
    """Use a challenge once: the DELETE decides, so two requests with one challenge cannot both win."""
    row = db.session.get(PasskeyChallenge, row_id) if row_id else None
    if row is None or row.purpose != purpose:
        raise PasskeyError(N_("This passkey request has expired. Please try again."))
    db.session.expunge(row)
    gone = db.session.execute(delete(PasskeyChallenge).where(PasskeyChallenge.id == row.id)).rowcount
    if gone != 1 or row.expires_at < utcnow():
        raise PasskeyError(N_("This passkey request has expired. Please try again."))
    return row


def for_user(user_id: str) -> list[Passkey]:
    return list(db.session.scalars(select(Passkey).where(Passkey.user_id == user_id)
                                   .order_by(Passkey.created_at)))


def name_of(passkey: Passkey, user_key: bytes) -> str:
    try:
        return keyring.open_blob(user_key, passkey.name_sealed, _name_aad(passkey.user_id, passkey.id)).decode()
    except keyring.CryptoError:
        return "(name cannot be read)"


# --- registration ------------------------------------------------------------------------------

def registration_options(user: User, label: str, rp_id: str) -> tuple[str, str]:
    """(challenge row id, options JSON) for navigator.credentials.create, asking for PRF."""
    if len(for_user(user.id)) >= MAX_PER_USER:
        raise PasskeyError(N_("You can keep up to %(num)d passkeys. Remove one first."), num=MAX_PER_USER)
    salt = secrets.token_bytes(keyring.PRF_LEN)
    row = _new_challenge("register", user.id, salt)
    options = generate_registration_options(
        rp_id=rp_id, rp_name=RP_NAME, user_id=user.id.encode(), user_name=label, user_display_name=label,
        challenge=row.challenge,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED, user_verification=UserVerificationRequirement.PREFERRED),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=p.credential_id) for p in for_user(user.id)])
    data = json.loads(options_to_json(options))
    data["extensions"] = {"prf": {"eval": {"first": keyring.b64e(salt)}}}
    return row.id, json.dumps(data)


def register(user: User, user_key: bytes, challenge: PasskeyChallenge, credential: str, rp_id: str,
             origin: str, name: str, prf_output: bytes | None) -> Passkey:
    if challenge.user_id != user.id or challenge.prf_salt is None:
        raise PasskeyError(N_("This passkey request has expired. Please try again."))
    try:
        verified = verify_registration_response(credential=credential, expected_challenge=challenge.challenge,
                                                expected_rp_id=rp_id, expected_origin=origin)
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        log.info("passkey.register.refused user=%s reason=%s", user.id, type(exc).__name__)
        raise PasskeyError(N_("The passkey could not be checked. Please try again.")) from exc
    if db.session.scalar(select(Passkey.id).where(Passkey.credential_id == verified.credential_id)):
        raise PasskeyError(N_("This passkey is already saved."))
    passkey = Passkey(user_id=user.id, credential_id=verified.credential_id,
                      public_key=verified.credential_public_key, sign_count=verified.sign_count,
                      prf_salt=challenge.prf_salt)
    passkey.id = new_id()
    passkey.name_sealed = keyring.seal(user_key, name.encode(), _name_aad(user.id, passkey.id))
    if prf_output is not None:
        passkey.uk_by_prf = keyring.wrap_for_passkey(prf_output, user.id, verified.credential_id,
                                                     user.key_version, user_key)
    db.session.add(passkey)
    log.info("passkey.registered user=%s passkey=%s unlocks=%s", user.id, passkey.id, prf_output is not None)
    return passkey


def remove(user: User, passkey_id: str) -> bool:
    """Delete the passkey and with it its wrap of the user key. Only the owner's own rows."""
    gone = db.session.execute(delete(Passkey).where(Passkey.id == passkey_id, Passkey.user_id == user.id)).rowcount
    if gone:
        log.info("passkey.removed user=%s passkey=%s", user.id, passkey_id)
    return bool(gone)


# --- login -------------------------------------------------------------------------------------

def login_options(rp_id: str, known_ids: list[str]) -> tuple[str, str]:
    """Options for navigator.credentials.get. Credentials this browser remembers are named, with
    their PRF salts; with none, any passkey for Fokus on the device may answer (no PRF yet)."""
    known = _known(known_ids)
    row = _new_challenge("login", None)
    options = generate_authentication_options(
        rp_id=rp_id, challenge=row.challenge, user_verification=UserVerificationRequirement.PREFERRED,
        allow_credentials=[PublicKeyCredentialDescriptor(id=p.credential_id) for p in known])
    data = json.loads(options_to_json(options))
    prf = {keyring.b64e(p.credential_id): {"first": keyring.b64e(p.prf_salt)} for p in known if p.uk_by_prf}
    if prf:
        data["extensions"] = {"prf": {"evalByCredential": prf}}
    return row.id, json.dumps(data)


def _known(known_ids: list[str]) -> list[Passkey]:
    raw = []
    for text in known_ids[:MAX_PER_USER]:
        try:
            raw.append(keyring.b64d(text[:1400]))
        except keyring.CryptoError:
            continue
    if not raw:
        return []
    return list(db.session.scalars(select(Passkey).where(Passkey.credential_id.in_(raw))))


def authenticate(challenge: PasskeyChallenge, credential: str, rp_id: str, origin: str,
                 prf_output: bytes | None) -> LoginResult:
    passkey = _credential_row(credential)
    try:
        verified = verify_authentication_response(
            credential=credential, expected_challenge=challenge.challenge, expected_rp_id=rp_id,
            expected_origin=origin, credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count)
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        log.warning("passkey.login.refused passkey=%s reason=%s", passkey.id, str(exc)[:80])
        raise PasskeyError(N_("That passkey could not be checked. Please try again.")) from exc
    # Only the request that moves the counter from the value it read wins (two workers, one answer).
    moved = db.session.execute(update(Passkey).where(Passkey.id == passkey.id,
                                                     Passkey.sign_count == passkey.sign_count)
                               .values(sign_count=verified.new_sign_count, last_used_at=utcnow())).rowcount
    if moved != 1:
        raise PasskeyError(N_("That passkey could not be checked. Please try again."))
    user = db.session.get(User, passkey.user_id)
    if user is None:
        raise PasskeyError(N_("That passkey could not be checked. Please try again."))
    user_key = None
    if passkey.uk_by_prf is not None and prf_output is not None:
        try:
            user_key = keyring.unwrap_by_passkey(prf_output, user.id, passkey.credential_id, user.key_version,
                                                 passkey.uk_by_prf)
        except keyring.CryptoError as exc:
            log.warning("passkey.unlock.refused user=%s passkey=%s", user.id, passkey.id)
            raise PasskeyError(N_("That passkey could not unlock your journal. Please try again.")) from exc
    log.info("passkey.login user=%s passkey=%s verified=%s unlocked=%s", user.id, passkey.id,
             verified.user_verified, user_key is not None)
    return LoginResult(passkey, user, user_key, verified.user_verified,
                       needs_prf=passkey.uk_by_prf is not None and prf_output is None)


def _credential_row(credential: str) -> Passkey:
    try:
        raw_id = parse_authentication_credential_json(credential).raw_id
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise PasskeyError(N_("That passkey could not be checked. Please try again.")) from exc
    passkey = db.session.scalar(select(Passkey).where(Passkey.credential_id == raw_id))
    if passkey is None:
        log.warning("passkey.login.unknown")
        raise PasskeyError(N_("This passkey is not known here. It may have been removed."))
    return passkey


def stale_for_sensitive_actions(session_row) -> None:
    """A login without user verification (anyone holding the device) is not a fresh login."""
    session_row.fresh_at = utcnow() - timedelta(days=1)

"""Passkey wraps of the user key, through their properties: each opens only with its own
credential's PRF output, for its own user, credential and key version."""
from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.accounts import passkeys
from domain.core import keyring
from domain.core.db import db, utcnow
from domain.core.models import PasskeyChallenge

prf_bytes = st.binary(min_size=32, max_size=32)
cred_ids = st.binary(min_size=16, max_size=64)


@settings(max_examples=60, deadline=None)
@given(user_key=prf_bytes, prf_a=prf_bytes, prf_b=prf_bytes, cred_a=cred_ids, cred_b=cred_ids)
def test_a_wrap_opens_only_with_its_own_credentials_prf_output(user_key, prf_a, prf_b, cred_a, cred_b):
    wrapped = keyring.wrap_for_passkey(prf_a, "u1", cred_a, 1, user_key)
    assert keyring.unwrap_by_passkey(prf_a, "u1", cred_a, 1, wrapped) == user_key
    if prf_b != prf_a:
        with pytest.raises(keyring.CryptoError):
            keyring.unwrap_by_passkey(prf_b, "u1", cred_a, 1, wrapped)
    if cred_b != cred_a:
        # Another credential's wrap (even with the same PRF output) is bound to its own id.
        with pytest.raises(keyring.CryptoError):
            keyring.unwrap_by_passkey(prf_a, "u1", cred_b, 1, wrapped)


def test_a_wrap_is_bound_to_user_and_key_version():
    user_key, prf, cred = keyring.random_key(), keyring.random_key(), b"c" * 16
    wrapped = keyring.wrap_for_passkey(prf, "u1", cred, 1, user_key)
    for args in (("u2", cred, 1), ("u1", cred, 2)):
        with pytest.raises(keyring.CryptoError):
            keyring.unwrap_by_passkey(prf, *args, wrapped)


def test_different_credentials_derive_different_keys():
    prf = keyring.random_key()
    assert keyring.passkey_kek(prf, "u1", b"a" * 16) != keyring.passkey_kek(prf, "u1", b"b" * 16)
    assert keyring.passkey_kek(prf, "u1", b"a" * 16) != keyring.passkey_kek(prf, "u2", b"a" * 16)


@pytest.mark.parametrize("length", [0, 16, 31, 33, 64])
def test_prf_output_of_the_wrong_length_is_refused(length):
    with pytest.raises(keyring.CryptoError):
        keyring.passkey_kek(b"x" * length, "u1", b"c" * 16)


def test_a_challenge_works_once_for_its_purpose_and_not_after_expiry(app):
    with app.app_context():
        row = passkeys._new_challenge("login", None)
        db.session.commit()
        with pytest.raises(passkeys.PasskeyError):
            passkeys.take_challenge(row.id, "register")
        assert passkeys.take_challenge(row.id, "login").challenge == row.challenge
        with pytest.raises(passkeys.PasskeyError):
            passkeys.take_challenge(row.id, "login")
        old = passkeys._new_challenge("login", None)
        old.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        with pytest.raises(passkeys.PasskeyError):
            passkeys.take_challenge(old.id, "login")
        db.session.commit()
        assert db.session.get(PasskeyChallenge, old.id) is None

"""Guarantees of the key ring that its round-trip tests cannot see. Known answers for the key
derivations: a password or recovery code typed today must open what
was stored years ago, so the derivation (argon2id, HKDF labels, salts) may never drift silently.
The values were computed once with this code and are pinned here."""
from __future__ import annotations

import pytest

from domain.core import keyring
from domain.core.keyring import CryptoError, KdfParams


def test_password_derivation_known_answer():
    verifier, kek = keyring.derive_password("correct horse battery staple", bytes(range(16)), KdfParams(64, 2, 1))
    assert verifier.hex() == "13a5cbaa05a8478d0d640f2ba90026a8d2fbcbb69e9426c30314d22c31f50e93"
    assert kek.hex() == "d8ffc13aee29fe33ceb5199b45324956b6654d234c4a32a3c30367071682ddf2"


def test_recovery_derivation_known_answer():
    verifier, kek = keyring.derive_recovery("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "user-1")
    assert verifier.hex() == "d3449e8bb4f1a7ef39db6b63f2aec25783f8098181e8b65da1b5df23cf336928"
    assert kek.hex() == "cc150806c64eaadcb652b4a5692261bf2b8ad9e80ef39550b68e3132a822ef69"


def test_associated_data_layout():
    assert keyring.aad("entry", "e1", "owner", "u1", "kv", 1) == b"fokus/v1|entry|e1|owner|u1|kv|1"


def test_hpke_unwrap_refuses_something_that_is_not_a_key():
    """A share's wrap that opens to anything but a 32-byte key (a forged or truncated wrap) is
    refused, not used as a key."""
    private, public = keyring.new_identity()
    for length in (0, 16, 31, 33, 64):
        wrapped = keyring.hpke_wrap(public, b"k" * length, b"info")
        with pytest.raises(CryptoError):
            keyring.hpke_unwrap(private, wrapped, b"info")
    assert keyring.hpke_unwrap(private, keyring.hpke_wrap(public, b"k" * 32, b"info"), b"info") == b"k" * 32

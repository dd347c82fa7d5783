"""Keyring unit tests, by property: every way of tampering with a blob, a wrap or a key fails
loudly with CryptoError; round trips hold for any content and any AAD."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.core import keyring, recovery_codes
from domain.core.keyring import (
    COMMIT_LEN,
    NONCE_LEN,
    CryptoError,
    KdfParams,
    aad,
    derive_password,
    derive_recovery,
    hpke_unwrap,
    hpke_wrap,
    new_identity,
    new_recovery_code,
    normalize_recovery_code,
    open_blob,
    random_key,
    seal,
    unwrap_key,
    wrap_key,
)

TINY = KdfParams(8, 1, 1)
HEADER = 1 + NONCE_LEN + COMMIT_LEN
PROPS = settings(max_examples=60, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.too_slow])

keys = st.binary(min_size=32, max_size=32)
plaintexts = st.binary(max_size=2048)
aads = st.builds(aad, st.text(max_size=20), st.text(max_size=20), st.integers(0, 10))


# --------------------------------------------------------------------------- seal / open

@PROPS
@given(key=keys, plaintext=plaintexts, ad=aads)
def test_seal_open_round_trip(key, plaintext, ad):
    blob = seal(key, plaintext, ad)
    assert blob[0] == keyring.BLOB_VERSION
    assert len(blob) == HEADER + len(plaintext) + 16
    assert open_blob(key, blob, ad) == plaintext


@PROPS
@given(key=keys, plaintext=plaintexts, ad=aads, data=st.data())
def test_flipping_any_bit_of_a_blob_fails(key, plaintext, ad, data):
    """Version byte, nonce, commitment, ciphertext and tag: every single bit is protected."""
    blob = bytearray(seal(key, plaintext, ad))
    pos = data.draw(st.integers(0, len(blob) - 1), label="byte")
    bit = data.draw(st.integers(0, 7), label="bit")
    blob[pos] ^= 1 << bit
    with pytest.raises(CryptoError):
        open_blob(key, bytes(blob), ad)


@pytest.mark.parametrize("region", ["version", "nonce", "commitment", "ciphertext", "tag"])
def test_each_region_of_a_blob_is_checked(region):
    key, ad = random_key(), aad("entry", "e1", "owner", "u1", "kv", 1)
    blob = bytearray(seal(key, b"a hard visit today", ad))
    where = {"version": 0, "nonce": 1 + NONCE_LEN // 2, "commitment": 1 + NONCE_LEN + 3,
             "ciphertext": HEADER + 2, "tag": len(blob) - 1}[region]
    blob[where] ^= 0x80
    with pytest.raises(CryptoError):
        open_blob(key, bytes(blob), ad)


@pytest.mark.parametrize("cut", [0, 1, HEADER, HEADER + 15])
def test_truncated_blobs_fail(cut):
    key, ad = random_key(), aad("x")
    with pytest.raises(CryptoError):
        open_blob(key, seal(key, b"text", ad)[:cut], ad)


@PROPS
@given(key=keys, plaintext=plaintexts, ad=aads, other=aads)
def test_other_aad_fails(key, plaintext, ad, other):
    if other == ad:
        other = ad + b"|x"
    with pytest.raises(CryptoError):
        open_blob(key, seal(key, plaintext, ad), other)


def test_blob_copied_to_another_row_fails():
    key = random_key()
    blob = seal(key, b"entry text", aad("entry", "e1", "owner", "u1", "kv", 1))
    for other in (aad("entry", "e2", "owner", "u1", "kv", 1), aad("entry", "e1", "owner", "u2", "kv", 1),
                  aad("entry", "e1", "owner", "u1", "kv", 2)):
        with pytest.raises(CryptoError):
            open_blob(key, blob, other)


@PROPS
@given(key=keys, other=keys, plaintext=plaintexts, ad=aads)
def test_key_of_another_user_fails(key, other, plaintext, ad):
    if other == key:
        other = bytes(b ^ 1 for b in key)
    with pytest.raises(CryptoError):
        open_blob(other, seal(key, plaintext, ad), ad)


@pytest.mark.parametrize("length", [0, 16, 31, 33, 64])
def test_keys_of_the_wrong_length_are_refused(length):
    with pytest.raises(CryptoError):
        seal(b"k" * length, b"x", aad("x"))
    with pytest.raises(CryptoError):
        open_blob(b"k" * length, seal(random_key(), b"x", aad("x")), aad("x"))


def test_forged_key_commitment_is_rejected_before_decryption():
    """A blob that authenticates under key B but carries a commitment to key A (the AES-GCM
    'invisible salamander' setting) is refused by a holder of A and of B alike."""
    key_a, key_b, ad = random_key(), random_key(), aad("entry", "e1")
    blob_a, blob_b = seal(key_a, b"what A reads", ad), seal(key_b, b"what B reads", ad)
    nonce_b = blob_b[1:1 + NONCE_LEN]
    commit_a_for_nonce_b = keyring._commitment(key_a, nonce_b, ad)
    forged = blob_b[:1 + NONCE_LEN] + commit_a_for_nonce_b + blob_b[HEADER:]
    with pytest.raises(CryptoError, match="commitment"):
        open_blob(key_b, forged, ad)
    with pytest.raises(CryptoError):
        open_blob(key_a, forged, ad)
    # A commitment copied from another blob does not match either.
    with pytest.raises(CryptoError, match="commitment"):
        open_blob(key_b, blob_b[:1 + NONCE_LEN] + blob_a[1 + NONCE_LEN:HEADER] + blob_b[HEADER:], ad)


def test_ten_thousand_seals_use_ten_thousand_distinct_nonces():
    key, ad = random_key(), aad("nonce-test")
    nonces = {seal(key, b"", ad)[1:1 + NONCE_LEN] for _ in range(10_000)}
    assert len(nonces) == 10_000


def test_sealing_the_same_plaintext_twice_gives_different_blobs():
    key, ad = random_key(), aad("x")
    assert seal(key, b"same", ad) != seal(key, b"same", ad)


# --------------------------------------------------------------------------- key wrapping

@PROPS
@given(kek=keys, key=keys, ad=aads)
def test_wrap_unwrap_round_trip(kek, key, ad):
    assert unwrap_key(kek, wrap_key(kek, key, ad), ad) == key


@PROPS
@given(kek=keys, key=keys, ad=aads, data=st.data())
def test_tampered_wrapped_key_fails(kek, key, ad, data):
    wrapped = bytearray(wrap_key(kek, key, ad))
    wrapped[data.draw(st.integers(0, len(wrapped) - 1))] ^= 1 << data.draw(st.integers(0, 7))
    with pytest.raises(CryptoError):
        unwrap_key(kek, bytes(wrapped), ad)


def test_wrapped_key_with_another_kek_or_aad_fails():
    kek, key, ad = random_key(), random_key(), aad("userkey", "u1", "password", "kv", 1)
    wrapped = wrap_key(kek, key, ad)
    with pytest.raises(CryptoError):
        unwrap_key(random_key(), wrapped, ad)
    with pytest.raises(CryptoError):
        unwrap_key(kek, wrapped, aad("userkey", "u1", "recovery", "kv", 1))


def test_unwrap_refuses_something_that_is_not_a_key():
    kek, ad = random_key(), aad("x")
    with pytest.raises(CryptoError, match="length"):
        unwrap_key(kek, seal(kek, b"short", ad), ad)


# --------------------------------------------------------------------------- HPKE

def test_hpke_wrap_unwrap_round_trip():
    private, public = new_identity()
    assert len(private) == 32 and len(public) == 32
    key, info = random_key(), aad("share", "e1", "u2", "kv", 1)
    wrapped = hpke_wrap(public, key, info)
    assert key not in wrapped
    assert hpke_unwrap(private, wrapped, info) == key


def test_hpke_wrong_info_fails():
    private, public = new_identity()
    wrapped = hpke_wrap(public, random_key(), aad("share", "e1", "u2", "kv", 1))
    for info in (aad("share", "e2", "u2", "kv", 1), aad("share", "e1", "u3", "kv", 1),
                 aad("share", "e1", "u2", "kv", 2), b""):
        with pytest.raises(CryptoError):
            hpke_unwrap(private, wrapped, info)


def test_hpke_wrong_private_key_fails():
    _private, public = new_identity()
    other_private, _ = new_identity()
    info = aad("share", "e1", "u2", "kv", 1)
    with pytest.raises(CryptoError):
        hpke_unwrap(other_private, hpke_wrap(public, random_key(), info), info)


def test_hpke_tampered_wrap_fails():
    private, public = new_identity()
    info = aad("share", "e1", "u2", "kv", 1)
    wrapped = hpke_wrap(public, random_key(), info)
    for pos in (0, len(wrapped) // 2, len(wrapped) - 1):
        broken = bytearray(wrapped)
        broken[pos] ^= 1
        with pytest.raises(CryptoError):
            hpke_unwrap(private, bytes(broken), info)
    with pytest.raises(CryptoError):
        hpke_unwrap(private, wrapped[:20], info)


def test_hpke_refuses_a_bad_public_key():
    with pytest.raises(CryptoError):
        hpke_wrap(b"short", random_key(), b"info")


def test_fingerprint_is_short_stable_and_distinct():
    _, pub_a = new_identity()
    _, pub_b = new_identity()
    fp = keyring.fingerprint(pub_a)
    assert re.fullmatch(r"([0-9A-F]{4} ){7}[0-9A-F]{4}", fp)
    assert fp == keyring.fingerprint(pub_a) != keyring.fingerprint(pub_b)


# --------------------------------------------------------------------------- recovery codes

def test_recovery_code_format_and_entropy():
    code = new_recovery_code()
    groups = code.split("-")
    assert len(groups) >= 4 and all(len(g) == 4 for g in groups)
    alphabet = set(recovery_codes._RC_ALPHABET)
    assert all(ch in alphabet for ch in "".join(groups))
    bits = len("".join(groups)) * (len(alphabet).bit_length() - 1)
    assert len(alphabet) == 32 and bits >= 128
    assert len({new_recovery_code() for _ in range(200)}) == 200


@settings(max_examples=25, deadline=None, database=None)
@given(data=st.data())
def test_normalize_tolerates_case_dashes_spaces_and_confusables(data):
    code = new_recovery_code()
    plain = code.replace("-", "")
    typed = []
    for ch in plain:
        choice = data.draw(st.sampled_from(["same", "lower", "confuse"]))
        if choice == "lower":
            typed.append(ch.lower())
        elif choice == "confuse" and ch in "OIBG":
            typed.append({"O": "0", "I": "1", "B": "8", "G": "9"}[ch])
        else:
            typed.append(ch)
        typed.append(data.draw(st.sampled_from(["", "", " ", "-", "  ", "\t"])))
    assert normalize_recovery_code("".join(typed)) == plain
    assert normalize_recovery_code(code.lower()) == plain
    assert normalize_recovery_code(" " + code.replace("-", " ") + "\n") == plain


def test_normalize_maps_zero_and_one():
    plain = "O" * 16 + "I" * 16
    assert normalize_recovery_code("0" * 16 + "1" * 16) == plain
    assert normalize_recovery_code("o" * 16 + "i" * 16) == plain


@pytest.mark.parametrize("bad", ["", "ABCD", "A" * 31, "A" * 33, "A" * 31 + "!", "Ä" * 32])
def test_normalize_refuses_what_is_not_a_code(bad):
    assert normalize_recovery_code(bad) is None


def test_derive_recovery_depends_on_code_and_user():
    code = normalize_recovery_code(new_recovery_code())
    other = normalize_recovery_code(new_recovery_code())
    verifier, kek = derive_recovery(code, "user-1")
    assert verifier != kek
    assert derive_recovery(code, "user-1") == (verifier, kek)
    assert derive_recovery(code, "user-2")[1] != kek
    assert derive_recovery(other, "user-1")[1] != kek


# --------------------------------------------------------------------------- password derivation

def test_derive_password_is_deterministic_per_salt_and_different_per_salt():
    salt_a, salt_b = keyring.new_salt(), keyring.new_salt()
    a1 = derive_password("correct horse battery staple", salt_a, TINY)
    a2 = derive_password("correct horse battery staple", salt_a, TINY)
    b = derive_password("correct horse battery staple", salt_b, TINY)
    assert a1 == a2
    assert a1[0] != b[0] and a1[1] != b[1]
    verifier, kek = a1
    assert len(verifier) == len(kek) == 32 and verifier != kek


def test_derive_password_depends_on_password_and_params():
    salt = keyring.new_salt()
    base = derive_password("correct horse battery staple", salt, TINY)
    assert derive_password("correct horse battery stapla", salt, TINY) != base
    assert derive_password("correct horse battery staple", salt, KdfParams(16, 1, 1)) != base
    assert derive_password("correct horse battery staple", salt, KdfParams(8, 2, 1)) != base


def test_verify_compares_against_the_stored_digest_only():
    verifier, _ = derive_password("pw pw pw pw pw", keyring.new_salt(), TINY)
    stored = keyring.digest(verifier)
    assert stored != verifier
    assert keyring.verify(verifier, stored)
    assert not keyring.verify(bytes(32), stored)


def test_kdf_params_below():
    floor = KdfParams(19456, 2, 1)
    assert KdfParams(19455, 3, 4).below(floor)
    assert KdfParams(65536, 1, 4).below(floor)
    assert KdfParams(65536, 3, 0).below(floor)
    assert not KdfParams(19456, 2, 1).below(floor)
    assert not KdfParams(65536, 3, 4).below(floor)


# --------------------------------------------------------------------------- session seal, index, b64

def test_session_seal_key_depends_on_secret_and_salt():
    salt = bytes(32)
    k = keyring.session_seal_key(b"secret-1", salt)
    assert k == keyring.session_seal_key(b"secret-1", salt)
    assert k != keyring.session_seal_key(b"secret-2", salt)
    assert k != keyring.session_seal_key(b"secret-1", bytes([1]) * 32)


def test_blind_index_is_keyed():
    a = keyring.blind_index(b"secret-1", "therapist")
    assert a == keyring.blind_index(b"secret-1", "therapist")
    assert a != keyring.blind_index(b"secret-2", "therapist")
    assert a != keyring.blind_index(b"secret-1", "therapist2")
    assert b"therapist" not in a


@PROPS
@given(data=st.binary(max_size=200))
def test_b64_round_trip(data):
    assert keyring.b64d(keyring.b64e(data)) == data


def test_b64d_refuses_garbage():
    with pytest.raises(CryptoError):
        keyring.b64d("a")

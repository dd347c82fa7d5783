"""Review finding 10 (crypto): per-purpose subkeys of the user key for new blobs (old ones stay
readable, golden vectors), AADs that name purpose, owner and object, and backup codes of 80
random bits under argon2id (old 48-bit codes re-hashed by the migration)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from domain.accounts import account as accounts
from domain.accounts import twofactor
from domain.core import keyring, sealed
from domain.core.db import db
from domain.core.models import ContactLink, User
from domain.journal import entries as journal
from domain.sharing import contacts
from tests.conftest import PASSWORD, base_config

VECTORS = Path(__file__).resolve().parent.parent / "vectors" / "purpose_subkeys_v3.json"


def test_golden_vectors_of_purpose_subkey_blobs_stay_readable():
    data = json.loads(VECTORS.read_text())
    key = bytes.fromhex(data["key"])
    profile, wrap = data["cases"]
    assert keyring.open_for(key, profile["purpose"], bytes.fromhex(profile["blob"]),
                            profile["aad"].encode()) == profile["plaintext"].encode()
    assert keyring.unwrap_for(key, wrap["purpose"], bytes.fromhex(wrap["blob"]),
                              wrap["aad"].encode()) == bytes.fromhex(wrap["plaintext_hex"])
    # The subkey is not the key: the inner blob does not open under the key itself, nor under
    # another purpose's subkey.
    inner = bytes.fromhex(profile["blob"])[1:]
    with pytest.raises(keyring.CryptoError):
        keyring.open_blob(key, inner, profile["aad"].encode())
    with pytest.raises(keyring.CryptoError):
        keyring.open_for(key, "totp", bytes.fromhex(profile["blob"]), profile["aad"].encode())


def _account(app, login="subkeys"):
    from blueprints import guards
    user, key, _ = accounts.create_account(guards.kdf_policy(), guards.server_secret(), login, "Sub Keys", PASSWORD)
    db.session.flush()
    return user, key


def test_new_blobs_use_subkeys_and_old_blobs_stay_readable(app):
    with app.app_context():
        user, key = _account(app)
        assert user.private_key_sealed[0] == keyring.PURPOSE_MARKER      # sealed so at sign-up
        accounts.write_profile(user, key, {"display_name": "New"})
        assert user.profile_sealed[0] == keyring.PURPOSE_MARKER
        row = journal.create(user, key, journal.clean({"kind": "bright_moment", "what_happened": "subkey"}, set(),
                                                      False))
        db.session.flush()
        assert row.wrapped_key[0] == keyring.PURPOSE_MARKER
        # Blobs written the old way (straight under the user key) still open.
        user.profile_sealed = keyring.seal(key, b'{"display_name": "Old"}',
                                           keyring.aad("profile", user.id, "kv", user.key_version))
        assert accounts.read_profile(user, key)["display_name"] == "Old"
        content_key = sealed.content_key(row, journal.TABLE, key)
        row.wrapped_key = keyring.wrap_key(key, content_key,
                                           sealed.wrap_aad(journal.TABLE, row.id, row.owner_id, row.key_version))
        assert journal.read(row, key)["what_happened"] == "subkey"
        db.session.rollback()


def test_totp_secret_is_under_its_own_subkey_with_an_owner_naming_aad(app):
    with app.app_context():
        user, key = _account(app)
        twofactor.enable(user, key, twofactor.new_secret())
        assert user.totp_sealed[0] == keyring.PURPOSE_MARKER
        with pytest.raises(keyring.CryptoError):
            keyring.open_blob(key, user.totp_sealed[1:], keyring.aad("totp", user.id, "kv", 1))
        db.session.rollback()


def test_the_contact_mailbox_names_holder_and_other(app):
    with app.app_context():
        a, ka = _account(app, "holder_a")
        b, kb = _account(app, "other_b")
        _inv, token = contacts.invite(a, ka, "peer")
        db.session.flush()
        contacts.accept(token, b, kb)
        db.session.flush()
        link = db.session.scalar(db.select(ContactLink).where(ContactLink.holder_id == a.id))
        private = accounts.private_key(a, ka)
        opened = keyring.hpke_open(private, link.mailbox, keyring.aad("contact-mailbox", "holder", a.id,
                                                                      "other", b.id))
        assert json.loads(opened)["name"] == "Sub Keys"
        with pytest.raises(keyring.CryptoError):  # the old, holder-only info no longer opens it
            keyring.hpke_open(private, link.mailbox, keyring.aad("contact-mailbox", a.id))
        # An old-style mailbox still reads.
        link.mailbox = keyring.hpke_seal(a.public_key, b'{"name": "Old B"}', keyring.aad("contact-mailbox", a.id))
        assert [c.name for c in contacts.contacts_of(a, ka)] == ["Old B"]
        db.session.rollback()


# --- backup codes ---------------------------------------------------------------------------------

def test_backup_codes_have_80_random_bits_and_are_stored_under_argon2(app):
    with app.app_context():
        user, key = _account(app)
        codes = twofactor.enable(user, key, twofactor.new_secret())
        assert len(codes) == 10 and len(set(codes)) == 10
        assert all(re.fullmatch(r"([0-9A-F]{4}-){4}[0-9A-F]{4}", c) for c in codes)  # 20 hex digits = 80 bits
        stored = json.loads(user.backup_codes)
        assert stored["v"] == 2 and not stored["legacy"] and len(stored["h"]) == 10
        assert not any(c.replace("-", "").lower() in user.backup_codes.lower() for c in codes)
        assert {stored["m"], stored["t"], stored["p"]} and stored["salt"]
        assert twofactor.verify(user, key, codes[3].lower()) is True
        assert twofactor.verify(user, key, codes[3]) is False  # once only
        assert twofactor.backup_codes_left(user) == 9
        db.session.rollback()


def test_the_migration_rehashes_old_48_bit_codes_which_keep_working_once(tmp_path, monkeypatch):
    """Made at revision 0006 the old way, upgraded to 0010: the stored HMACs are gone, the code
    works once, and the settings page suggests new codes."""
    import hashlib
    import hmac

    from flask_migrate import downgrade, upgrade

    from app import create_app
    monkeypatch.setenv("FOKUS_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(base_config(f"sqlite:///{tmp_path / 'old.db'}", tmp_path / "instance"))
    with app.app_context():
        upgrade()
        user, key = _account(app)
        twofactor.enable(user, key, twofactor.new_secret())
        old_codes = ["1A2B-3C4D-5E6F", "0000-1111-2222"]
        old = [hmac.new(user.id.encode(), c.replace("-", "").encode(), hashlib.sha256).hexdigest() for c in old_codes]
        user.backup_codes = json.dumps(old)
        user_id = user.id
        db.session.commit()
        downgrade(revision="0006")
        db.session.execute(db.text("UPDATE users SET backup_codes = :c"), {"c": json.dumps(old)})
        db.session.commit()
        upgrade()
        db.session.expire_all()
        user = db.session.get(User, user_id)
        assert not any(h in user.backup_codes for h in old)
        assert twofactor.backup_codes_legacy(user) and twofactor.backup_codes_left(user) == 2
        assert twofactor.verify(user, key, "1a2b 3c4d 5e6f") is True
        assert twofactor.verify(user, key, "1A2B-3C4D-5E6F") is False
        assert twofactor.backup_codes_left(user) == 1
        db.session.rollback()
        db.engine.dispose()

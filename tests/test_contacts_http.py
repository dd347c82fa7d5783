"""Contacts through HTTP: invitation links (single use, 7 days, QR), sign-up or login through the link,
accepting, own and reused and expired links, already connected, roles, pinned keys, removal."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from blueprints import i18n
from domain.core import keyring
from domain.core.db import db, utcnow
from domain.core.models import ContactLink, Entry, Invitation, Share, User
from domain.sharing import contacts
from domain.sharing import shares as sharing
from tests.conftest import Auth, csrf_from, raw_database_bytes
from tests.test_sharing_crypto import (
    connect,
    login_client,
    make_person,
    reflect,
    share_with,
    view_thread,
    write_entry,
)
from tests.test_sharing_http import count, html, post


def invite_link(client, role: str = "supervisor") -> str:
    """Create an invitation as the logged-in user; returns the link's path (/invite/<token>)."""
    r = post(client, "/contacts/invite", {"role": role})
    assert r.status_code == 200, html(r)
    link = re.search(r'<code id="invite-link">([^<]+)</code>', html(r)).group(1)
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def people(app, *names):
    with app.app_context():
        out = {n: make_person(app, n, f"{n.title()} Person") for n in names}
        db.session.commit()
    return out


def test_the_invite_page_shows_a_single_use_link_and_a_qr_code_and_stores_only_a_hash(app):
    people(app, "tess")
    tess = login_client(app, "tess")
    r = post(tess, "/contacts/invite", {"role": "supervisor"})
    page = html(r)
    assert r.status_code == 200
    link = re.search(r'<code id="invite-link">([^<]+)</code>', page).group(1)
    token = link.rsplit("/", 1)[-1]
    assert link.startswith("http://localhost/invite/") and len(token) >= 40
    assert 'src="data:image/svg+xml' in page
    with app.test_request_context():
        assert i18n.day(utcnow() + timedelta(days=7)) in page  # the local day, in words
    assert token.encode() not in raw_database_bytes(app)
    assert b"Tess Person" not in raw_database_bytes(app)              # the inviter's name is sealed
    assert "1 unused invitation still open" in html(tess.get("/contacts"))
    assert post(tess, "/contacts/invite", {"role": "boss"}).status_code == 400
    assert count(app, Invitation) == 1


def test_sign_up_through_the_link_then_accept(app):
    people(app, "tess")
    tess = login_client(app, "tess")
    path = invite_link(tess, "supervisor")
    newcomer = app.test_client()
    page = html(newcomer.get(path))
    assert "Tess Person invites you" in page and "supervisor" in page
    assert "Create an account to accept" in page
    auth = Auth(newcomer)
    auth.signup("sam", "Sam Supervisor")                 # confirming the recovery code returns to the link
    r = newcomer.get("/")
    page = html(newcomer.get(path))
    assert "Accept" in page
    r = newcomer.post(path, data={"csrf_token": csrf_from(page)})
    assert r.status_code == 302 and r.headers["Location"].endswith("/contacts")
    assert "Sam Supervisor" not in html(newcomer.get("/contacts"))  # my own name is not my contact
    sam_contacts = html(newcomer.get("/contacts"))
    assert "Tess Person" in sam_contacts and "Shares with me" in sam_contacts
    tess_contacts = html(tess.get("/contacts"))
    assert "Sam Supervisor" in tess_contacts and "Supervisor" in tess_contacts
    assert "unused invitation" not in tess_contacts


def test_the_link_brings_a_logged_out_user_back_after_login(app):
    people(app, "tess", "sam")
    path = invite_link(login_client(app, "tess"))
    client = app.test_client()
    client.get(path)
    r = Auth(client).login("sam")
    assert r.status_code == 302 and r.headers["Location"] == path
    page = html(client.get(path))
    assert client.post(path, data={"csrf_token": csrf_from(page)}).status_code == 302
    assert count(app, ContactLink) == 2


def test_an_expired_invitation_is_refused(app):
    people(app, "tess", "sam")
    path = invite_link(login_client(app, "tess"))
    with app.app_context():
        inv = db.session.scalar(select(Invitation))
        inv.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    sam = login_client(app, "sam")
    r = sam.get(path)
    assert r.status_code == 410 and "expired" in html(r) and "Tess Person" not in html(r)
    r = post(sam, path)
    assert r.status_code == 410
    assert app.test_client().get(path).status_code == 410
    assert count(app, ContactLink) == 0


def test_a_used_link_cannot_be_used_again(app):
    people(app, "tess", "sam", "eve")
    path = invite_link(login_client(app, "tess"))
    sam = login_client(app, "sam")
    assert post(sam, path).status_code == 302
    eve = login_client(app, "eve")
    for r in (eve.get(path), post(eve, path), sam.get(path)):
        assert r.status_code == 410 and "already been used" in html(r)
    # the same person sending the same link again (a second tap) gets the same answer, no new contact
    assert post(sam, path).status_code == 302
    assert count(app, ContactLink) == 2
    with app.app_context():
        eve_id = db.session.scalar(select(User.id).where(User.id.not_in(
            select(ContactLink.holder_id))))
        assert eve_id is not None


def test_accepting_ones_own_invitation_is_refused_and_the_link_still_works(app):
    people(app, "tess", "sam")
    tess = login_client(app, "tess")
    path = invite_link(tess)
    r = post(tess, path)
    assert r.status_code == 400 and "your own invitation" in html(r)
    assert count(app, ContactLink) == 0
    assert post(login_client(app, "sam"), path).status_code == 302
    assert count(app, ContactLink) == 2


def test_already_connected_is_refused_without_a_duplicate(app):
    people(app, "tess", "sam")
    tess, sam = login_client(app, "tess"), login_client(app, "sam")
    assert post(sam, invite_link(tess)).status_code == 302
    second = invite_link(tess, "peer")
    r = post(sam, second)
    assert r.status_code == 409 and "already connected" in html(r)
    back = invite_link(sam, "peer")                              # the other direction too
    assert post(tess, back).status_code == 409
    assert count(app, ContactLink) == 2
    with app.app_context():
        roles = {(link.holder_id, link.role) for link in db.session.scalars(select(ContactLink))}
    assert len(roles) == 2 and any(role == "supervisor" for _h, role in roles)


def test_unknown_or_malformed_links_are_404(app):
    people(app, "tess")
    tess = login_client(app, "tess")
    for path in ("/invite/nope", "/invite/" + "A" * 43, "/invite/" + "a" * 101):
        assert tess.get(path).status_code == 404
        assert post(tess, path).status_code == 404
        assert app.test_client().get(path).status_code == 404


def _link_ids(app, a, b) -> tuple[str, str]:
    with app.app_context():
        return contacts.link_between(a.id, b.id).id, contacts.link_between(b.id, a.id).id


def test_only_the_inviter_changes_the_role(app):
    p = people(app, "tess", "sam")
    tess, sam = login_client(app, "tess"), login_client(app, "sam")
    assert post(sam, invite_link(tess, "supervisor")).status_code == 302
    mine, theirs = _link_ids(app, p["tess"], p["sam"])
    assert "Change role" in html(tess.get(f"/contacts/{mine}"))
    assert "Change role" not in html(sam.get(f"/contacts/{theirs}"))
    assert post(tess, f"/contacts/{mine}/role", {"role": "peer"}).status_code == 302
    assert "Peer" in html(tess.get(f"/contacts/{mine}"))
    r = post(sam, f"/contacts/{theirs}/role", {"role": "supervisor"})
    assert r.status_code == 403
    assert post(tess, f"/contacts/{mine}/role", {"role": "owner"}).status_code == 400
    assert post(sam, f"/contacts/{mine}/role", {"role": "peer"}).status_code == 404   # not sam's row
    with app.app_context():
        assert db.session.get(ContactLink, mine).role == "peer"
        assert db.session.get(ContactLink, theirs).role == "client"


def test_both_sides_can_compare_fingerprints(app):
    p = people(app, "tess", "sam")
    tess, sam = login_client(app, "tess"), login_client(app, "sam")
    assert post(sam, invite_link(tess)).status_code == 302
    mine, theirs = _link_ids(app, p["tess"], p["sam"])
    with app.app_context():
        fp_tess = keyring.fingerprint(db.session.get(User, p["tess"].id).public_key)
        fp_sam = keyring.fingerprint(db.session.get(User, p["sam"].id).public_key)
    tess_page, sam_page = html(tess.get(f"/contacts/{mine}")), html(sam.get(f"/contacts/{theirs}"))
    # what tess sees as sam's key is what sam sees as his own key, and the other way round
    assert re.search(rf"Sam Person's key: .*?{fp_sam}", tess_page, re.DOTALL)
    assert re.search(rf"Your key: .*?{fp_sam}", sam_page, re.DOTALL)
    assert re.search(rf"Tess Person's key: .*?{fp_tess}", sam_page, re.DOTALL)
    assert re.search(rf"Your key: .*?{fp_tess}", tess_page, re.DOTALL)


def test_confirming_a_changed_key(app):
    p = people(app, "tess", "sam")
    with app.app_context():
        connect(p["tess"], p["sam"])
        eid = write_entry(p["tess"], "an entry").id
        _priv, new_public = keyring.new_identity()
        db.session.get(User, p["sam"].id).public_key = new_public
        db.session.commit()
    mine, _theirs = _link_ids(app, p["tess"], p["sam"])
    tess = login_client(app, "tess")
    assert "key changed" in html(tess.get("/contacts"))
    page = html(tess.get(f"/contacts/{mine}"))
    assert keyring.fingerprint(new_public) in page and "trust the new key" in page
    r = post(tess, f"/entries/{eid}/share", {"readers": [p["sam"].id]})
    assert r.status_code == 409 and count(app, Share) == 0
    assert post(tess, f"/contacts/{mine}/confirm-key").status_code == 302
    assert "key changed" not in html(tess.get("/contacts"))
    assert post(tess, f"/entries/{eid}/share", {"readers": [p["sam"].id]}).status_code == 302
    sam = login_client(app, "sam")
    assert post(sam, f"/contacts/{mine}/confirm-key").status_code == 404      # not sam's row


def test_removing_a_contact_ends_sharing_both_ways(app):
    p = people(app, "tess", "sam")
    with app.app_context():
        connect(p["tess"], p["sam"])
        t_entry = write_entry(p["tess"], "tess writes this")
        s_entry = write_entry(p["sam"], "sam writes that")
        t_share = share_with(p["tess"], t_entry, p["sam"])
        s_share = share_with(p["sam"], s_entry, p["tess"])
        reflect(p["sam"], t_share)
        db.session.commit()
        ids = t_share.id, s_share.id, s_entry.id
    mine, theirs = _link_ids(app, p["tess"], p["sam"])
    tess, sam = login_client(app, "tess"), login_client(app, "sam")
    assert sam.get(f"/shares/{ids[0]}").status_code == 200
    assert tess.get(f"/shares/{ids[1]}").status_code == 200
    r = post(tess, f"/contacts/{mine}/remove")
    assert r.status_code == 302
    assert "Sam Person is removed" in html(tess.get(r.headers["Location"]))      # the flash
    assert "Sam Person" not in html(tess.get("/contacts"))
    assert "Tess Person" not in html(sam.get("/contacts"))
    assert count(app, ContactLink) == 0
    # both directions end; old links give the plain page
    for client, sid, hidden in ((sam, ids[0], "tess writes"), (tess, ids[1], "sam writes")):
        r = client.get(f"/shares/{sid}")
        assert r.status_code == 410 and hidden not in html(r)
    assert sam.get(f"/contacts/{theirs}").status_code == 404
    assert post(sam, f"/contacts/{theirs}/remove").status_code == 404
    # the owners still read their own threads
    assert "tess writes" in html(tess.get(f"/shares/{ids[0]}"))
    # sam's entry is rotated on his next write request, never on a page view
    with app.app_context():
        assert db.session.get(Entry, ids[2]).needs_rotation
    assert sam.get("/").status_code == 200
    with app.app_context():
        assert db.session.get(Entry, ids[2]).needs_rotation
    view_thread(sam, ids[1])
    with app.app_context():
        assert not db.session.get(Entry, ids[2]).needs_rotation
    # and they can connect again with a new link
    assert post(sam, invite_link(tess)).status_code == 302
    assert count(app, ContactLink) == 2


def test_sharing_stops_offering_a_removed_contact(app):
    p = people(app, "tess", "sam")
    with app.app_context():
        connect(p["tess"], p["sam"])
        eid = write_entry(p["tess"], "an entry").id
        db.session.commit()
    mine, _ = _link_ids(app, p["tess"], p["sam"])
    tess = login_client(app, "tess")
    assert p["sam"].id in html(tess.get(f"/entries/{eid}/share"))
    assert post(tess, f"/contacts/{mine}/remove").status_code == 302
    assert p["sam"].id not in html(tess.get(f"/entries/{eid}/share"))
    r = post(tess, f"/entries/{eid}/share", {"readers": [p["sam"].id]})
    assert r.status_code == 400 and count(app, Share) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Share)) == 0
        assert sharing.sweep(db.session.get(User, p["tess"].id), p["tess"].key) == 0

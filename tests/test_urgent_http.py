"""The urgent path through HTTP: the offer after saving an urgent ethical dilemma, the supervisor
preselected, one POST to send, urgent first with a badge and a count for the reader (inbox, home,
navigation); a new question sends an answered share back to waiting; the reflection opens with
what went well; the mandate goes along only when the owner ticks it."""
from __future__ import annotations

import re

from domain.core.db import db
from domain.core.models import Share
from domain.journal import entries as journal
from domain.journal import processes
from domain.sharing import shares as sharing
from tests.conftest import said
from tests.test_sharing_crypto import connect, login_client, make_person, reflect, share_with, write_entry
from tests.test_sharing_http import count, html, post

MANDATE = {"commissioner": "Barnevernstjenesten Nordby", "goal": "Safer evenings at home",
           "reports_what": "Attendance and progress", "reports_to": "The case worker",
           "parents_know": "yes", "next_review": "2027-01-15"}


def people(app, *readers: tuple[str, str]):
    """tess plus readers given as (login, role for tess); all connected; returns the Person map."""
    with app.app_context():
        out = {"tess": make_person(app, "tess", "Tess Therapist")}
        for login, role in readers:
            out[login] = make_person(app, login, f"{login.title()} Reader")
            connect(out["tess"], out[login], role)
        db.session.commit()
        return out


def save_dilemma(client, supervision: str = "urgent", action: str = "save", text: str = "worried about safety"):
    page = html(client.get("/entries/new/ethical_dilemma"))
    draft = re.search(r'name="draft_id" type="hidden" value="([0-9a-f]+)"', page).group(1)
    r = client.post("/entries/new/ethical_dilemma", data={
        "csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1),
        "draft_id": draft, "kind": "ethical_dilemma", "dilemma": text, "concern_level": "serious",
        "supervision": supervision, "action": action, "pii_ack": "1"})
    return r, draft


def with_mandate(app, who, entry_text: str = "an entry in a process", mandate=None):
    """An entry of `who` that belongs to a process with a mandate; returns the entry id."""
    with app.app_context():
        proc = processes.create(who.user, who.key, {"code": "P-17", "status": "ongoing", "screening": []})
        data = processes.read(proc, who.key)
        processes.update(proc, who.key, {**data, "mandate": mandate if mandate is not None else MANDATE})
        data = journal.clean({"kind": "hard_session", "what_happened": entry_text, "themes": [], "subthemes": [],
                              "supervision": "no", "process_id": proc.id}, {proc.id}, draft=False)
        entry = journal.create(who.user, who.key, data)
        db.session.commit()
        return entry.id


def checked_reader(page: str) -> list[str]:
    return re.findall(r'<input checked[^>]*name="readers"[^>]*value="([0-9a-f]+)"', page) + \
        re.findall(r'<input[^>]*name="readers"[^>]*value="([0-9a-f]+)"[^>]*checked', page)


def test_saving_an_urgent_dilemma_offers_to_send_it_to_the_supervisor_in_one_post(app):
    ppl = people(app, ("sam", "peer"), ("vera", "supervisor"))
    tess = login_client(app, "tess")
    r, entry_id = save_dilemma(tess)
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/entries/{entry_id}/urgent")
    page = html(tess.get(f"/entries/{entry_id}/urgent"))
    assert said(app, "Send it to your supervisor now?") in page
    assert checked_reader(page) == [ppl["vera"].id]          # the supervisor, not the peer
    question = re.search(r'<textarea[^>]*name="question"[^>]*>\s*([^<]+)<', page).group(1).strip()
    assert question and f'href="/entries/{entry_id}"' in page    # "Not now" goes to the entry
    r = post(tess, f"/entries/{entry_id}/urgent", {"readers": [ppl["vera"].id], "question": question})
    assert r.status_code == 302
    assert count(app, Share, Share.entry_id == entry_id, Share.reader_id == ppl["vera"].id) == 1
    assert count(app, Share, Share.reader_id == ppl["sam"].id) == 0
    # the same POST again (a double tap) shares nothing twice
    post(tess, f"/entries/{entry_id}/urgent", {"readers": [ppl["vera"].id], "question": question})
    assert count(app, Share, Share.entry_id == entry_id) == 1
    # once shared, saving it again goes to the entry as usual
    page = html(tess.get(f"/entries/{entry_id}/edit"))
    r = tess.post(f"/entries/{entry_id}/edit", data={
        "csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1),
        "draft_id": entry_id, "version": re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1),
        "kind": "ethical_dilemma", "dilemma": "worried, edited", "supervision": "urgent", "action": "save",
        "pii_ack": "1"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/entries/{entry_id}")


def test_no_offer_for_drafts_or_dilemmas_that_are_not_urgent(app):
    people(app, ("vera", "supervisor"))
    tess = login_client(app, "tess")
    r, entry_id = save_dilemma(tess, supervision="yes")
    assert r.headers["Location"].endswith(f"/entries/{entry_id}")
    r, entry_id = save_dilemma(tess, action="draft")
    assert "/urgent" not in r.headers["Location"]


def test_without_a_supervisor_the_offer_says_how_to_add_one(app):
    people(app)
    tess = login_client(app, "tess")
    _r, entry_id = save_dilemma(tess)
    page = html(tess.get(f"/entries/{entry_id}/urgent"))
    assert said(app, "You have no supervisor among your contacts yet.") in page and 'href="/contacts' in page


def test_of_several_supervisors_the_most_recent_is_preselected(app):
    ppl = people(app, ("old", "supervisor"), ("new", "supervisor"))
    with app.app_context():
        from datetime import timedelta

        from domain.core.models import ContactLink
        link = db.session.query(ContactLink).filter_by(holder_id=ppl["tess"].id, other_id=ppl["old"].id).one()
        link.created_at -= timedelta(days=30)
        db.session.commit()
    tess = login_client(app, "tess")
    _r, entry_id = save_dilemma(tess)
    assert checked_reader(html(tess.get(f"/entries/{entry_id}/urgent"))) == [ppl["new"].id]


def test_a_bad_urgent_post_keeps_the_question_and_answers_4xx(app):
    people(app, ("vera", "supervisor"))
    tess = login_client(app, "tess")
    _r, entry_id = save_dilemma(tess)
    r = post(tess, f"/entries/{entry_id}/urgent", {"question": "keep this question please"})
    assert r.status_code == 400 and "keep this question please" in html(r)
    r = post(tess, f"/entries/{entry_id}/urgent", {"readers": ["x" * 32], "question": "q" * 1001})
    assert 400 <= r.status_code < 500


def test_urgent_shares_come_first_with_a_badge_and_counts_for_the_reader(app):
    ppl = people(app, ("vera", "supervisor"))
    tess, vera = ppl["tess"], ppl["vera"]
    with app.app_context():
        urgent_entry = write_entry(tess, "the urgent one")
        sharing.share(tess.user, tess.key, [urgent_entry.id], [vera.id], "call me", None, urgent=True)
        db.session.commit()
        calm = write_entry(tess, "the calm one")
        share_with(tess, calm, vera, "no hurry")
        db.session.commit()
    reader = login_client(app, "vera")
    page = html(reader.get("/inbox"))
    assert page.index("the urgent one") < page.index("the calm one")   # though the calm one is newer
    badge = said(app, "Urgent")
    assert page.count(f'badge badge-urgent">{badge}<') == 1
    assert said(app, "%(num)d urgent", "%(num)d urgent", 1) in page
    home = html(reader.get("/"))
    assert said(app, "%(num)d urgent entry waits for you", "%(num)d urgent entries wait for you", 1) in home
    # the "Shared" tab counts the two entries waiting for a reflection
    assert re.search(r'href="/inbox"[^>]*>[^<]*<span class="count">2</span>', home)
    # the owner's home shows no urgent line
    assert said(app, "Urgent") not in html(login_client(app, "tess").get("/"))


def test_urgency_is_sealed_and_survives_a_key_rotation(app):
    ppl = people(app, ("vera", "supervisor"), ("sam", "peer"))
    tess, vera, sam = ppl["tess"], ppl["vera"], ppl["sam"]
    with app.app_context():
        entry = write_entry(tess, "rotate me")
        rows = sharing.share(tess.user, tess.key, [entry.id], [vera.id, sam.id], "q", None, urgent=True,
                             include_mandate=False)
        db.session.commit()
        sharing.revoke(tess.user, tess.key, next(r for r in rows if r.reader_id == sam.id))
        db.session.commit()
    page = html(login_client(app, "vera").get("/inbox"))
    assert 'entry-card urgent' in page


def test_the_offer_and_the_inbox_write_nothing_on_get(app):
    from tests.conftest import writes_during
    ppl = people(app, ("vera", "supervisor"))
    tess = login_client(app, "tess")
    _r, entry_id = save_dilemma(tess)
    post(tess, f"/entries/{entry_id}/urgent", {"readers": [ppl["vera"].id], "question": "now"})
    vera = login_client(app, "vera")
    assert writes_during(app, lambda: (tess.get(f"/entries/{entry_id}/urgent"), vera.get("/inbox"),
                                       vera.get("/"))) == []


def test_another_user_cannot_open_or_post_the_offer(app):
    ppl = people(app, ("vera", "supervisor"))
    tess = login_client(app, "tess")
    _r, entry_id = save_dilemma(tess)
    vera = login_client(app, "vera")
    assert vera.get(f"/entries/{entry_id}/urgent").status_code == 404
    assert post(vera, f"/entries/{entry_id}/urgent", {"readers": [ppl["tess"].id]}).status_code == 404
    assert count(app, Share) == 0


# --- item 8: a new question goes back to waiting; reflection opens with what went well ------------

def test_a_new_question_on_an_answered_share_goes_back_to_waiting(app):
    ppl = people(app, ("vera", "supervisor"))
    tess, vera = ppl["tess"], ppl["vera"]
    with app.app_context():
        entry = write_entry(tess, "asked twice")
        row = share_with(tess, entry, vera, "first question")
        reflect(vera, row, did_well="you stayed calm")
        db.session.commit()
        entry_id, share_id = entry.id, row.id
    owner = login_client(app, "tess")
    reader = login_client(app, "vera")
    waiting_answered = said(app, "Waiting for my reflection"), said(app, "Answered")

    def section_of() -> str:
        page = html(reader.get("/inbox"))
        where = page.index("asked twice")
        return "waiting" if page.rfind(waiting_answered[0], 0, where) > page.rfind(waiting_answered[1], 0, where) \
            else "answered"
    assert section_of() == "answered"
    post(owner, f"/entries/{entry_id}/share", {"readers": [vera.id], "question": "first question"})
    assert section_of() == "answered"   # the same question again changes nothing
    post(owner, f"/entries/{entry_id}/share", {"readers": [vera.id], "question": "a second question"})
    assert section_of() == "waiting"
    page = html(reader.get(f"/shares/{share_id}"))
    assert "a second question" in page and "you stayed calm" in page and 'name="did_well"' in page
    r = post(reader, f"/shares/{share_id}/reflection", {"action": "submit", "did_well": "named the fear"})
    assert r.status_code == 302 and section_of() == "answered"
    page = html(reader.get(f"/shares/{share_id}"))
    assert "named the fear" in page and "you stayed calm" in page


def test_the_reflection_opens_with_what_went_well(app):
    ppl = people(app, ("vera", "supervisor"))
    with app.app_context():
        row = share_with(ppl["tess"], write_entry(ppl["tess"], "x"), ppl["vera"])
        db.session.commit()
        share_id = row.id
    page = html(login_client(app, "vera").get(f"/shares/{share_id}"))
    names = re.findall(r'<textarea[^>]*name="(\w+)"', page)
    assert names[:2] == ["did_well", "context"], names
    assert said(app, "What you did well") in page


# --- item 3, sharing side: the mandate only when chosen -------------------------------------------

def test_the_mandate_goes_along_only_when_ticked_and_the_preview_shows_it(app):
    ppl = people(app, ("vera", "supervisor"))
    entry_id = with_mandate(app, ppl["tess"])
    owner = login_client(app, "tess")
    dialog = html(owner.get(f"/entries/{entry_id}/share"))
    assert 'name="include_mandate"' in dialog and MANDATE["commissioner"] in dialog   # preview card
    post(owner, f"/entries/{entry_id}/share", {"readers": [ppl["vera"].id], "question": "q"})
    with app.app_context():
        share_id = db.session.query(Share).filter_by(entry_id=entry_id).one().id
    reader = login_client(app, "vera")
    assert MANDATE["commissioner"] not in html(reader.get(f"/shares/{share_id}"))
    post(owner, f"/entries/{entry_id}/share", {"readers": [ppl["vera"].id], "include_mandate": "y"})
    page = html(reader.get(f"/shares/{share_id}"))
    assert MANDATE["commissioner"] in page and MANDATE["goal"] in page
    assert page.index(MANDATE["goal"]) < page.index(said(app, "Context and mandate"))
    # re-shared without the tick: the reader no longer gets it
    post(owner, f"/entries/{entry_id}/share", {"readers": [ppl["vera"].id]})
    assert MANDATE["commissioner"] not in html(reader.get(f"/shares/{share_id}"))


def test_no_mandate_checkbox_without_a_mandate(app):
    ppl = people(app, ("vera", "supervisor"))
    entry_id = with_mandate(app, ppl["tess"], mandate={})
    assert 'name="include_mandate"' not in html(login_client(app, "tess").get(f"/entries/{entry_id}/share"))


def test_the_urgent_offer_can_include_the_mandate(app):
    ppl = people(app, ("vera", "supervisor"))
    entry_id = with_mandate(app, ppl["tess"])
    owner = login_client(app, "tess")
    assert 'name="include_mandate"' in html(owner.get(f"/entries/{entry_id}/urgent"))
    post(owner, f"/entries/{entry_id}/urgent", {"readers": [ppl["vera"].id], "question": "now",
                                                 "include_mandate": "y"})
    with app.app_context():
        share_id = db.session.query(Share).filter_by(entry_id=entry_id).one().id
    page = html(login_client(app, "vera").get(f"/shares/{share_id}"))
    assert MANDATE["reports_to"] in page and said(app, "Urgent") in page

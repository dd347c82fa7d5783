"""The marker test, extended to sharing: display names, share questions (single and agenda), every
reflection section, replies from both sides, a draft, and everything after a revoke's rotation are
absent from the raw database bytes (SQLite file + WAL, or every PostgreSQL value) and from the logs."""
from __future__ import annotations

import logging
import random
import re
import string

from tests.conftest import Auth, csrf_from, raw_database_bytes
from tests.test_sharing_http import html, post

_rng = random.Random()


def marker(what: str) -> str:
    """Letters only: digits could read as phone numbers or dates and trigger the PII warnings."""
    return "zq" + what[:8] + "".join(_rng.choice(string.ascii_lowercase) for _ in range(10))


def test_nothing_shared_reaches_the_database_or_the_logs_in_clear(app, caplog):
    caplog.set_level(logging.DEBUG)
    markers: list[str] = []

    def m(what: str) -> str:
        markers.append(marker(what))
        return markers[-1]

    tess_c, sam_c, pia_c = app.test_client(), app.test_client(), app.test_client()
    tess_name, sam_name, pia_name = f"Tess {m('tessname')}", f"Sam {m('samname')}", f"Pia {m('pianame')}"
    Auth(tess_c).signup("tess", tess_name)
    Auth(sam_c).signup("sam", sam_name)
    Auth(pia_c).signup("pia", pia_name)
    tokens = []
    for client, role in ((sam_c, "supervisor"), (pia_c, "peer")):
        r = post(tess_c, "/contacts/invite", {"role": role})
        link = re.search(r'<code id="invite-link">([^<]+)</code>', html(r)).group(1)
        tokens.append(link.rsplit("/", 1)[-1])
        path = "/" + link.split("://", 1)[1].split("/", 1)[1]
        assert tess_name in html(client.get(path))                  # the invitee reads the inviter's name
        assert post(client, path).status_code == 302
    contacts_page = html(tess_c.get("/contacts"))
    assert sam_name in contacts_page and pia_name in contacts_page  # names arrived through the mailbox

    # one entry shared with a question, two flagged entries shared as an agenda
    def new_entry(text: str, supervision: str = "no") -> str:
        page = html(tess_c.get("/entries/new/hard_session"))
        draft = re.search(r'name="draft_id" type="hidden" value="([0-9a-f]+)"', page).group(1)
        r = tess_c.post("/entries/new/hard_session", data={
            "csrf_token": csrf_from(page), "draft_id": draft, "kind": "hard_session", "what_happened": text,
            "supervision": supervision, "action": "save"})
        assert r.status_code == 302, html(r)
        return r.headers["Location"].rsplit("/", 1)[-1]

    eid = new_entry(m("entry"))
    flagged = [new_entry(m("flagged"), "yes") for _ in range(2)]
    share_page = html(tess_c.get(f"/entries/{eid}/share"))
    sam_id = re.search(rf'value="([0-9a-f]+)"><span>{sam_name}', share_page).group(1)
    pia_id = re.search(rf'value="([0-9a-f]+)"><span>{pia_name}', share_page).group(1)
    question = m("question")
    assert post(tess_c, f"/entries/{eid}/share", {"readers": [sam_id, pia_id], "question": question}).status_code == 302
    agenda_q = m("agendaq")
    assert post(tess_c, "/share/agenda", {"entries": flagged, "readers": [sam_id], "question": agenda_q}
                ).status_code == 302

    inbox = html(sam_c.get("/inbox"))
    share_ids = re.findall(r'href="/shares/([0-9a-f]+)"', inbox)
    assert len(share_ids) == 3
    sections = {s: m(s) for s in ("context", "alliance", "positive", "feelings", "next_step")}
    threads = {}
    for sid in share_ids:
        page = html(sam_c.get(f"/shares/{sid}"))
        threads[sid] = page
    (sid,) = [s for s, page in threads.items() if question in page]
    assert all(agenda_q in page for s, page in threads.items() if s != sid)

    # sam: a draft, then the structured reflection; pia: a draft only
    draft = m("draft")
    assert post(sam_c, f"/shares/{sid}/reflection", {"context": draft, "action": "draft"}).status_code == 302
    assert post(sam_c, f"/shares/{sid}/reflection", {**sections, "follow_up": "2026-06-01",
                                                     "action": "submit"}).status_code == 302
    pia_inbox = html(pia_c.get("/inbox"))
    (pia_sid,) = re.findall(r'href="/shares/([0-9a-f]+)"', pia_inbox)
    pia_draft = m("piadraft")
    assert post(pia_c, f"/shares/{pia_sid}/reflection", {"feelings": pia_draft, "action": "draft"}).status_code == 302

    # replies from both sides
    owner_reply, reader_reply = m("ownreply"), m("readreply")
    page = html(tess_c.get(f"/shares/{sid}"))
    for value in sections.values():
        assert value in page                                         # stored, encrypted, readable by the owner
    rid = re.search(r'name="reply_id" type="hidden" value="([0-9a-f]+)"', page).group(1)
    assert post(tess_c, f"/shares/{sid}/reply", {"text": owner_reply, "reply_id": rid}).status_code == 302
    page = html(sam_c.get(f"/shares/{sid}"))
    assert owner_reply in page
    rid = re.search(r'name="reply_id" type="hidden" value="([0-9a-f]+)"', page).group(1)
    assert post(sam_c, f"/shares/{sid}/reply", {"text": reader_reply, "reply_id": rid}).status_code == 302

    # revoke pia (rotation re-seals everything), then the owner edits the entry
    m_page = html(tess_c.get(f"/entries/{eid}/sharing"))
    assert tess_c.post(f"/shares/{pia_sid}/revoke", data={"csrf_token": csrf_from(m_page)}).status_code == 302
    assert pia_c.get(f"/shares/{pia_sid}").status_code == 410
    thread = html(sam_c.get(f"/shares/{sid}"))
    for value in (question, owner_reply, reader_reply, *sections.values()):
        assert value in thread                                       # still readable after the rotation

    raw = raw_database_bytes(app)
    assert sid.encode() in raw and eid.encode() in raw               # the scan does see the rows
    for value in markers:
        assert value.encode() not in raw, value
        assert value.upper().encode() not in raw, value
    for token in tokens:
        assert token.encode() not in raw                             # invitation links: hash only
    # field names and section ids inside sealed JSON are not in clear either
    for name in ("next_step", "follow_up", "alliance", "2026-06-01"):
        assert name.encode() not in raw, name
    logged = caplog.text
    for value in markers + tokens:
        assert value not in logged, value

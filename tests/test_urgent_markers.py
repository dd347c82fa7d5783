"""The marker test for the urgent path: the dilemma saved through the form, the urgent question
sent from the offer, the mandate snapshot a share carries, and the reader's "what you did well"
are absent from the raw database bytes and the logs. The mandate itself is written through the
domain (the process form that edits it belongs to another area until the merge)."""
from __future__ import annotations

import logging

from domain.core.db import db
from domain.core.models import Share
from tests.conftest import raw_database_bytes
from tests.test_markers_sharing import marker
from tests.test_sharing_crypto import login_client
from tests.test_sharing_http import html, post
from tests.test_urgent_http import MANDATE, people, save_dilemma, with_mandate


def test_urgent_question_mandate_and_reflection_never_reach_the_database_in_clear(app, caplog):
    caplog.set_level(logging.DEBUG)
    ppl = people(app, ("vera", "supervisor"))
    mandate = {k: (marker(k) if k not in ("parents_know", "next_review") else v) for k, v in MANDATE.items()}
    entry_id = with_mandate(app, ppl["tess"], entry_text=marker("entry"), mandate=mandate)
    tess = login_client(app, "tess")
    dilemma, question, did_well = marker("dilemma"), marker("question"), marker("didwell")
    r, urgent_id = save_dilemma(tess, text=dilemma)
    assert r.headers["Location"].endswith(f"/entries/{urgent_id}/urgent")
    assert post(tess, f"/entries/{urgent_id}/urgent", {"readers": [ppl["vera"].id],
                                                        "question": question}).status_code == 302
    assert post(tess, f"/entries/{entry_id}/share", {"readers": [ppl["vera"].id], "question": question,
                                                      "include_mandate": "y"}).status_code == 302
    with app.app_context():
        share_ids = {s.entry_id: s.id for s in db.session.query(Share)}
    vera = login_client(app, "vera")
    page = html(vera.get(f"/shares/{share_ids[entry_id]}"))
    assert mandate["goal"] in page and question in page                 # the reader reads them
    assert dilemma in html(vera.get(f"/shares/{share_ids[urgent_id]}"))
    assert post(vera, f"/shares/{share_ids[urgent_id]}/reflection",
                {"action": "submit", "did_well": did_well}).status_code == 302
    assert did_well in html(vera.get(f"/shares/{share_ids[urgent_id]}"))
    raw = raw_database_bytes(app)
    markers = [dilemma, question, did_well, *(mandate[k] for k in ("commissioner", "goal", "reports_what", "reports_to"))]
    leaked = [m for m in markers if m.encode() in raw]
    assert not leaked, leaked
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert not [m for m in markers if m in logged]

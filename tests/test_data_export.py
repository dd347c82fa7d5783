"""Export is complete: every entry of every kind, drafts and processes, with every field, through
JSON and the Markdown zip, and a fresh account that imports the JSON ends up with the same journal.

A test that looks at one known entry cannot see an export that drops a whole kind; these compare
the full set (count and content), so a missing kind, entry, draft, field or process fails.
"""
from __future__ import annotations

import io
import json
import re
import zipfile

from domain.catalogue import entry_kinds, themes
from domain.catalogue.entry_kinds import KINDS
from tests.conftest import Auth, csrf_from
from tests.security.conftest import new_marker

PROCESS_FIELDS = ("code", "working_goal", "dialogue_element", "notes")


def _first(vocab, n: int = 1) -> list[str]:
    return [c.id for c in vocab if not c.retired][:n]


def _form_for(kind_id: str, mark: str, process_id: str | None) -> tuple[dict, dict]:
    """(form body, the data the export must hold) for an entry with every field of its kind filled."""
    theme = themes.THEMES[0]
    sub = theme.active_subthemes[0]
    # One title per kind: the Markdown files of a kind share a name stem and must not overwrite
    # each other.
    body = {"kind": kind_id, "title": f"title {kind_id}", "visit_date": "2025-03-14",
            "process_id": process_id or "", "themes_": [theme.id], "subthemes": [sub.id],
            "tags": f"tag{mark}, second tag", "supervision": "yes", "pii_ack": "1",
            "films-0-film": "F2", "films-0-timestamp": "04:12", "films-0-shows": f"shows {mark}"}
    want = {"kind": kind_id, "title": f"title {kind_id}", "visit_date": "2025-03-14", "themes": [theme.id],
            "subthemes": [sub.id], "tags": [f"tag{mark}", "second tag"], "supervision": "yes",
            "film_refs": [{"film": "F2", "timestamp": "04:12", "shows": f"shows {mark}"}]}
    for f in KINDS[kind_id].fields:
        if f.type in ("text", "line"):
            value = f"{f.name} {mark}"
            body[f.name], want[f.name] = value, value
        elif f.type == "choice":
            (value,) = _first(f.vocab)
            body[f.name], want[f.name] = value, value
        elif f.type == "multi":
            values = _first(f.vocab, 2)
            body[f.name], want[f.name] = values, values
        elif f.type == "scale":
            body[f.name], want[f.name] = "7", 7
        elif f.type == "date":
            body[f.name], want[f.name] = "2025-04-01", "2025-04-01"
    return body, want


def _post(client, url: str, body: dict) -> str:
    page = client.get(url).get_data(as_text=True)
    draft = re.search(r'name="draft_id" type="hidden" value="([0-9a-f]+)"', page)
    extra = {"draft_id": draft.group(1)} if draft else {}
    r = client.post(url, data={"csrf_token": csrf_from(page), **extra, **body})
    assert r.status_code == 302, (url, r.status_code, r.get_data(as_text=True)[-2000:])
    return r.headers["Location"].rstrip("/").rsplit("/", 1)[-1]


def _journal(client) -> tuple[dict[str, dict], dict[str, dict]]:
    """Two processes, and per kind two saved entries and one draft. Returns (entries, processes)
    as {marker: what the export must hold}."""
    procs = {}
    for i, status in enumerate(("ongoing", "ended_early")):
        mark = new_marker(f"proc{i}")
        body = {"code": f"MM-25-{10 + i}", "working_goal": f"goal {mark}",
                "dialogue_element": f"element {mark}", "notes": f"notes {mark}", "films": "3",
                "reviews": "2", "status": status, "screening": _first(themes.SCREENING_FLAGS, 2),
                "code_ack": "y", "cps_commissioned": "y" if i else ""}
        pid = _post(client, "/processes/new", body)
        procs[mark] = {"id": pid, "code": body["code"], "working_goal": body["working_goal"],
                       "dialogue_element": body["dialogue_element"], "notes": body["notes"], "films": 3,
                       "reviews": 2, "ended": "" if status == "ongoing" else "early", "screening": body["screening"],
                       "cps_commissioned": bool(i)}
    pids = [p["id"] for p in procs.values()]
    entries = {}
    for n, kind_id in enumerate(KINDS):
        for copy, action in enumerate(("save", "save", "draft")):
            mark = new_marker(f"{kind_id[:4]}{copy}")
            body, want = _form_for(kind_id, mark, pids[(n + copy) % 2] if copy != 1 else None)
            want["id"] = _post(client, f"/entries/new/{kind_id}", {**body, "action": action})
            want["status"] = "draft" if action == "draft" else "saved"
            want["process_id"] = body["process_id"] or None
            entries[mark] = want
    return entries, procs


def _form_post(client, url: str, data: dict, page_url: str = "/about"):
    token = csrf_from(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def _connect(inviter, invitee) -> None:
    r = _form_post(inviter, "/contacts/invite", {"role": "supervisor"})
    link = re.search(r'<code id="invite-link">([^<]+)</code>', r.get_data(as_text=True)).group(1)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    assert _form_post(invitee, path, {}, page_url=path).status_code == 302


def _share_and_talk(owner, reader, entry_id: str, mark: str) -> None:
    """owner shares the entry with reader, who reflects; owner replies (all over HTTP)."""
    page = owner.get(f"/entries/{entry_id}/share").get_data(as_text=True)
    reader_id = re.search(r'name="readers"[^>]*value="([0-9a-f]{32})"', page) or \
        re.search(r'value="([0-9a-f]{32})"[^>]*name="readers"', page)
    r = owner.post(f"/entries/{entry_id}/share", data={"csrf_token": csrf_from(page), "readers": reader_id.group(1),
                                                       "question": f"question {mark}"})
    assert r.status_code == 302, r.get_data(as_text=True)[-2000:]
    inbox = reader.get("/inbox").get_data(as_text=True)
    sid = next(s for s in re.findall(r"/shares/([0-9a-f]{32})", inbox)
               if mark in reader.get(f"/shares/{s}").get_data(as_text=True))
    r = _form_post(reader, f"/shares/{sid}/reflection",
                   {"context": f"context {mark}", "next_step": f"next {mark}", "action": "submit"},
                   page_url=f"/shares/{sid}")
    assert r.status_code == 302
    page = owner.get(f"/shares/{sid}").get_data(as_text=True)
    reply_id = re.search(r'name="reply_id" type="hidden" value="([0-9a-f]+)"', page).group(1)
    r = owner.post(f"/shares/{sid}/reply", data={"csrf_token": csrf_from(page), "text": f"reply {mark}",
                                                 "reply_id": reply_id})
    assert r.status_code == 302


def _check_conversations(dump: dict, dilemma_id: str, received: str, given: str) -> None:
    """The reflection received on the dilemma (with the owner's reply), and the one given on a
    colleague's entry, are both in the export."""
    (entry,) = [e for e in dump["entries"] if e["id"] == dilemma_id] or \
        [e for e in dump["entries"] if received in json.dumps(e["reflections_received"])]
    (conv,) = entry["reflections_received"]
    assert conv["with"] == "Col League"
    contents = [json.dumps(t["content"]) for t in conv["thread"]]
    assert any(f"context {received}" in c and f"next {received}" in c for c in contents)
    assert any(f"reply {received}" in c for c in contents)
    assert [e for e in dump["entries"] if e["reflections_received"]] == [entry]
    (gave,) = dump["reflections_given"]
    assert gave["for"] == "Col League" and f"context {given}" in json.dumps(gave["thread"])


def _export(client, what: str) -> bytes:
    token = csrf_from(client.get("/settings/data/").get_data(as_text=True))
    r = client.post(f"/settings/data/export.{what}", data={"csrf_token": token})
    assert r.status_code == 200
    return r.data


def _by_marker(items: list[dict], markers) -> dict[str, dict]:
    """Each exported item under the one marker its text carries (two would be a mix-up)."""
    out = {}
    for item in items:
        found = [m for m in markers if m in json.dumps(item["data"])]
        assert len(found) == 1, (found, item)
        out[found[0]] = item
    return out


def _check_json(dump: dict, entries: dict, procs: dict) -> None:
    assert dump["format"] == "fokus-export"
    assert len(dump["entries"]) == len(entries) == 12
    assert sorted(e["data"]["kind"] for e in dump["entries"]) == sorted(k for k in KINDS for _ in range(3))
    exported = _by_marker(dump["entries"], entries)
    assert set(exported) == set(entries)
    for mark, want in entries.items():
        got = exported[mark]["data"]
        assert exported[mark]["id"] == want["id"]
        assert {k: got.get(k) for k in want if k != "id"} == {k: v for k, v in want.items() if k != "id"}, mark
    assert len(dump["processes"]) == len(procs) == 2
    for mark, p in _by_marker(dump["processes"], procs).items():
        assert p["id"] == procs[mark]["id"]
        assert {k: p["data"].get(k) for k in procs[mark] if k != "id"} == \
            {k: v for k, v in procs[mark].items() if k != "id"}


def _check_markdown(raw: bytes, entries: dict) -> None:
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        files = {n: z.read(n).decode() for n in z.namelist()}
    assert "fokus/README.md" in files
    notes = {n: t for n, t in files.items() if n != "fokus/README.md"}
    assert len(notes) == len(entries)
    for mark, want in entries.items():
        (name,) = [n for n, t in notes.items() if mark in t]
        text = notes[name]
        kind = KINDS[want["kind"]]
        assert text.startswith(f"# title {want['kind']}\n") and f"*{kind.label}*, 14 March 2025" in text  # prose: the date in words
        assert want["kind"].replace("_", "-") in name
        for f in KINDS[want["kind"]].fields:
            assert f"## {f.label}\n\n{entry_kinds.display(f, want[f.name])}\n" in text, (mark, f.name)
        assert f"tag{mark}" in text and f"shows {mark}" in text
        assert f"- {themes.THEMES[0].name}" in text


def _comparable(dump: dict) -> list[str]:
    """Entries as content, with process ids replaced by their codes (ids differ across accounts)."""
    codes = {p["id"]: p["data"]["code"] for p in dump["processes"]}
    out = []
    for e in dump["entries"]:
        data = dict(e["data"], process_id=codes.get(e["data"].get("process_id")))
        data.pop("archived_reflections", None)  # an imported conversation is kept as an archive
        out.append(json.dumps([data, e["created_at"], e["reflections_received"]], sort_keys=True))
    return sorted(out)


def _import(client, dump: dict) -> None:
    token = csrf_from(client.get("/settings/data/").get_data(as_text=True))
    r = client.post("/settings/data/import", data={"csrf_token": token,
                    "file": (io.BytesIO(json.dumps(dump).encode()), "export.json")},
                    content_type="multipart/form-data")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "<strong>12</strong> new entries" in page, page[-3000:]
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', page).group(1)
    r = client.post("/settings/data/import/confirm", data={"csrf_token": csrf_from(page), "payload": payload})
    assert r.status_code == 302


def test_export_holds_every_entry_draft_and_process_and_imports_whole(app):
    a, b, c = app.test_client(), app.test_client(), app.test_client()
    Auth(a).signup("exporter", "Ex Porter")
    Auth(c).signup("colleague", "Col League")
    entries, procs = _journal(a)
    # A conversation on one of the dilemmas, and a reflection the exporter gave a colleague.
    _connect(a, c)
    dilemma = next(m for m, w in entries.items() if w["kind"] == "ethical_dilemma" and w["status"] == "saved")
    received, given = new_marker("received"), new_marker("given")
    _share_and_talk(a, c, entries[dilemma]["id"], received)
    _, theirs = _journal_of_one(c, given)
    _share_and_talk(c, a, theirs, given)

    dump = json.loads(_export(a, "json"))
    _check_json(dump, entries, procs)
    _check_conversations(dump, entries[dilemma]["id"], received, given)
    zipped = _export(a, "zip")
    _check_markdown(zipped, entries)
    with zipfile.ZipFile(io.BytesIO(zipped)) as z:
        (note,) = [z.read(n).decode() for n in z.namelist() if dilemma in z.read(n).decode()]
    assert "## Conversation with Col League" in note and f"context {received}" in note
    assert f"reply {received}" in note

    Auth(b).signup("importer", "Im Porter")
    # As a file from an older account would: creation times long before today, so an import that
    # stamped its own time instead of the file's could not pass for a faithful one.
    for i, e in enumerate(dump["entries"]):
        e["created_at"] = f"2024-{i % 12 + 1:02d}-15T09:{i:02d}:00"
    _import(b, dump)
    again = json.loads(_export(b, "json"))
    assert len(again["entries"]) == 12 and len(again["processes"]) == 2
    assert _comparable(again) == _comparable(dump)
    _check_conversations(again, "", received, given)
    assert sorted(json.dumps(p["data"], sort_keys=True) for p in again["processes"]) \
        == sorted(json.dumps(p["data"], sort_keys=True) for p in dump["processes"])
    # The importer's own Markdown export holds the same notes.
    _check_markdown(_export(b, "zip"), entries)
    # Importing the same file twice adds nothing.
    token = csrf_from(b.get("/settings/data/").get_data(as_text=True))
    r = b.post("/settings/data/import", data={"csrf_token": token,
               "file": (io.BytesIO(json.dumps(dump).encode()), "export.json")},
               content_type="multipart/form-data")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "<strong>0</strong> new entries" in page
    assert "<strong>12</strong> entries are already" in page and "<strong>0</strong> guidance" in page


def _journal_of_one(client, mark: str) -> tuple[str, str]:
    """One saved entry of the colleague's own; returns (marker, entry id)."""
    body, _want = _form_for("bright_moment", mark, None)
    return mark, _post(client, "/entries/new/bright_moment", {**body, "action": "save"})

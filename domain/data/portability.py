"""Take your data with you: JSON export (complete, re-importable by domain/data/importing.py) and
Markdown files. Everything is built in memory for one request and never written to disk."""
from __future__ import annotations

import io
import re
import zipfile

from domain.accounts import account as accounts
from domain.catalogue import entry_kinds, themes
from domain.core import keyring
from domain.core.db import utcnow
from domain.core.models import Share, User
from domain.core.refusal import N_
from domain.data.wording import ENGLISH, Reader
from domain.journal import entries as journal
from domain.journal import processes
from domain.sharing import shares as sharing

FORMAT = "fokus-export"
VERSION = 1
# What could_not_open lists (the JSON keeps the English word: it is data), for the README.
_UNOPENED = {"entry": N_("entry"), "reflections on entry": N_("reflections on entry")}


def _thread(share: Share, decision: sharing.Decision, user: User, user_key: bytes) -> list[dict]:
    key = sharing.entry_key_for(decision, user, user_key)
    return [{"kind": m.item.kind, "at": m.item.created_at.isoformat(timespec="seconds"), "mine": m.mine,
             "content": m.content} for m in sharing.thread(share, key, user.id, None) if not m.item.draft]


def export(user: User, user_key: bytes, names: dict[str, str]) -> dict:
    """Everything the user owns or wrote, decrypted: profile, processes, entries with the
    reflections received on them, and reflections given on colleagues' entries."""
    procs = processes.all_items(user.id, user_key)
    items = journal.all_items(user.id, user_key, include_broken=True)
    # One row that cannot be opened never spoils the export: it is listed, everything else is in.
    unopened = [{"id": i.row.id, "what": "entry", "created_at": _at(i.row.created_at),
                 "updated_at": _at(i.row.updated_at)} for i in items if i.broken]
    items = [i for i in items if not i.broken]
    received = _received(items, user, user_key, names, unopened)
    profile = accounts.read_profile(user, user_key)
    given = _given(user, user_key, names) + profile.get("archived_given", [])
    return {
        "format": FORMAT, "version": VERSION, "catalogue": themes.CATALOGUE_VERSION,
        "exported_at": _at(utcnow()),
        "profile": {"display_name": profile.get("display_name", "")},
        "processes": [{"id": p.row.id, "created_at": _at(p.row.created_at), "data": p.data} for p in procs],
        "entries": [{"id": i.row.id, "created_at": _at(i.row.created_at), "updated_at": _at(i.row.updated_at),
                     "data": i.data,
                     "reflections_received": received.get(i.row.id, []) + i.data.get("archived_reflections", [])}
                    for i in items],
        "reflections_given": given,
        "could_not_open": unopened,
    }


def _at(when) -> str:
    return when.isoformat(timespec="seconds")


def _received(items: list, user: User, user_key: bytes, names: dict[str, str], unopened: list) -> dict[str, list]:
    """Conversations on the user's own entries, by entry id; threads that do not open go to `unopened`."""
    received: dict[str, list] = {}
    for item in items:
        for s in sharing.shares_of_entry(item.row.id):
            try:
                thread = _thread(s, sharing.Decision("owner", item.row, s), user, user_key)
            except (keyring.CryptoError, ValueError):
                unopened.append({"id": item.row.id, "what": "reflections on entry"})
                continue
            if thread:
                received.setdefault(item.row.id, []).append({"with": names.get(s.reader_id, ""), "thread": thread})
    return received


def _given(user: User, user_key: bytes, names: dict[str, str]) -> list[dict]:
    """What the user wrote on colleagues' entries shared with them."""
    given = []
    for s in sharing.inbox(user.id):
        decision = sharing.decide_share(user.id, s.id)
        if decision.role != "reader":
            continue
        thread = [t for t in _thread(s, decision, user, user_key) if t["mine"]]
        if thread:
            data = sharing.read_entry(decision, sharing.entry_key_for(decision, user, user_key))
            given.append({"for": names.get(s.owner_id, ""), "entry": entry_kinds.headline(data["kind"], data),
                          "thread": thread})
    return given


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold())[:40].strip("-") or "entry"


def entry_markdown(data: dict, created: str, received: list, reader: Reader = ENGLISH) -> str:
    kind = entry_kinds.KINDS[data["kind"]]
    say = reader.say
    lines = [f"# {entry_kinds.headline(data['kind'], data)}", "",
             f"*{kind.label}*, {reader.day_of(data.get('visit_date') or created)}", ""]
    for f in kind.fields:
        v = data.get(f.name)
        if v in (None, "", []):
            continue
        lines += [f"## {f.label}", "", entry_kinds.display(f, v), ""]
    if data.get("themes"):
        lines += ["## " + say(N_("Themes")), ""]
        lines += [f"- {themes.theme(t).name}" for t in data["themes"] if t in themes.THEME_IDS]
        lines += [f"  - {themes.subtheme(s).name}" for s in data.get("subthemes", []) if s in themes.SUBTHEME_IDS] + [""]
    if data.get("tags"):
        lines += [say(N_("Tags: %(tags)s"), tags=", ".join(data["tags"])), ""]
    for r in data.get("film_refs") or []:
        lines += ["- " + say(N_("Film %(film)s at %(time)s: %(shows)s"), film=r.get("film", "?"),
                             time=r.get("timestamp", ""), shows=r.get("shows", ""))]
    for conv in received:
        who = conv.get("with") or say(N_("a colleague"))
        lines += ["", "## " + say(N_("Conversation with %(name)s"), name=who), ""]
        for t in conv["thread"]:
            body = t["content"].get("text") or "\n".join(f"**{k}**: {v}" for k, v in t["content"].items() if v)
            author = say(N_("Me")) if t["mine"] else conv.get("with") or say(N_("Colleague"))
            lines += [f"*{author}, {reader.when_of(t['at'])}*", "", body, ""]
    return "\n".join(lines).strip() + "\n"


def markdown_zip(dump: dict, reader: Reader = ENGLISH) -> bytes:
    """One Markdown file per entry, in the reader's language; file names keep ISO dates."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        used: set[str] = set()
        for e in dump["entries"]:
            d = e["data"]
            base = f"{d.get('visit_date') or e['created_at'][:10]}-{d['kind'].replace('_', '-')}-{_slug(entry_kinds.headline(d['kind'], d))}"
            name, n = f"{base}.md", 1
            while name in used:
                n += 1
                name = f"{base}-{n}.md"
            used.add(name)
            z.writestr(f"fokus/{name}", entry_markdown(d, e["created_at"], e.get("reflections_received", []), reader))
        z.writestr("fokus/README.md", _readme(dump, reader))
    return buf.getvalue()


def _readme(dump: dict, reader: Reader) -> str:
    say = reader.say
    missing = "".join("\n- " + say(N_("%(what)s %(id)s: could not be opened, not included"),
                                    what=say(_UNOPENED.get(u["what"], u["what"])), id=u["id"])
                      for u in dump.get("could_not_open", []))
    title = say(N_("My Fokus journal"))
    return (f"# {title}\n\n"
            + say(N_("One file per entry, exported %(when)s. Keep this somewhere private."),
                  when=reader.when_of(dump["exported_at"])) + f"\n{missing}\n")

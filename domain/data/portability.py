"""Take your data with you: JSON export (complete, re-importable), Markdown files, and import with
duplicate detection. Everything is built in memory for one request and never written to disk."""
from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select

from domain.accounts import account as accounts
from domain.catalogue import entry_kinds, themes
from domain.core import keyring
from domain.core.db import db, utcnow
from domain.core.models import Entry, Share, User
from domain.data import import_schema
from domain.journal import entries as journal
from domain.journal import processes
from domain.journal.entries import EntryError
from domain.sharing import shares as sharing

FORMAT = "fokus-export"
VERSION = 1
MAX_ITEMS = 20000


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
    unopened = [{"id": i.row.id, "what": "entry", "created_at": i.row.created_at.isoformat(timespec="seconds"),
                 "updated_at": i.row.updated_at.isoformat(timespec="seconds")} for i in items if i.broken]
    items = [i for i in items if not i.broken]
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
    profile = accounts.read_profile(user, user_key)
    given += profile.get("archived_given", [])
    return {
        "format": FORMAT, "version": VERSION, "catalogue": themes.CATALOGUE_VERSION,
        "exported_at": utcnow().isoformat(timespec="seconds"),
        "profile": {"display_name": profile.get("display_name", "")},
        "processes": [{"id": p.row.id, "created_at": p.row.created_at.isoformat(timespec="seconds"),
                       "data": p.data} for p in procs],
        "entries": [{"id": i.row.id, "created_at": i.row.created_at.isoformat(timespec="seconds"),
                     "updated_at": i.row.updated_at.isoformat(timespec="seconds"), "data": i.data,
                     "reflections_received": received.get(i.row.id, []) + i.data.get("archived_reflections", [])}
                    for i in items],
        "reflections_given": given,
        "could_not_open": unopened,
    }


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold())[:40].strip("-") or "entry"


def entry_markdown(data: dict, created: str, received: list) -> str:
    kind = entry_kinds.KINDS[data["kind"]]
    lines = [f"# {entry_kinds.headline(data['kind'], data)}", "", f"*{kind.label}*, {data.get('visit_date') or created[:10]}", ""]
    for f in kind.fields:
        v = data.get(f.name)
        if v in (None, "", []):
            continue
        lines += [f"## {f.label}", "", entry_kinds.display(f, v), ""]
    if data.get("themes"):
        lines += ["## Themes", ""] + [f"- {themes.theme(t).name}" for t in data["themes"] if t in themes.THEME_IDS]
        lines += [f"  - {themes.subtheme(s).name}" for s in data.get("subthemes", []) if s in themes.SUBTHEME_IDS] + [""]
    if data.get("tags"):
        lines += ["Tags: " + ", ".join(data["tags"]), ""]
    for r in data.get("film_refs") or []:
        lines += [f"- Film {r.get('film', '?')} at {r.get('timestamp', '')}: {r.get('shows', '')}"]
    for conv in received:
        lines += ["", f"## Conversation with {conv.get('with') or 'a colleague'}", ""]
        for t in conv["thread"]:
            body = t["content"].get("text") or "\n".join(f"**{k}**: {v}" for k, v in t["content"].items() if v)
            lines += [f"*{'Me' if t['mine'] else conv.get('with') or 'Colleague'}, {t['at']}*", "", body, ""]
    return "\n".join(lines).strip() + "\n"


def markdown_zip(dump: dict) -> bytes:
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
            z.writestr(f"fokus/{name}", entry_markdown(d, e["created_at"], e.get("reflections_received", [])))
        missing = "".join(f"\n- {u['what']} {u['id']}: could not be opened, not included"
                          for u in dump.get("could_not_open", []))
        z.writestr("fokus/README.md", "# My Fokus journal\n\nOne file per entry, exported "
                   f"{dump['exported_at']} UTC. Keep this somewhere private.\n{missing}\n")
    return buf.getvalue()


def fingerprint(data: dict) -> str:
    """Content identity for duplicate detection: what was written and chosen, not ids or status."""
    core = {k: v for k, v in data.items() if k not in ("process_id", "status", "v", "catalogue",
                                                       "archived_reflections")}
    return hashlib.sha256(json.dumps(core, sort_keys=True).encode()).hexdigest()


class ImportError_(ValueError):
    """The file cannot be imported; the message says why in plain words."""


@dataclass
class Plan:
    processes: list[dict] = field(default_factory=list)
    new_entries: list[dict] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    given: list[dict] = field(default_factory=list)


def parse(raw: bytes) -> dict:
    """Read an export file: bounded depth and numbers, then the schema (domain/data/import_schema.py)."""
    try:
        dump = import_schema.loads(raw.decode("utf-8"))
        if not isinstance(dump, dict) or dump.get("format") != FORMAT:
            raise ImportError_("This file is not a Fokus export.")
        import_schema.validate(dump)
    except UnicodeDecodeError as exc:
        raise ImportError_("This file is not a Fokus export (it is not text).") from exc
    except import_schema.ImportProblem as exc:
        raise ImportError_(str(exc)) from exc
    if dump.get("version") != VERSION:
        raise ImportError_("This export comes from a newer Fokus version that this server cannot read.")
    if not isinstance(dump.get("entries"), list) or not isinstance(dump.get("processes", []), list):
        raise ImportError_("This export is incomplete: entries are missing.")
    if len(dump["entries"]) + len(dump.get("processes", [])) > MAX_ITEMS:
        raise ImportError_(f"This export is too large (more than {MAX_ITEMS} items).")
    return dump


def plan(user: User, user_key: bytes, dump: dict) -> Plan:
    existing = {fingerprint(i.data) for i in journal.all_items(user.id, user_key)}
    known_codes = {p.code for p in processes.all_items(user.id, user_key)}
    given = dump.get("reflections_given")
    p = Plan(given=[{"for": c["with"], "entry": g["entry"][:200] if isinstance(g.get("entry"), str) else "",
                     "thread": c["thread"]}
                    for g in (given if isinstance(given, list) else []) if isinstance(g, dict)
                    for c in _conversations([{"with": g.get("for"), "thread": g.get("thread")}])])
    p.processes = [x for x in dump.get("processes", []) if isinstance(x, dict) and isinstance(x.get("data"), dict)
                   and isinstance(x["data"].get("code"), str) and 0 < len(x["data"]["code"]) <= processes.CODE_MAX
                   and x["data"]["code"] not in known_codes]
    seen: set[str] = set()
    for e in dump["entries"]:
        if not isinstance(e, dict) or not isinstance(e.get("data"), dict):
            raise ImportError_("This export has an entry that cannot be read.")
        fp = fingerprint(sanitize(e["data"]))
        (p.duplicates if fp in existing or fp in seen else p.new_entries).append(e)
        seen.add(fp)
    return p


_COMMON = ("kind", "title", "visit_date", "process_id", "themes", "subthemes", "tags", "supervision",
           "film_refs", "status", "archived_reflections")


def _str(v, n: int) -> str:
    if v is None:
        return ""
    if not isinstance(v, str) or len(v) > n:
        raise ImportError_("An entry in this file has a field that is too long or of the wrong type.")
    return v


def sanitize(data: dict) -> dict:
    """Keep only known fields, of the right types and sizes: an import is untrusted input."""
    kind = data.get("kind")
    if kind not in entry_kinds.KINDS:
        raise ImportError_("An entry in this file has an unknown kind.")
    out: dict = {"kind": kind}
    out["title"] = _str(data.get("title"), entry_kinds.TITLE_MAX)
    out["visit_date"] = _str(data.get("visit_date"), 10) or None
    out["process_id"] = _str(data.get("process_id"), 64) or None
    out["supervision"] = _str(data.get("supervision"), 10) or "no"
    out["status"] = "draft" if data.get("status") == "draft" else "saved"
    for name, limit in (("themes", 4), ("subthemes", 60), ("tags", entry_kinds.TAGS_MAX)):
        v = data.get(name) or []
        if not isinstance(v, list) or len(v) > limit:
            raise ImportError_(f"An entry in this file has too many {name}.")
        out[name] = [_str(x, entry_kinds.TAG_MAX if name == "tags" else 80) for x in v]
    refs = data.get("film_refs") or []
    if not isinstance(refs, list) or len(refs) > entry_kinds.FILM_REFS_MAX or not all(isinstance(r, dict) for r in refs):
        raise ImportError_("An entry in this file has unreadable film moments.")
    out["film_refs"] = [{k: _str(r.get(k), entry_kinds.LINE_MAX) for k in ("film", "timestamp", "shows")} for r in refs]
    for f in entry_kinds.KINDS[kind].fields:
        v = data.get(f.name)
        if f.type == "multi":
            v = [_str(x, 40) for x in (v or [])] if isinstance(v, list) else []
        elif f.type == "scale":
            v = v if isinstance(v, int) and not isinstance(v, bool) else None
        else:
            v = _str(v, f.max_len) or (None if f.type in ("date", "choice") else "")
        out[f.name] = v
    if isinstance(data.get("archived_reflections"), list):
        out["archived_reflections"] = _conversations(data["archived_reflections"])
    return out


def _old_id(x: dict) -> str | None:
    """A process id from the file, only if it can be one (a list here was a 500)."""
    old = x.get("id")
    return old if isinstance(old, str) else None


def _conversations(value) -> list[dict]:
    """Archived threads from a file, kept only in the shape export and Markdown read back
    ({"with": str, "thread": [{"kind", "at", "mine", "content": {str: str}}]}): anything else in an
    untrusted file would break every later export of the entry."""
    out = []
    for conv in value[:50] if isinstance(value, list) else []:
        if not isinstance(conv, dict) or not isinstance(conv.get("thread"), list):
            continue
        thread = [{"kind": _str(t.get("kind"), 20), "at": _str(t.get("at"), 40), "mine": bool(t.get("mine")),
                   "content": {str(k)[:40]: v for k, v in t["content"].items() if isinstance(v, str) and len(v) <= 8000}}
                  for t in conv["thread"][:200]
                  if isinstance(t, dict) and isinstance(t.get("content"), dict)
                  and all(isinstance(t.get(k, ""), str) and len(t.get(k) or "") <= n for k, n in (("kind", 20), ("at", 40)))]
        if thread:
            out.append({"with": conv["with"][:200] if isinstance(conv.get("with"), str) else "", "thread": thread})
    return out


def apply(user: User, user_key: bytes, p: Plan, dump: dict) -> int:
    """Create what the plan lists. Processes get new ids; entries follow them. Returns entries added."""
    id_map = {}
    for x in p.processes:
        d = x["data"]
        clean = {"code": d["code"], **{k: _str(d.get(k), 2000) for k in ("working_goal", "dialogue_element", "notes")},
                 "films": d.get("films") if isinstance(d.get("films"), int) else 0,
                 "reviews": d.get("reviews") if isinstance(d.get("reviews"), int) else 0,
                 "cps_commissioned": bool(d.get("cps_commissioned")),
                 "status": d.get("status") if isinstance(d.get("status"), str) else None,
                 "screening": [s for s in d.get("screening") or [] if isinstance(s, str)]
                 if isinstance(d.get("screening"), list) else []}
        id_map[_old_id(x)] = processes.create(user, user_key, clean).id
    for x in processes.all_items(user.id, user_key):
        for old in dump.get("processes", []):
            if isinstance(old, dict) and isinstance(old.get("data"), dict) and old["data"].get("code") == x.code:
                id_map.setdefault(_old_id(old), x.row.id)
    db.session.flush()
    for e in p.new_entries:
        data = sanitize(e["data"])
        data["process_id"] = id_map.get(data.get("process_id"))
        if isinstance(e.get("reflections_received"), list) and e["reflections_received"]:
            data["archived_reflections"] = _conversations(e["reflections_received"])
        try:
            clean = journal.clean(data, set(id_map.values()), draft=data.get("status") == "draft")
        except EntryError as exc:
            raise ImportError_(f"An entry could not be imported: {exc}") from exc
        row = journal.create(user, user_key, clean)
        if isinstance(e.get("created_at"), str):
            row.created_at = _naive_utc(e["created_at"]) or row.created_at
    if p.given:
        profile = accounts.read_profile(user, user_key)
        profile["archived_given"] = (profile.get("archived_given") or []) + p.given
        accounts.write_profile(user, user_key, profile)
    return len(p.new_entries)


def _naive_utc(text: str) -> datetime | None:
    """A timestamp from the file as naive UTC (what the database columns hold), or None."""
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        return None
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at


def owned_entry_ids(user_id: str) -> set[str]:
    return set(db.session.scalars(select(Entry.id).where(Entry.owner_id == user_id)))

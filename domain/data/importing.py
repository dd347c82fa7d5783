"""Bring your data back: read a Fokus export file (untrusted input), plan what is new and what
duplicates the journal, and create it. Built in memory for one request, never written to disk."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from domain.accounts import account as accounts
from domain.catalogue import entry_kinds
from domain.core.db import db
from domain.core.models import User
from domain.core.refusal import N_, Refusal
from domain.data import import_schema
from domain.data.portability import FORMAT, VERSION
from domain.journal import entries as journal
from domain.journal import processes
from domain.journal.entries import EntryError

MAX_ITEMS = 20000


def fingerprint(data: dict) -> str:
    """Content identity for duplicate detection: what was written and chosen, not ids or status."""
    core = {k: v for k, v in data.items() if k not in ("process_id", "status", "v", "catalogue",
                                                       "archived_reflections")}
    return hashlib.sha256(json.dumps(core, sort_keys=True).encode()).hexdigest()


class ImportError_(Refusal, ValueError):
    """The file cannot be imported; the message (an N_ msgid) says why in plain words."""


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
            raise ImportError_(N_("This file is not a Fokus export."))
        import_schema.validate(dump)
    except UnicodeDecodeError as exc:
        raise ImportError_(N_("This file is not a Fokus export (it is not text).")) from exc
    except import_schema.ImportProblem as exc:
        raise ImportError_(exc.message, **exc.params) from exc
    if dump.get("version") != VERSION:
        raise ImportError_(N_("This export comes from a newer Fokus version that this server cannot read."))
    if not isinstance(dump.get("entries"), list) or not isinstance(dump.get("processes", []), list):
        raise ImportError_(N_("This export is incomplete: entries are missing."))
    if len(dump["entries"]) + len(dump.get("processes", [])) > MAX_ITEMS:
        raise ImportError_(N_("This export is too large (more than %(num)d items)."), num=MAX_ITEMS)
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
            raise ImportError_(N_("This export has an entry that cannot be read."))
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
        raise ImportError_(N_("An entry in this file has a field that is too long or of the wrong type."))
    return v


def sanitize(data: dict) -> dict:
    """Keep only known fields, of the right types and sizes: an import is untrusted input."""
    kind = data.get("kind")
    if kind not in entry_kinds.KINDS:
        raise ImportError_(N_("An entry in this file has an unknown kind."))
    out: dict = {"kind": kind}
    out["title"] = _str(data.get("title"), entry_kinds.TITLE_MAX)
    out["visit_date"] = _str(data.get("visit_date"), 10) or None
    out["process_id"] = _str(data.get("process_id"), 64) or None
    out["supervision"] = _str(data.get("supervision"), 10) or "no"
    out["status"] = "draft" if data.get("status") == "draft" else "saved"
    for name, limit in (("themes", 4), ("subthemes", 60), ("tags", entry_kinds.TAGS_MAX)):
        v = data.get(name) or []
        if not isinstance(v, list) or len(v) > limit:
            raise ImportError_(N_("An entry in this file has too many %(name)s."), name=name)
        out[name] = [_str(x, entry_kinds.TAG_MAX if name == "tags" else 80) for x in v]
    refs = data.get("film_refs") or []
    if not isinstance(refs, list) or len(refs) > entry_kinds.FILM_REFS_MAX or not all(isinstance(r, dict) for r in refs):
        raise ImportError_(N_("An entry in this file has unreadable film moments."))
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
                 if isinstance(d.get("screening"), list) else [],
                 # processes.clean sanitises these; without them an import would lose them
                 **{k: d[k] for k in ("mandate", "reported", "reported_on", "ended", "ended_on",
                                      "screening_on", "review_log") if k in d}}
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
            raise ImportError_(N_("An entry could not be imported: %(reason)s"), reason=exc) from exc
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

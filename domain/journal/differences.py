"""The conflict page's two versions side by side, as words: every part of an entry or a process
that the version this device typed and the saved one say differently."""
from __future__ import annotations

from collections.abc import Callable, Mapping

from domain.catalogue import entry_kinds, themes
from domain.catalogue.entry_kinds import KINDS
from domain.core.refusal import N_

PROCESS_PARTS = ("code", "working_goal", "dialogue_element", "films", "reviews", "cps_commissioned",
                 "status", "screening", "notes")


YES_NO = (N_("Yes"), N_("No"))


def _words(value) -> str:
    if value in (None, "", []):
        return ""
    if isinstance(value, bool):
        return N_("Yes") if value else N_("No")
    if isinstance(value, list):
        return ", ".join(_words(v) for v in value)
    return str(value)


def _films(refs) -> str:
    return "\n".join(" ".join(x for x in (f"Film {r.get('film')}" if r.get("film") else "",
                                           r.get("timestamp", ""), r.get("shows", "")) if x)
                     for r in refs or [])


def _same(text: str) -> str:
    return text


def entry_differences(kind_id: str, mine: dict, theirs: dict, process_codes: dict,
                      word: Callable[[str], str] = _same) -> list[tuple[str, str, str]]:
    """(label, mine, theirs) for every part of an entry that the two versions say differently;
    `word` translates the labels (msgids here) into the reader's language."""
    named = {t.id: t.name for t in themes.THEMES}
    sub_named = {s.id: s.name for t in themes.THEMES for s in t.subthemes}
    parts = [(f.label, lambda d, f=f: entry_kinds.display(f, d.get(f.name)) if d.get(f.name) not in (None, "", [])
              else "") for f in KINDS[kind_id].fields]
    parts += [
        (N_("Title"), lambda d: d.get("title") or ""),
        (N_("Date of the visit"), lambda d: d.get("visit_date") or ""),
        (N_("Guidance process"), lambda d: process_codes.get(d.get("process_id") or "", "")),
        (N_("Themes"), lambda d: ", ".join(named.get(t, t) for t in d.get("themes", []))),
        (N_("Subthemes"), lambda d: ", ".join(sub_named.get(s, s) for s in d.get("subthemes", []))),
        (N_("My tags"), lambda d: ", ".join(d.get("tags", []))),
        (N_("Bring to supervision?"), lambda d: themes.choice_label(themes.SUPERVISION, d.get("supervision") or "no")),
        (N_("Film moments"), lambda d: _films(d.get("film_refs"))),
    ]
    return [(word(label), a, b) for label, show in parts if (a := show(mine)) != (b := show(theirs))]


def process_differences(labels: Mapping[str, str], mine: dict, theirs: dict,
                        word: Callable[[str], str] = _same) -> list[tuple[str, str, str]]:
    """(label, mine, theirs) for every part of a process the two versions say differently;
    `labels` names each of PROCESS_PARTS as the form does, `word` translates "Yes" and "No"."""
    out = []
    for name in PROCESS_PARTS:
        a, b = mine.get(name), theirs.get(name)
        if name == "status":
            a, b = (themes.choice_label(themes.PROCESS_STATUS, x) if x else "" for x in (a, b))
        elif name == "screening":
            a, b = ([themes.choice_label(themes.SCREENING_FLAGS, x) for x in v or []] for v in (a, b))
        if _words(a) != _words(b):
            out.append((labels[name], *(word(w) if w in YES_NO else w for w in (_words(a), _words(b)))))
    return out

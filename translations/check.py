"""Is every user-facing string translated? Extracts the messages from the code (babel.cfg) and holds
them against the bokmål catalogues of every area (translations/<area>/nb/LC_MESSAGES/messages.po).

    python translations/check.py                 # list what is missing, exit 1 if anything is
    python translations/check.py --add journal   # append the missing messages, empty, to that area
    python translations/check.py --fill journal nb.json   # set msgstr from {"msgid": "bokmål", ...}
                                                          # (a plural: {"singular": ["én", "flere"]})

`make i18n` runs the first form; tests/test_i18n.py asserts the same in CI.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "translations"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "lazy_ngettext": (1, 2), "pgettext": ((1, "c"), 2), "N_": None}


def extracted() -> dict:
    """msgid (a str, or a (singular, plural) tuple) -> first place it was found."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    found: dict = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        if message and message not in found:
            found[message] = f"{filename}:{lineno}"
    return found


def catalogues(lang: str = "nb") -> dict[str, Catalog]:
    out = {}
    for po in sorted(HERE.glob(f"*/{lang}/LC_MESSAGES/messages.po")):
        with po.open("rb") as f:
            out[po.parts[-4]] = read_po(f, locale=lang)
    return out


def translated(cats: dict[str, Catalog]) -> set:
    done = set()
    for cat in cats.values():
        for m in cat:
            if not m.id or m.fuzzy:
                continue
            strings = m.string if isinstance(m.string, (tuple, list)) else (m.string,)
            if all(s for s in strings):
                done.add(_key(m.id))
    return done


def missing(lang: str = "nb") -> dict:
    have = translated(catalogues(lang))
    return {msg: where for msg, where in extracted().items() if _key(msg) not in have}


def _key(msg):
    """Babel keys a plural message by its singular."""
    return msg[0] if isinstance(msg, (tuple, list)) else msg


def add(area: str, msgs: dict, lang: str = "nb") -> Path:
    po = HERE / area / lang / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True, exist_ok=True)
    if po.exists():
        with po.open("rb") as f:
            cat = read_po(f, locale=lang)
    else:
        cat = Catalog(locale=lang, project="Fokus", fuzzy=False)
    for msg, where in msgs.items():
        if msg not in cat:
            cat.add(msg, string=("", "") if isinstance(msg, tuple) else "", auto_comments=[where.rsplit(":", 1)[0]])
    with po.open("wb") as f:
        write_po(f, cat, width=100, sort_output=True, omit_header=False, no_location=True)
    return po


def fill(area: str, translations: dict, lang: str = "nb") -> int:
    po = HERE / area / lang / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as f:
        cat = read_po(f, locale=lang)
    done = 0
    for m in cat:
        if m.id and _key(m.id) in translations:
            value = translations[_key(m.id)]
            m.string = tuple(value) if isinstance(m.id, (tuple, list)) else value
            m.flags.discard("fuzzy")
            done += 1
    with po.open("wb") as f:
        write_po(f, cat, width=100, sort_output=True, no_location=True)
    return done


def main(argv: list[str]) -> int:
    if "--fill" in argv:
        area, source = argv[argv.index("--fill") + 1:argv.index("--fill") + 3]
        print(f"{fill(area, json.loads(Path(source).read_text()))} messages filled in {area}")
        return 0
    gaps = missing()
    if "--add" in argv:
        po = add(argv[argv.index("--add") + 1], gaps)
        print(f"{len(gaps)} messages added to {po.relative_to(ROOT)}: fill in their msgstr")
        return 0
    for msg, where in gaps.items():
        print(f"{where}: {msg!r}")
    print(f"{len(gaps)} messages without a bokmål translation")
    return 1 if gaps else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The bokmål catalogues, compiled for Flask-Babel (blueprints/i18n.py): one folder per area."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"

def compiled(instance: Path) -> str:
    """One catalogue folder per area (translations/<area>/nb/LC_MESSAGES/messages.po), so work on two
    areas never edits the same file; Flask-Babel merges them. The .mo files are compiled next to the
    .po files when missing or older; where the source tree is read-only (a container), into the
    instance folder instead."""
    for root in (TRANSLATIONS, instance / "translations"):
        try:
            _compile_all(TRANSLATIONS, root)
        except OSError:
            continue
        return ";".join(str(root / area.name) for area in sorted(TRANSLATIONS.iterdir()) if (area / "nb").is_dir())
    return str(TRANSLATIONS)


def _compile_all(source: Path, target: Path) -> None:
    for po in source.glob("*/*/LC_MESSAGES/*.po"):
        mo = target / po.relative_to(source).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as f:
            catalog = read_po(f)
        # Write beside, then rename: several workers may start at once.
        fd, tmp = tempfile.mkstemp(dir=mo.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalog)
        os.replace(tmp, mo)

"""The mutation check (`make mutation`, tests/mutation/run.py) plants bugs by replacing exact code
text. When the code moves on, a mutation whose text is gone would silently test nothing: this
keeps every planted bug applicable, so the list cannot go stale unnoticed."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _mutations():
    spec = importlib.util.spec_from_file_location("fokus_mutation_run", ROOT / "tests/mutation/run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module   # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module, next(v for v in vars(module).values()
                    if isinstance(v, list) and v and isinstance(v[0], module.Mutation))


def test_every_planted_bug_still_applies_and_names_existing_tests():
    module, mutations = _mutations()
    assert len(mutations) >= 40
    stale = [m.name for m in mutations if module._apply((ROOT / m.path).read_text(), m) is None]
    assert not stale, f"mutations whose code text is gone (update tests/mutation/run.py): {stale}"
    missing = {t for m in mutations for t in m.tests if not (ROOT / t.split("::")[0]).exists()}
    assert not missing, missing

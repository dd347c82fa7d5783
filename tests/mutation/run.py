"""Mutation check for the security-critical modules: does the suite notice a deliberate bug?

Each mutation below is one behaviour-changing edit (a check dropped, a key reused, an entry kind
left out of the export...). The runner copies the repository to a temporary directory once, applies
one mutation at a time to the copy, runs the tests that cover it (stopping at the first failure),
and restores the file. A mutation is "killed" when a test fails, "survived" when every test passes.
An edit whose text is no longer in the file is reported as "stale" (the code moved on: update the
list), so the check can never pass by silently skipping.

    make mutation                                  # all, on SQLite
    .venv/bin/python tests/mutation/run.py --pg    # on PostgreSQL (FOKUS_TEST_DATABASE_URL or
                                                   # postgresql+psycopg://postgres@127.0.0.1:5432/postgres)
    .venv/bin/python tests/mutation/run.py -k export   # only mutations whose name contains "export"
                                                       # (-k may be repeated)

Not part of `make test` (it runs the covering tests once per mutation, several minutes).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class Mutation:
    name: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]
    occurrence: int = 1  # which occurrence of `old` to replace (1 = the first)

    @property
    def module(self) -> str:
        return self.path


KEYRING = ("tests/test_keyring_guarantees.py", "tests/test_keyring.py", "tests/security/test_sec_crypto.py")
SEALED = ("tests/test_sealed.py", "tests/test_journal_domain.py", "tests/security/test_sec_crypto.py",
          "tests/security/test_sec_idor.py")
SHARING = ("tests/security/test_sec_revoked_share.py", "tests/test_sharing_access.py",
           "tests/security/test_sec_idor.py", "tests/test_sharing_http.py", "tests/test_sharing_crypto.py")
GUARDS = ("tests/security/test_sec_sessions.py", "tests/test_sessions.py", "tests/security/test_sec_idor.py")
EXPORT = ("tests/test_data_export.py", "tests/test_ownership_smoke.py")
ERASURE = ("tests/security/test_sec_shred.py", "tests/security/test_sec_erasure.py")

M = Mutation
MUTATIONS: list[Mutation] = [
    # --- domain/core/keyring.py and the modules it re-exports (primitives, kdf, recovery_codes, public_keys)
    M("keyring: key commitment not checked", "domain/core/keyring.py",
      "if not _commitment_ok(blob[0], key, nonce, ad, commit):",
      "if False and not _commitment_ok(blob[0], key, nonce, ad, commit):", KEYRING),
    M("keyring: a fixed nonce", "domain/core/keyring.py",
      "nonce = os.urandom(NONCE_LEN)", "nonce = bytes(NONCE_LEN)", KEYRING),
    M("keyring: version byte not checked", "domain/core/keyring.py",
      "or blob[0] not in _COMMITMENTS:", ":", KEYRING),
    M("keyring: unwrapped key length not checked", "domain/core/keyring.py",
      "return unwrapped(open_blob(kek, wrapped, ad))", "return open_blob(kek, wrapped, ad)", KEYRING),
    M("keyring: verifier and key-encryption key are the same", "domain/core/kdf.py",
      'return hkdf(master, "login-verifier"), hkdf(master, "password-kek")',
      'return hkdf(master, "password-kek"), hkdf(master, "password-kek")', KEYRING),
    M("keyring: argon2i instead of argon2id", "domain/core/kdf.py", "type=Type.ID", "type=Type.I", KEYRING),
    M("keyring: time cost ignored in below()", "domain/core/kdf.py",
      "or self.time_cost < other.time_cost", "or False", KEYRING),
    M("keyring: any verifier accepted", "domain/core/kdf.py",
      "return hmac.compare_digest(digest(verifier), stored_digest)",
      "return len(stored_digest) == 32", KEYRING),
    M("keyring: recovery code not bound to the user", "domain/core/recovery_codes.py",
      "salt = user_id.encode()", 'salt = b""', KEYRING),
    M("keyring: recovery alphabet not enforced", "domain/core/recovery_codes.py",
      "if len(cleaned) != RECOVERY_CHARS or any(ch not in _RC_ALPHABET for ch in cleaned):",
      "if len(cleaned) != RECOVERY_CHARS:", KEYRING),
    M("keyring: HPKE unwrapped key length not checked", "domain/core/public_keys.py",
      "return unwrapped(hpke_open(private_key, wrapped, info))", "return hpke_open(private_key, wrapped, info)",
      KEYRING),
    M("keyring: AAD binds only its first part", "domain/core/primitives.py",
      "*(str(p) for p in parts)", "*(str(p) for p in parts[:1])", KEYRING),
    M("keyring: session key without the session salt", "domain/core/keyring.py",
      'return hkdf(server_secret, "session-seal", salt=session_salt)',
      'return hkdf(server_secret, "session-seal")', KEYRING + ("tests/security/test_sec_sessions.py",)),
    # --- domain/core/sealed.py ----------------------------------------------------------------------
    M("sealed: content not bound to its row id", "domain/core/sealed.py",
      'return keyring.aad(table, obj_id, "owner", owner_id, "kv", kv)',
      'return keyring.aad(table, "owner", owner_id, "kv", kv)', SEALED),
    M("sealed: content not bound to its owner", "domain/core/sealed.py",
      'return keyring.aad(table, obj_id, "owner", owner_id, "kv", kv)',
      'return keyring.aad(table, obj_id, "kv", kv)', SEALED),
    M("sealed: wrap not bound to its holder", "domain/core/sealed.py",
      'return keyring.aad("wrap", table, obj_id, holder_id, "kv", kv)',
      'return keyring.aad("wrap", table, obj_id, "kv", kv)', SEALED),
    M("sealed: the user key is the content key", "domain/core/sealed.py",
      "key = keyring.random_key()", "key = user_key", SEALED),
    M("sealed: owned lookup ignores the owner", "domain/core/sealed.py",
      "select(model).where(model.id == obj_id, model.owner_id == owner_id)",
      "select(model).where(model.id == obj_id)", SEALED),
    M("sealed: reads ignore the key version", "domain/core/sealed.py",
      "content_aad(table, row.id, row.owner_id,\n                                                                       row.key_version)",
      "content_aad(table, row.id, row.owner_id, 1)", SEALED + ("tests/test_sharing_crypto.py",)),
    # --- access decisions: domain/sharing/access.py, blueprints/guards.py, blueprints/sharing.py --------
    M("access: revoked_at not checked", "domain/sharing/access.py",
      "return share.revoked_at is None and share.wrapped_key is not None and (",
      "return share.wrapped_key is not None and (", SHARING),
    M("access: expiry not checked", "domain/sharing/access.py",
      "share.expires_at is None or share.expires_at > now)", "True)", SHARING),
    M("access: any user with a share id is its reader", "domain/sharing/access.py",
      "if entry is not None and share.reader_id == user_id:", "if entry is not None:", SHARING),
    M("access: entry decision ignores who the reader is", "domain/sharing/access.py",
      "select(Share).where(Share.entry_id == entry_id, Share.reader_id == user_id)",
      "select(Share).where(Share.entry_id == entry_id)", SHARING),
    M("access: a reader may manage sharing", "domain/sharing/access.py",
      '"reader": {Access.VIEW, Access.REFLECT, Access.REPLY},',
      '"reader": {Access.VIEW, Access.REFLECT, Access.REPLY, Access.MANAGE},', SHARING),
    M("access: an old share counts as active", "domain/sharing/access.py",
      "active = [s for s in shares if _active(s, now)]", "active = shares",
      ("tests/test_sharing_http.py", *SHARING)),
    M("access: share page skips the manage check", "blueprints/sharing.py",
      "allowed_or_404(sharing.decide_entry(current_user.id, entry_id), sharing.Access.MANAGE)",
      "sharing.decide_entry(current_user.id, entry_id)", SHARING),
    M("access: share form skips the manage check", "blueprints/sharing.py",
      "allowed_or_404(sharing.decide_entry(current_user.id, entry_id), sharing.Access.MANAGE)",
      "sharing.decide_entry(current_user.id, entry_id)", SHARING, occurrence=2),
    M("access: fresh login not required", "blueprints/guards.py",
      "if not sessions.is_fresh(g.session_row, window):", "if False:",
      GUARDS + ("tests/test_data_export.py",)),
    M("access: CSRF off outside tests", "blueprints/guards.py",
      "    csrf.init_app(app)", '    app.config["WTF_CSRF_ENABLED"] = app.testing\n    csrf.init_app(app)',
      ("tests/security/test_sec_csrf.py",)),
    # --- domain/data/portability.py and importing.py (export and import) -----------------------------
    M("export: ethical dilemmas left out", "domain/data/portability.py",
      "items = [i for i in items if not i.broken]",
      'items = [i for i in items if not i.broken and i.data["kind"] != "ethical_dilemma"]',
      EXPORT),
    M("export: drafts left out", "domain/data/portability.py",
      "items = [i for i in items if not i.broken]",
      "items = [i for i in items if not i.broken and not i.is_draft]", EXPORT),
    M("export: only the first process", "domain/data/portability.py",
      "procs = processes.all_items(user.id, user_key)",
      "procs = processes.all_items(user.id, user_key)[:1]", EXPORT),
    M("export: reflections received left out", "domain/data/portability.py",
      '"reflections_received": received.get(i.row.id, []) + i.data.get("archived_reflections", [])',
      '"reflections_received": i.data.get("archived_reflections", [])', EXPORT),
    M("export: reflections given left out", "domain/data/portability.py",
      'if decision.role != "reader":', "if True:", EXPORT),
    M("export: Markdown skips the first entry", "domain/data/portability.py",
      'for e in dump["entries"]:\n            d = e["data"]', 'for e in dump["entries"][1:]:\n            d = e["data"]',
      EXPORT),
    M("export: Markdown file names collide", "domain/data/portability.py",
      "while name in used:", "while False:", EXPORT),
    M("export: Markdown drops a field", "domain/data/portability.py",
      "if v in (None, \"\", []):\n            continue", "if v in (None, \"\", []) or f.type == \"choice\":\n            continue",
      EXPORT),
    M("import: visit date lost", "domain/data/importing.py",
      'out["visit_date"] = _str(data.get("visit_date"), 10) or None', 'out["visit_date"] = None', EXPORT),
    M("import: entries lose their process", "domain/data/importing.py",
      'data["process_id"] = id_map.get(data.get("process_id"))', 'data["process_id"] = None', EXPORT),
    M("import: no duplicate detection", "domain/data/importing.py",
      "(p.duplicates if fp in existing or fp in seen else p.new_entries).append(e)",
      "p.new_entries.append(e)", EXPORT),
    M("import: creation dates lost", "domain/data/importing.py",
      'row.created_at = _naive_utc(e["created_at"]) or row.created_at',
      'row.created_at = row.created_at', EXPORT),
    # --- domain/data/erasure.py and the deletion view ------------------------------------------------
    M("erasure: entry and process keys not overwritten", "domain/data/erasure.py",
      "row.wrapped_key = _like(row.wrapped_key)", "row.wrapped_key = row.wrapped_key", ERASURE),
    M("erasure: password wrap not overwritten", "domain/data/erasure.py",
      "    user.uk_by_password = _like(user.uk_by_password)\n", "", ERASURE),
    M("erasure: recovery wrap not overwritten", "domain/data/erasure.py",
      "    user.uk_by_recovery = _like(user.uk_by_recovery)\n", "", ERASURE),
    M("erasure: the noise is zeros", "domain/data/erasure.py",
      "return secrets.token_bytes(n)", "return bytes(n)", ERASURE),
    M("erasure: wraps of shares to readers kept", "domain/data/erasure.py",
      "    db.session.execute(update(Share).where(Share.owner_id == user.id).values(wrapped_key=None))\n", "",
      ERASURE),
    M("erasure: wraps of shares from others kept", "domain/data/erasure.py",
      "    db.session.execute(update(Share).where(Share.reader_id == user.id).values(wrapped_key=None))\n", "",
      ERASURE),
    M("erasure: owners not told to rotate", "domain/data/erasure.py",
      "entry.needs_rotation = True", "entry.needs_rotation = entry.needs_rotation", ERASURE),
    M("erasure: overwrite not committed before the delete", "blueprints/data.py",
      "db.session.commit()  # keys are gone before any row is", "pass", ERASURE),
]


def _copy_tree(dest: Path) -> None:
    shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns(
        ".git", ".venv", "instance", "__pycache__", "*.egg-info", ".pytest_cache", ".hypothesis", "*.db"))


def _apply(text: str, m: Mutation) -> str | None:
    at = -1
    for _ in range(m.occurrence):
        at = text.find(m.old, at + 1)
        if at < 0:
            return None
    return text[:at] + m.new + text[at + len(m.old):]


def _env(tree: Path, pg: str | None) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONDONTWRITEBYTECODE="1")
    env.pop("FOKUS_TEST_DATABASE_URL", None)
    if pg:
        env["FOKUS_TEST_DATABASE_URL"] = pg
    return env


def _python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def run(mutations: list[Mutation], pg: str | None, timeout: int) -> list[tuple[Mutation, str, float]]:
    results = []
    with tempfile.TemporaryDirectory(prefix="fokus-mutation-") as tmp:
        tree = Path(tmp) / "tree"
        _copy_tree(tree)
        env = _env(tree, pg)
        where = subprocess.run([_python(), "-c", "import domain; print(domain.__file__)"], cwd=tree, env=env,
                               capture_output=True, text=True, check=True).stdout.strip()
        if not where.startswith(str(tree)):
            raise SystemExit(f"the copy is not what gets imported ({where}); cannot test mutations")
        for m in mutations:
            target = tree / m.path
            original = target.read_text()
            mutated = _apply(original, m)
            if mutated is None:
                results.append((m, "stale", 0.0))
                print(f"STALE     {m.name}: text not found in {m.path}", flush=True)
                continue
            target.write_text(mutated)
            start = time.monotonic()
            try:
                proc = subprocess.run([_python(), "-m", "pytest", "-x", "-q", "-p", "no:randomly", *m.tests],
                                      cwd=tree, env=env, capture_output=True, text=True, timeout=timeout,
                                      check=False)
                outcome = {0: "survived", 1: "killed"}.get(proc.returncode, f"error {proc.returncode}")
                if outcome.startswith("error"):
                    print(proc.stdout[-1500:], proc.stderr[-1500:], sep="\n")
            except subprocess.TimeoutExpired:
                outcome = "timeout"
            finally:
                target.write_text(original)
            took = time.monotonic() - start
            results.append((m, outcome, took))
            print(f"{outcome.upper():9} {took:5.1f}s  {m.name}", flush=True)
    return results


def report(results: list[tuple[Mutation, str, float]]) -> bool:
    per: dict[str, Counter] = defaultdict(Counter)
    for m, outcome, _ in results:
        per[m.module][outcome.split()[0]] += 1
    print("\nmodule                  killed  survived  other")
    for module, c in sorted(per.items()):
        other = sum(v for k, v in c.items() if k not in ("killed", "survived"))
        print(f"{module:24}{c['killed']:6}{c['survived']:10}{other:7}")
    total = Counter(outcome.split()[0] for _, outcome, _ in results)
    print(f"total: {total['killed']} killed, {total['survived']} survived, "
          f"{len(results) - total['killed'] - total['survived']} other, of {len(results)}")
    bad = [(m.name, o) for m, o, _ in results if o != "killed"]
    for name, outcome in bad:
        print(f"  NOT KILLED ({outcome}): {name}")
    return not bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg", nargs="?", const=os.environ.get("FOKUS_TEST_DATABASE_URL") or PG_DEFAULT,
                        help="run on PostgreSQL")
    parser.add_argument("-k", dest="keywords", action="append", default=[],
                        help="only mutations whose name contains this (repeatable)")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per mutation")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    args = parser.parse_args()
    chosen = [m for m in MUTATIONS if not args.keywords or any(k.lower() in m.name.lower() for k in args.keywords)]
    if args.list:
        for m in chosen:
            print(f"{m.path:24} {m.name}")
        return
    started = time.monotonic()
    ok = report(run(chosen, args.pg, args.timeout))
    print(f"({time.monotonic() - started:.0f} s, {'PostgreSQL' if args.pg else 'SQLite'})")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()

"""Every page a user can reach, in bokmål: no English msgid left verbatim, no unmarked English
words, and `<html lang="nb">`.

One world per module: the demo seeder (domain/demo/seed.py) fed with Norwegian text of our own,
so whatever the accounts wrote never looks like English. Then the GET routes of `app.url_map`
are crawled for each role (a visitor, the therapist, the supervisor who reads her shared entry
and leads the seminar group, a seminar colleague), URL parameters filled from the world's ids.
"""
from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from domain.core.db import db
from tests.conftest import PASSWORD, base_config, csrf_from
from translations import check as catalogue_check

# Routes not crawled, and why. Everything else with a GET is visited by every role.
SKIPPED = {
    "static": "files, not pages",
    "health.healthz": "machine endpoint, no words",
    "health.readyz": "machine endpoint, no words",
    "health.metrics": "machine endpoint, no words",
    "groups.handout_csv": "a download (CSV), checked by the groups area's tests",
    "groups.handout_pdf": "a download (PDF), checked by the groups area's tests",
    "auth.recovery_code_download": "a text download while a new code waits; the page itself is crawled",
    "auth.second_factor": "only during a login with two-factor on (covered by the accounts area)",
    "passkeys.password": "only right after a passkey login that cannot unlock",
    "journal.repair": "only for an entry that cannot be opened (redirects otherwise)",
}

# Whole words that are English and never Norwegian. Not "for", "to", "is", "i", "men" (Norwegian).
ENGLISH_ONLY = ("the", "your", "you", "with", "this", "and", "of", "what", "when", "here", "there",
                "Save", "Delete", "Cancel", "Back", "entries", "entry", "Settings", "Log out", "Log in",
                "Sign up", "password", "Edit", "Share", "shared")
ENGLISH_RE = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ENGLISH_ONLY)
                        + r")(?![\w-])", re.IGNORECASE)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")

NB = {"Accept-Language": "nb"}


# --- the world ------------------------------------------------------------------------------------

# Fields of demo entries and processes that hold ids or numbers, kept as they are.
_KEEP = {"kind", "days_ago", "process", "themes", "subthemes", "supervision", "effect", "feelings",
         "whose", "intensity", "dilemma_type", "concern_level", "follow_up_days", "key", "films",
         "reviews", "cps_commissioned", "status", "screening", "code", "supports", "reported", "ended",
         "reported_days_ago", "ended_days_ago", "parents_know", "next_review_in_days", "responses"}


def _norsk(spec: dict, n: int) -> dict:
    """A demo entry or process with every free text replaced by Norwegian."""
    out = {}
    for k, v in spec.items():
        if k in _KEEP or v in ("", None, [], 0):
            out[k] = v
        elif k == "tags":
            out[k] = ["hjemmebesøk", f"mating{n % 3}"]
        elif k == "film_refs":
            out[k] = [dict(r, shows="Babyen strekker seg mot mor, blikket søker henne") for r in v]
        elif k == "title":
            out[k] = f"Gjennomgang nummer {n}: rolig stemning på stuegulvet"
        elif isinstance(v, dict):   # the mandate
            out[k] = _norsk(v, n)
        elif isinstance(v, list) and all(isinstance(x, dict) for x in v):   # the review log
            out[k] = [_norsk(x, n) for x in v]
        elif isinstance(v, str):
            out[k] = f"Mor satt på gulvet med babyen; jeg merket meg samspillet {n}. Veiledningsarbeid."
        else:
            out[k] = v
    return out


def norwegian_demo():
    from domain.demo import content
    en = content.load("en")
    users = [dict(u, display_name={"demo": "Tone Terapeut", "supervisor": "Vera Veileder"}.get(
        u["username"], f"Kollega {i}")) for i, u in enumerate(en.users)]
    return replace(
        en, users=users,
        processes=[_norsk(p, i) for i, p in enumerate(en.processes)],
        entries=[_norsk(e, i) for i, e in enumerate(en.entries)],
        supervision={"question": "Jeg vingler frem og tilbake med denne. Hva ser du?",
                     "reflection": {k: "Mandatet ditt gir rom for å si fra åpent; metoden forbyr det ikke."
                                    for k in en.supervision["reflection"]}},
        seminar={"name": "Marte Meo-seminar, høst"})


class World:
    """The app, one logged-in client per role, and the ids each role's URLs need."""

    def __init__(self, app):
        self.app = app
        self.clients: dict = {}
        self.params: dict[str, dict[str, list[str]]] = {}


def _login(app, username: str, password: str):
    client = app.test_client()
    token = csrf_from(client.get("/login", headers=NB).get_data(as_text=True))
    r = client.post("/login", data={"csrf_token": token, "login": username, "password": password}, headers=NB)
    assert r.status_code == 302, (username, r.status_code)
    token = csrf_from(client.get("/settings/language", headers=NB).get_data(as_text=True))
    r = client.post("/settings/language", data={"csrf_token": token, "lang": "nb", "tz": "Europe/Oslo"},
                    headers=NB)
    assert r.status_code == 303, r.get_data(as_text=True)
    return client


def _newcomer(app):
    """Just signed up in a Norwegian browser: the recovery code waits to be confirmed."""
    client = app.test_client()
    token = csrf_from(client.get("/signup", headers=NB).get_data(as_text=True))
    r = client.post("/signup", headers=NB, data={
        "csrf_token": token, "login": "nykommer", "display_name": "Nina Nykommer", "password": PASSWORD,
        "confirm": PASSWORD, "understood": "y"})
    assert r.status_code == 302, r.get_data(as_text=True)
    return client


def _seed(app) -> dict:
    """The Norwegian demo, plus fresh invitations for the invitation pages; returns the ids."""
    from blueprints import guards
    from domain.catalogue.entry_kinds import KINDS
    from domain.core.models import ContactLink, Entry, Group, Process, Share
    from domain.demo import content, seed
    from domain.groups import membership
    from domain.sharing import contacts
    with app.app_context(), pytest.MonkeyPatch.context() as mp:
        norsk = norwegian_demo()
        mp.setattr(content, "load", lambda language="en": norsk)
        created = seed.seed(guards.kdf_policy(), guards.server_secret())
        db.session.commit()
        (demo, dkey), (sup, skey) = created["demo"], created["supervisor"]
        share = db.session.scalar(select(Share).where(Share.owner_id == demo.id))
        group = db.session.scalar(select(Group))
        _inv, contact_token = contacts.invite(demo, dkey, "peer")
        _ginv, group_token = membership.invite(membership.membership(sup, skey, group.id), multi_use=False, days=7)
        db.session.commit()
        first = lambda model, *where: db.session.scalar(select(model.id).where(*where))
        colleague = created["colleague1"][0]
        common = {"kind_id": list(KINDS), "group_id": [group.id]}
        return {
            "demo": common | {"entry_id": [share.entry_id, first(Entry, Entry.owner_id == demo.id, Entry.id != share.entry_id)],
                              "process_id": [first(Process, Process.owner_id == demo.id)],
                              "share_id": [share.id],
                              "link_id": [first(ContactLink, ContactLink.holder_id == demo.id)]},
            "supervisor": common | {"share_id": [share.id], "token": [group_token],
                                    "link_id": [first(ContactLink, ContactLink.holder_id == sup.id)]},
            "colleague": common | {"token": [contact_token],
                                   "entry_id": [first(Entry, Entry.owner_id == colleague.id)]},
        }


@pytest.fixture(scope="module")
def world(db_template, tmp_path_factory):
    import shutil
    kind, where = db_template
    if kind != "sqlite":
        pytest.skip("one seeded world per module: SQLite only")
    tmp = tmp_path_factory.mktemp("i18n_pages")
    shutil.copy(where, tmp / "fokus.db")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FOKUS_INSTANCE_PATH", str(tmp / "instance"))
        from app import create_app
        app = create_app(base_config(f"sqlite:///{tmp / 'fokus.db'}", tmp / "instance"))
        ids = _seed(app)
        from domain.demo.content import DEMO_PASSWORD
        w = World(app)
        w.clients["visitor"] = app.test_client()
        w.params["visitor"] = {}
        for role, login in (("demo", "demo"), ("supervisor", "supervisor"), ("colleague", "colleague1")):
            w.clients[role] = _login(app, login, DEMO_PASSWORD)
            w.params[role] = ids[role]
        w.clients["newcomer"], w.params["newcomer"] = _newcomer(app), {}
        yield w
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# --- crawling -------------------------------------------------------------------------------------

def urls_for(app, params: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(endpoint, url) for every GET route whose parameters this role can fill."""
    out = []
    with app.test_request_context():
        from flask import url_for
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods or rule.endpoint in SKIPPED:
                continue
            if not all(a in params for a in rule.arguments):
                continue
            combos = [{}]
            for a in sorted(rule.arguments):
                combos = [c | {a: v} for c in combos for v in params[a] if v]
            out += [(rule.endpoint, url_for(rule.endpoint, **c)) for c in combos]
    return out


class _Text(HTMLParser):
    """Visible text: text nodes outside <script>, <style> and <template>; attribute values left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self.hidden += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def english_msgids() -> list[tuple[str, str]]:
    """(msgid, the literal part to look for): catalogue messages of 12 characters or more whose
    bokmål differs. A msgid with placeholders is looked for by its longest literal piece."""
    out = []
    for cat in catalogue_check.catalogues().values():
        for m in cat:
            if not m.id or not m.string:
                continue
            msgid = m.id[0] if isinstance(m.id, tuple) else m.id
            strings = m.string if isinstance(m.string, tuple) else (m.string,)
            piece = max(PLACEHOLDER.split(re.sub(r"\s+", " ", msgid)), key=len).strip()
            if len(piece) >= 12 and not any(piece in s for s in strings):
                out.append((msgid, piece))
    return out


def problems_of(html: str, msgids: list[tuple[str, str]]) -> list[str]:
    found = []
    m = re.search(r'<html lang="([^"]+)"', html)
    if not m or m.group(1) != "nb":
        found.append(f"<html lang={m.group(1) if m else None!r}>")
    text = visible_text(html)
    found += [f"msgid {msgid!r}" for msgid, piece in msgids if piece in text]
    words = sorted({w.group(0) for w in ENGLISH_RE.finditer(text)})
    if words:
        snippets = [text[max(0, w.start() - 30):w.end() + 30].strip() for w in list(ENGLISH_RE.finditer(text))[:3]]
        found.append(f"English words {words}: " + " | ".join(f"…{s}…" for s in snippets))
    return found


def crawl(world: World, role: str) -> tuple[list[str], list[str]]:
    """(pages checked, failures as readable lines)."""
    client, msgids = world.clients[role], english_msgids()
    checked, failures = [], []
    for endpoint, url in urls_for(world.app, world.params[role]):
        r = client.get(url, headers=NB)
        if r.status_code != 200 or r.mimetype != "text/html":
            continue
        checked.append(url)
        failures += [f"{role} {url} ({endpoint}): {p}" for p in problems_of(r.get_data(as_text=True), msgids)]
    return checked, failures


# --- the tests ------------------------------------------------------------------------------------

def test_the_crawl_reaches_the_pages_that_matter(world):
    """The crawler itself must keep working, whatever the translations say."""
    reached = {role: set(crawl(world, role)[0]) for role in world.clients}
    assert {"/login", "/signup", "/about"} <= reached["visitor"]
    assert "/recovery-code" in reached["newcomer"]
    demo = world.params["demo"]
    assert {"/", "/entries", "/processes/", "/inbox", "/settings/", "/settings/sessions", "/trends",
            f"/entries/{demo['entry_id'][0]}", f"/shares/{demo['share_id'][0]}",
            f"/groups/{demo['group_id'][0]}", "/entries/new/hard_session"} <= reached["demo"], reached["demo"]
    sup = world.params["supervisor"]
    assert {f"/shares/{sup['share_id'][0]}", f"/groups/{sup['group_id'][0]}",
            f"/groups/{sup['group_id'][0]}/trends"} <= reached["supervisor"], reached["supervisor"]


def test_the_english_heuristic_leaves_norwegian_alone():
    norsk = ("<html lang=\"nb\"><p>Lagre notatet ditt. Du har 3 notater, og forløpet er i gang. "
             "Marte Meo-terapeut, bekymringsmelding til barnevernet, helsesykepleier og fastlege. "
             "Logg ut, Innstillinger, Avbryt, Slett, Tilbake, Del med veileder.</p></html>")
    assert problems_of(norsk, [("Save your note now", "Save your note now")]) == []
    english = "<html lang=\"en\"><p>Save your note <b>with</b> the button.</p><script>var the=1</script></html>"
    got = problems_of(english, [("Save your note", "Save your note")])
    assert got[0] == "<html lang='en'>" and "msgid 'Save your note'" in got
    assert "['Save', 'the', 'with', 'your']" in got[-1]


@pytest.mark.parametrize("role", ["visitor", "newcomer", "demo", "supervisor", "colleague"])
def test_every_page_speaks_bokmaal(world, role):
    checked, failures = crawl(world, role)
    assert checked
    assert not failures, f"{len(failures)} problems on {len(checked)} pages:\n" + "\n".join(failures)

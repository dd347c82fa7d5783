"""Property-based fuzzing of every form: random, malformed, oversize and hostile input never gives
a 500 (nor a stack trace). Each form gets a valid CSRF token, so the input reaches the view.

FOKUS_FUZZ_EXAMPLES raises the number of examples per form (default small, to keep CI quick).
"""

from __future__ import annotations

import io
import json
import os
import re

import pyotp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.accounts import twofactor
from domain.catalogue import themes
from domain.catalogue.entry_kinds import KINDS
from domain.core.db import db, new_id
from domain.core.models import User
from tests.conftest import PASSWORD, said_html
from tests.security.conftest import build_world, login_client, token_for

EXAMPLES = int(os.environ.get("FOKUS_FUZZ_EXAMPLES", "12"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=False,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
    ],
)

TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=120)
NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\x00\x01\x7f",
        "\r\n\r\n",
        "'; DROP TABLE users;--",
        "<script>alert(1)</script>",
        "{{7*7}}",
        "%s%n%x",
        "../../etc/passwd",
        "\u202e\u200b",
        "0",
        "-1",
        "1e309",
        "NaN",
        "99999999999999999999",
        "2026-02-30",
        "9999-12-31",
        "0000-00-00",
        "-0001-01-01",
        "True",
        "None",
        "null",
        "[]",
        "{}",
        "a" * 33,
        "ﬁ",
        "İ",
        "𝔣𝔬𝔨𝔲𝔰",
        "0" * 32,
        "f" * 32,
        "12:34:56:78",
        "MM-01-01-99",
        "010190 12345",
    ]
)
BIG = st.integers(300, 9000).map(lambda n: "é" * n)


def value(valid=()):
    options = [TEXT, NASTY, BIG]
    if valid:
        options += [st.sampled_from(list(valid))] * 3  # mostly well-formed choices, to get deeper
    return st.one_of(*options)


def multi(valid=()):
    return st.one_of(value(valid), st.lists(value(valid), max_size=5))

def form(fields: dict):
    """Random subsets of the fields, each with a random (often plausible) value."""
    return st.fixed_dictionaries({}, optional=fields)


def assert_no_500(r, what: str) -> None:
    body = r.get_data(as_text=True) if r.mimetype.startswith("text/") else ""
    assert r.status_code < 500, f"{what}: {r.status_code}\n{body[:2000]}"
    assert "Traceback" not in body


def _post(client, url, data, token):
    return client.post(url, data={**data, "csrf_token": token})


def journal_state(client, token) -> dict[str, dict[str, str]]:
    """The owner's entries and processes as the export shows them ({id: content as JSON})."""
    r = client.post("/settings/data/export.json", data={"csrf_token": token})
    assert r.status_code == 200
    dump = json.loads(r.data)
    return {
        what: {x["id"]: json.dumps(x["data"], sort_keys=True) for x in dump[what]}
        for what in ("entries", "processes")
    }


def assert_kept(before: dict, after: dict, editable: set[str] = frozenset()) -> None:
    """Fuzzing lost nothing: every entry and process is still there and opens (the export decrypts
    each one), and all but the ones the fuzzed form may edit hold exactly what they held."""
    for what in ("entries", "processes"):
        missing = set(before[what]) - set(after[what])
        assert not missing, f"{what} lost while fuzzing: {missing}"
        changed = {i for i in before[what] if before[what][i] != after[what][i]} - editable
        assert not changed, f"{what} changed while fuzzing a form that must not touch them: {changed}"


def assert_thread_intact(app, world) -> None:
    """The shared entry's conversation reads as before, for its owner and its reader."""
    for role in ("owner", "reader"):
        page = login_client(app, role).get(f"/shares/{world.ids['share']}").get_data(as_text=True)
        for key in ("refl", "reply", "rreply"):
            assert world.markers[key] in page, (role, key)


# --- account forms (anonymous) ------------------------------------------------------------------

LOGINS = ["sec_owner", "sec_reader", "SEC_OWNER ", "nobody_here"]
PASSWORDS = [PASSWORD, "short", PASSWORD + "x"]


@pytest.fixture
def fuzz_world(app):
    return build_world(app)


@FUZZ
@given(
    data=form(
        {
            "login": value(LOGINS + ["new_" + "x" * 10]),
            "display_name": value(["Ann"]),
            "password": value(PASSWORDS),
            "confirm": value(PASSWORDS),
            "understood": value(["y"]),
        }
    )
)
def test_fuzz_signup(app, data):
    client = app.test_client()
    assert_no_500(_post(client, "/signup", data, token_for(client, False)), "signup")


@FUZZ
@given(data=form({"login": value(LOGINS), "password": value(PASSWORDS), "resume": value(["", "AAAA"])}))
def test_fuzz_login(app, fuzz_world, data):
    client = app.test_client()
    assert_no_500(_post(client, "/login", data, token_for(client, False)), "login")


@FUZZ
@given(
    data=form(
        {
            "login": value(LOGINS),
            "recovery_code": value(["ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567"]),
            "password": value(PASSWORDS),
            "confirm": value(PASSWORDS),
        }
    )
)
def test_fuzz_recover(app, fuzz_world, data):
    client = app.test_client()
    assert_no_500(_post(client, "/recover", data, token_for(client, False)), "recover")


@pytest.fixture
def pending_2fa(app, fuzz_world):
    """A client between password and second factor (2FA on for the stranger)."""
    with app.app_context():
        user = db.session.get(User, fuzz_world.users["stranger"])
        secret = twofactor.new_secret()
        codes = twofactor.enable(user, fuzz_world.keys["stranger"], secret)
        db.session.commit()
    client = app.test_client()
    r = _post(client, "/login", {"login": "sec_stranger", "password": PASSWORD}, token_for(client, False))
    assert r.headers["Location"].endswith("/login/code")
    return client, token_for(client, False), secret, codes


@FUZZ
@given(code=value(["000000", "123456", "12345", " 123 456 ", "ABCD-EF12-3456"]))
def test_fuzz_second_factor(app, pending_2fa, code):
    client, token, _secret, _codes = pending_2fa
    assert_no_500(_post(client, "/login/code", {"code": code}, token), "2fa code")


# --- logged-in account forms ----------------------------------------------------------------------

SIMPLE_FORMS = {
    "/confirm": {"password": value(PASSWORDS)},
    "/settings/password": {
        "current": value(["wrong password here"]),
        "password": value(PASSWORDS),
        "confirm": value(PASSWORDS),
    },
    "/settings/recovery-code": {"password": value(["wrong password here"])},
    "/settings/two-factor/setup": {"code": value(["000000", "12 34 56"])},
    "/settings/two-factor/disable": {"password": value(PASSWORDS), "code": value(["000000"])},
    "/settings/data/delete": {
        "password": value(["wrong password here"]),
        "code": value(["000000"]),
        "confirm": value(["delete my journal"]),
        "understood": value(["y"]),
    },
    "/contacts/invite": {"role": value(["peer", "supervisor", "client"])},
    "/groups/": {"name": value(["Seminar"]), "k": value(["2", "3", "5", "50", "51"])},
    "/settings/data/export.pdf": {"entries": multi(["ENTRY"])},
    "/settings/data/import/confirm": {"payload": value(["AAAA"])},
}


@pytest.mark.parametrize("url", list(SIMPLE_FORMS))
def test_fuzz_simple_forms(app, fuzz_world, url):
    client = login_client(app, "owner")
    token = token_for(client)

    @FUZZ
    @given(data=form(SIMPLE_FORMS[url]))
    def run(data):
        data = {
            k: (
                [fuzz_world.ids["entry"] if x == "ENTRY" else x for x in v]
                if isinstance(v, list)
                else fuzz_world.ids["entry"]
                if v == "ENTRY"
                else v
            )
            for k, v in data.items()
        }
        assert_no_500(_post(client, url, data, token), url)

    run()


# --- journal, processes -----------------------------------------------------------------------------


def _kind_fields(kind_id: str) -> dict:
    fields = {
        "title": value(),
        "visit_date": value(["2025-03-14", "2025-3-14"]),
        "process_id": value(["PROC"]),
        "themes_": multi([t.id for t in themes.THEMES]),
        "subthemes": multi([s.id for t in themes.THEMES for s in t.subthemes]),
        "tags": value(["a, b, c", ",".join("t" * 41 for _ in range(3)), ",".join(str(i) for i in range(20))]),
        "supervision": value(["no", "yes", "urgent"]),
        "films-0-film": value(["F1"]),
        "films-0-timestamp": value(["04:12", "4:12:00", "99:99"]),
        "films-0-shows": value(),
        "films-7-shows": value(),
        "draft_id": value(["0" * 32, new_id()]),
        "pii_ack": value(["1"]),
        "action": value(["save", "draft", "more-films"]),
        "kind": value(list(KINDS)),
    }
    for f in KINDS[kind_id].fields:
        if f.type in ("choice", "multi"):
            fields[f.name] = multi([c.id for c in f.vocab])
        elif f.type == "scale":
            fields[f.name] = value([str(i) for i in range(-1, 12)])
        elif f.type == "date":
            fields[f.name] = value(["2025-01-01", "2025-13-01"])
        else:
            fields[f.name] = value(["a line"])
    return fields


@pytest.mark.parametrize("kind_id", list(KINDS))
def test_fuzz_entry_forms(app, fuzz_world, kind_id):
    client = login_client(app, "owner")
    token = token_for(client)
    ids = fuzz_world.ids
    before = journal_state(client, token)

    @FUZZ
    @given(data=form(_kind_fields(kind_id)), where=st.sampled_from(["new", "edit", "autosave"]))
    def run(data, where):
        data = {k: ids["process"] if v == "PROC" else v for k, v in data.items()}
        if where == "new":
            url = f"/entries/new/{kind_id}"
        elif where == "edit":
            url = f"/entries/{ids['private'] if kind_id == 'bright_moment' else ids['entry']}/edit"
            if kind_id not in ("bright_moment", "hard_session"):
                url = f"/entries/new/{kind_id}"
        else:
            url = "/entries/autosave"
            data.setdefault("kind", kind_id)
        assert_no_500(_post(client, url, data, token), url)

    run()
    assert client.get("/entries").status_code == 200  # whatever was saved still lists
    assert client.get("/").status_code == 200
    assert client.get("/trends").status_code == 200
    after = journal_state(client, token)
    assert_kept(before, after, editable={ids["entry"], ids["private"]})
    for entry_id in after["entries"]:
        assert client.get(f"/entries/{entry_id}").status_code == 200
    assert_thread_intact(app, fuzz_world)


def test_fuzz_process_form(app, fuzz_world):
    client = login_client(app, "owner")
    token = token_for(client)
    fields = {
        "code": value(["MM-25-04", "Kari", "01.02.2019"]),
        "working_goal": value(),
        "dialogue_element": value(),
        "films": value(["0", "999", "1000", "-1"]),
        "reviews": value(["3"]),
        "cps_commissioned": value(["y"]),
        "status": value([c.id for c in themes.PROCESS_STATUS]),
        "screening": multi([c.id for c in themes.SCREENING_FLAGS]),
        "notes": value(),
        "code_ack": value(["y"]),
    }
    before = journal_state(client, token)

    @FUZZ
    @given(data=form(fields), edit=st.booleans())
    def run(data, edit):
        url = f"/processes/{fuzz_world.ids['process']}/edit" if edit else "/processes/new"
        assert_no_500(_post(client, url, data, token), url)

    run()
    assert client.get("/processes/").status_code == 200
    assert client.get(f"/processes/{fuzz_world.ids['process']}").status_code == 200
    after = journal_state(client, token)
    assert_kept(before, after, editable={fuzz_world.ids["process"]})
    for process_id in after["processes"]:
        assert client.get(f"/processes/{process_id}").status_code == 200


# --- sharing ---------------------------------------------------------------------------------------


def test_fuzz_share_forms(app, fuzz_world):
    client = login_client(app, "owner")
    token = token_for(client)
    ids, users = fuzz_world.ids, fuzz_world.users
    fields = {
        "readers": multi([users["contact"], users["reader"], users["stranger"], users["owner"]]),
        "question": value(["help?"]),
        "expires": value(["2099-01-01", "2000-01-01", "2099-02-30"]),
        "entries": multi([ids["entry"], ids["private"], "0" * 32]),
    }
    before = journal_state(client, token)

    @FUZZ
    @given(data=form(fields), agenda=st.booleans())
    def run(data, agenda):
        url = "/share/agenda" if agenda else f"/entries/{ids['private']}/share"
        assert_no_500(_post(client, url, data, token), url)

    run()
    assert client.get("/outbox").status_code == 200
    assert login_client(app, "contact").get("/inbox").status_code == 200
    assert_kept(before, journal_state(client, token))
    assert_thread_intact(app, fuzz_world)
    # The revoked reader stays revoked, whatever the fuzzed forms sent.
    revoked = login_client(app, "revoked")
    assert revoked.get(f"/shares/{ids['share']}").status_code == 404
    assert fuzz_world.markers["entry"] not in revoked.get(f"/shares/{ids['rshare']}").get_data(as_text=True)
    assert fuzz_world.markers["entry"] not in revoked.get("/inbox").get_data(as_text=True)


def test_fuzz_reflection_and_reply(app, fuzz_world):
    ids = fuzz_world.ids
    owner, reader = login_client(app, "owner"), login_client(app, "reader")
    tokens = {"owner": token_for(owner), "reader": token_for(reader)}
    # A second share that waits for a reflection, so drafts and submits are exercised.
    page = owner.get(f"/entries/{ids['private']}/share").get_data(as_text=True)
    owner.post(
        f"/entries/{ids['private']}/share",
        data={"csrf_token": tokens["owner"], "readers": fuzz_world.users["reader"]},
    )
    inbox = reader.get("/inbox").get_data(as_text=True)
    fresh = next(s for s in re.findall(r"/shares/([0-9a-f]{32})", inbox) if s != ids["share"])
    assert page
    sections = {name: value(["ok"]) for name in ("context", "alliance", "positive", "feelings", "next_step")}
    reflection = form(
        {**sections, "follow_up": value(["2099-01-01", "2025-02-30"]), "action": value(["save", "submit"])}
    )
    reply = form({"text": value(["thanks"]), "reply_id": value(["0" * 32, "short", new_id()])})

    @FUZZ
    @given(
        kind=st.sampled_from(["reflection", "reply-owner", "reply-reader"]),
        refl=reflection,
        rep=reply,
        share=st.sampled_from([ids["share"], fresh, ids["rshare"]]),
    )
    def run(kind, refl, rep, share):
        if kind == "reflection":
            r = _post(reader, f"/shares/{share}/reflection", refl, tokens["reader"])
        else:
            who = kind.split("-")[1]
            r = _post(owner if who == "owner" else reader, f"/shares/{share}/reply", rep, tokens[who])
        assert_no_500(r, kind)

    run()
    for client, sid in ((owner, ids["share"]), (reader, ids["share"]), (reader, fresh)):
        assert client.get(f"/shares/{sid}").status_code == 200
    assert owner.post("/settings/data/export.zip", data={"csrf_token": tokens["owner"]}).status_code == 200


# --- groups ---------------------------------------------------------------------------------------


def test_fuzz_group_forms(app, fuzz_world):
    client = login_client(app, "owner")
    token = token_for(client)
    gid, member = fuzz_world.ids["group"], fuzz_world.ids["member"]
    before = journal_state(client, token)
    forms = {
        f"/groups/{gid}/k": {"k": value(["2", "3", "5", "50", "51", "-3", "1e3"])},
        f"/groups/{gid}/invite": {
            "multi_use": value(["single", "multi"]),
            "days": value(["0", "1", "60", "61"]),
        },
        f"/groups/{gid}/members/{member}/lead": {"lead": value(["0", "1"])},
        f"/groups/{gid}/consent": {"action": value(["withdraw", "consent"])},
        "/groups/": {"name": value(["Seminar"]), "k": value(["5"])},
    }

    @FUZZ
    @given(url=st.sampled_from(list(forms)), data=st.data())
    def run(url, data):
        body = data.draw(form(forms[url]))
        assert_no_500(_post(client, url, body, token), url)

    run()
    page = client.get(f"/groups/{gid}")
    assert page.status_code == 200 and fuzz_world.markers["group"] in page.get_data(as_text=True)
    assert client.get(f"/groups/{gid}/trends").status_code == 200
    assert_kept(before, journal_state(client, token))


# --- import ----------------------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


def _valid_export(client, token) -> dict:
    return json.loads(client.post("/settings/data/export.json", data={"csrf_token": token}).data)


def _mutate(dump: dict, path: list, new) -> dict:
    """Replace one value somewhere inside a copy of `dump` (path indexes are taken modulo sizes)."""
    dump = json.loads(json.dumps(dump))
    node = dump
    for step in path[:-1]:
        if isinstance(node, dict) and node:
            node = node[sorted(node)[step % len(node)]]
        elif isinstance(node, list) and node:
            node = node[step % len(node)]
        else:
            break
    if isinstance(node, dict) and node:
        node[sorted(node)[path[-1] % len(node)]] = new
    elif isinstance(node, list) and node:
        node[path[-1] % len(node)] = new
    return dump


def test_fuzz_import(app, fuzz_world):
    source = login_client(app, "owner")
    dump = _valid_export(source, token_for(source))
    client = login_client(app, "stranger")
    token = token_for(client)

    def upload(raw: bytes):
        r = client.post(
            "/settings/data/import",
            data={"csrf_token": token, "file": (io.BytesIO(raw), "x.json")},
            content_type="multipart/form-data",
        )
        assert_no_500(r, "import preview")
        m = re.search(r'name="payload" type="hidden" value="([^"]+)"', r.get_data(as_text=True))
        if m:
            r = client.post(
                "/settings/data/import/confirm", data={"csrf_token": token, "payload": m.group(1)}
            )
            assert_no_500(r, "import confirm")
            for url in ("/entries", "/", "/processes/", "/trends", "/outbox"):
                assert_no_500(client.get(url), f"{url} after an import")
            for url in ("/settings/data/export.json", "/settings/data/export.zip"):
                assert_no_500(client.post(url, data={"csrf_token": token}), f"{url} after an import")

    @FUZZ
    @given(
        raw=st.one_of(
            st.binary(max_size=300),
            JSON.map(lambda j: json.dumps(j).encode()),
            st.tuples(st.lists(st.integers(0, 50), min_size=1, max_size=6), JSON).map(
                lambda t: json.dumps(_mutate(dump, *t)).encode()
            ),
        )
    )
    def run(raw):
        upload(raw)

    run()
    upload(json.dumps(dump).encode())  # the untouched export imports
    assert fuzz_world.markers["entry"] in client.get("/entries").get_data(as_text=True)


def test_oversize_bodies_get_a_friendly_413(app, fuzz_world):
    client = login_client(app, "owner")
    token = token_for(client)
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    for url in (
        "/entries/new/hard_session",
        "/login",
        "/settings/password",
        f"/shares/{fuzz_world.ids['share']}/reply",
    ):
        r = client.post(url, data={"csrf_token": token, "what_happened": big, "text": big, "password": big})
        assert r.status_code == 413, (url, r.status_code)
        assert said_html(app, "Too much at once") in r.get_data(as_text=True)


def test_second_factor_accepts_a_real_code(app, pending_2fa):
    """Control for the 2FA fuzzing: the fuzzed client really is at the code step."""
    client, token, secret, _codes = pending_2fa
    r = _post(client, "/login/code", {"code": pyotp.TOTP(secret).now()}, token)
    assert r.status_code == 302 and r.headers["Location"] == "/"


# --- regressions found by the fuzzing above ---------------------------------------------------------

IMPORT_EDGE_CASES = {
    "process id that is a list": {"processes": [{"id": [1], "data": {"code": "MM-1"}}]},
    "process data that is not an object": {
        "processes": [{"id": "p", "data": {"code": "MM-1"}}, {"id": "q", "data": 5}]
    },
    "process status and screening of the wrong type": {
        "processes": [{"id": "p", "data": {"code": "MM-2", "status": [1], "screening": "abc"}}]
    },
    "malformed archived reflections": {
        "entries": [
            {
                "id": "e",
                "created_at": "2025-01-02T03:04:05",
                "data": {"kind": "bright_moment", "what_happened": "hi"},
                "reflections_received": [1, {"x": 2}, {"thread": 5}, {"thread": [{"content": 3}]}],
            }
        ]
    },
    "malformed reflections given": {
        "reflections_given": [1, "x", {"thread": 3}, {"thread": [{"content": {}}]}]
    },
    "created_at with a time zone": {
        "entries": [
            {
                "id": "t",
                "created_at": "2025-01-02T03:04:05+05:00",
                "data": {"kind": "bright_moment", "what_happened": "tz"},
            }
        ]
    },
}


@pytest.mark.parametrize("case", list(IMPORT_EDGE_CASES))
def test_import_edge_cases_never_break_the_journal(app, case):
    from tests.conftest import Auth

    client = app.test_client()
    Auth(client).signup("importer", "Importer")
    token = token_for(client)
    dump = {"format": "fokus-export", "version": 1, "processes": [], "entries": [], **IMPORT_EDGE_CASES[case]}
    r = client.post(
        "/settings/data/import",
        data={"csrf_token": token, "file": (io.BytesIO(json.dumps(dump).encode()), "x.json")},
    )
    assert_no_500(r, "preview")
    m = re.search(r'name="payload" type="hidden" value="([^"]+)"', r.get_data(as_text=True))
    if m:
        assert_no_500(
            client.post("/settings/data/import/confirm", data={"csrf_token": token, "payload": m.group(1)}),
            "confirm",
        )
    for url in ("/entries", "/", "/processes/", "/trends"):
        assert client.get(url).status_code == 200, url
    for url in ("/settings/data/export.json", "/settings/data/export.zip"):
        assert client.post(url, data={"csrf_token": token}).status_code == 200, url


def test_a_draft_reflection_with_a_follow_up_date_reopens(app, fuzz_world):
    """A reader's saved draft with a follow-up date used to make their thread page a 500."""
    owner, reader = login_client(app, "owner"), login_client(app, "reader")
    token = token_for(owner)
    owner.post(
        f"/entries/{fuzz_world.ids['private']}/share",
        data={"csrf_token": token, "readers": fuzz_world.users["reader"]},
    )
    sid = next(
        s
        for s in re.findall(r"/shares/([0-9a-f]{32})", reader.get("/inbox").get_data(as_text=True))
        if s != fuzz_world.ids["share"]
    )
    r = reader.post(
        f"/shares/{sid}/reflection",
        data={
            "csrf_token": token_for(reader),
            "context": "draft",
            "follow_up": "2099-01-31",
            "action": "save",
        },
    )
    assert r.status_code == 302
    page = reader.get(f"/shares/{sid}")
    assert page.status_code == 200 and 'value="2099-01-31"' in page.get_data(as_text=True)


def test_an_invitation_role_of_none_is_a_form_error(app, fuzz_world):
    """Found by fuzzing: the text "None" passed the role field and the domain's refusal was a 500."""
    client = login_client(app, "owner")
    for role in ("None", "client", ""):
        r = client.post("/contacts/invite", data={"csrf_token": token_for(client), "role": role})
        assert r.status_code == 400, (role, r.status_code)


def test_fuzz_query_strings(app, fuzz_world):
    """Filters, pages, periods and `next` arrive in URLs: anything there is a 4xx at worst."""
    client = login_client(app, "owner")
    gid = fuzz_world.ids["group"]
    urls = [
        "/entries",
        "/trends",
        f"/groups/{gid}/trends",
        f"/groups/{gid}/handout.csv",
        "/entries/new/hard_session",
        "/login",
        "/confirm",
        "/",
        "/share/agenda",
        "/settings/data/",
    ]
    params = {
        name: value(valid)
        for name, valid in (
            ("kind", list(KINDS)),
            ("theme", ["safe_alliance"]),
            ("subtheme", ["x"]),
            ("process", ["PROC"]),
            ("supervision", ["flagged", "urgent"]),
            ("tag", ["a"]),
            ("q", ["the"]),
            ("drafts", ["1"]),
            ("from", ["2025-01-01"]),
            ("to", ["2024-01-01"]),
            ("page", ["0", "-1", "2", "999999999999"]),
            ("period", ["3", "6", "12", "all"]),
            ("next", ["/entries", "//x"]),
        )
    }

    @FUZZ
    @given(url=st.sampled_from(urls), query=form(params))
    def run(url, query):
        query = {k: fuzz_world.ids["process"] if v == "PROC" else v for k, v in query.items()}
        r = client.get(url, query_string=query)
        assert_no_500(r, f"GET {url}?{query}")
        r.close()

    run()

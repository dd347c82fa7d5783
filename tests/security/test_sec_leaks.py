"""No marker string (text a user typed or chose) in application logs, error pages, files left on
disk, or URLs, across a whole session of use that also forces a 500 and exports everything."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

from flask_babel import ngettext

from domain.journal import entries as journal
from tests.conftest import PASSWORD, Auth, csrf_from, said, search
from tests.security.conftest import new_marker, token_for


def _found_count(app) -> re.Pattern:
    """The search page's "N entries found." line, in the language the test clients ask for."""
    with app.test_request_context(headers={"Accept-Language": os.environ.get("FOKUS_TEST_LANG") or "en"}):
        forms = [ngettext("%(num)d entry found.", "%(num)d entries found.", n) for n in (1, 2)]
    return re.compile("|".join(re.escape(f).replace(str(n), r"\d+", 1) for f, n in zip(forms, (1, 2))))


def _recording(client, seen: list):
    original = client.open

    def open_(*args, **kwargs):
        r = original(*args, **kwargs)
        seen.append(r)
        return r

    client.open = open_
    return client


def _files(root: Path, recursive: bool = True) -> dict[Path, tuple[float, int]]:
    if not root.exists():
        return {}
    paths = root.rglob("*") if recursive else root.iterdir()
    out = {}
    for p in paths:
        try:
            if p.is_file():
                st = p.stat()
                out[p] = (st.st_mtime, st.st_size)
        except OSError:
            continue
    return out


class _AccessLog:
    """What a proxy or gunicorn writes for each request: gunicorn's default access_log_format
    ('%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'), with the raw request line
    (query string percent-encoded, as a browser sends it) and the Referer."""

    def __init__(self, wsgi_app, lines: list[str]):
        self.wsgi_app, self.lines = wsgi_app, lines

    def __call__(self, environ, start_response):
        query = environ.get("QUERY_STRING", "")
        path = quote(environ.get("PATH_INFO", ""), safe="/;=&?-._~!$'()*+,:@")
        request_line = f"{environ['REQUEST_METHOD']} {path}{'?' + query if query else ''} HTTP/1.1"

        def start(status, headers, exc_info=None):
            self.lines.append(f'{environ.get("REMOTE_ADDR", "-")} - - [{time.strftime("%d/%b/%Y:%H:%M:%S %z")}] '
                              f'"{request_line}" {status.split()[0]} - "{environ.get("HTTP_REFERER", "-")}" '
                              f'"{environ.get("HTTP_USER_AGENT", "-")}"')
            return start_response(status, headers, exc_info)
        return self.wsgi_app(environ, start)


def _access_log_problems(lines: list[str], markers: set[str]) -> list[str]:
    """No marker in any access-log line, plain or percent-encoded, and no filter choice in the
    query of the journal list (only the sealed state, the page number and the drafts switch)."""
    problems = []
    encoded = {v: {v, quote(v), quote_plus(v)} for v in markers}
    for line in lines:
        low = line.casefold()
        if any(form.casefold() in low for forms in encoded.values() for form in forms):
            problems.append(f"marker in the access log: {line[:160]}")
        target = line.split('"')[1].split(" ")[1]
        parts = urlsplit(target)
        if parts.path == "/entries" and not {k for k, _ in parse_qsl(parts.query)} <= {"f", "page", "drafts"}:
            problems.append(f"a search word or choice in the URL: {line[:160]}")
    assert len(lines) > 50, "the access log recorded nothing"
    return problems


GET_FORM = re.compile(r'<form[^>]*method="get"[^>]*>.*?</form>', re.IGNORECASE | re.DOTALL)
URL_ATTR = re.compile(r'\b(?:href|src|action|formaction|data-url)\s*=\s*"([^"]*)"', re.IGNORECASE)


def test_no_marker_in_logs_error_pages_files_or_urls(app, caplog, monkeypatch, tmp_path):
    caplog.set_level(logging.DEBUG)
    real_tmp = Path(tempfile.gettempdir())
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    monkeypatch.setenv("TMPDIR", str(private_tmp))
    instance = Path(app.instance_path)
    before = {**_files(instance), **_files(real_tmp, recursive=False)}

    m = {
        k: new_marker(k)
        for k in (
            "title",
            "text",
            "tag",
            "proc",
            "question",
            "refl",
            "reply",
            "group",
            "boom",
            "edit",
            "import",
            "feel",
        )
    }
    access_log: list[str] = []
    app.wsgi_app = _AccessLog(app.wsgi_app, access_log)
    seen: list = []
    a = _recording(app.test_client(), seen)
    b = _recording(app.test_client(), seen)
    ua, ub = Auth(a), Auth(b)
    ua.signup("leak_owner", "Leak Owner")
    ub.signup("leak_reader", "Leak Reader")

    # Contacts, a process, entries of every kind with markers everywhere.
    r = ua.post("/contacts/invite", {"role": "supervisor"}, form_url="/contacts")
    link = re.search(r'<code id="invite-link">([^<]+)</code>', r.get_data(as_text=True)).group(1)
    assert ub.post("/" + link.split("://", 1)[1].split("/", 1)[1], {}).status_code == 302
    r = ua.post(
        "/processes/new",
        {"code": "MM-25-07", "working_goal": m["proc"], "notes": m["proc"], "status": "ongoing"},
    )
    assert r.status_code == 302
    proc_id = r.headers["Location"].rsplit("/", 1)[-1]
    entries = {}
    for kind, fields in (
        ("hard_session", {"what_happened": m["text"], "how_it_left_me": m["text"]}),
        ("bright_moment", {"what_happened": m["text"]}),
        ("ethical_dilemma", {"dilemma": m["text"], "options": m["text"]}),
        (
            "countertransference",
            {"feelings_other": m["feel"], "trigger": m["text"], "intensity": "7", "feelings": "anger"},
        ),
    ):
        page = a.get(f"/entries/new/{kind}").get_data(as_text=True)
        draft = re.search(r'name="draft_id" type="hidden" value="([0-9a-f]+)"', page).group(1)
        r = a.post(
            f"/entries/new/{kind}",
            data={
                "csrf_token": csrf_from(page),
                "draft_id": draft,
                "action": "save",
                "title": m["title"],
                "tags": f"{m['tag']}, second tag",
                "process_id": proc_id,
                "supervision": "yes",
                "pii_ack": "1",
                "films-0-shows": m["text"],
                **fields,
            },
        )
        assert r.status_code == 302, (kind, r.status_code)
        entries[kind] = r.headers["Location"].rsplit("/", 1)[-1]
    eid = entries["hard_session"]
    token = token_for(a)
    a.post(
        "/entries/autosave",
        data={"csrf_token": token, "kind": "bright_moment", "draft_id": "f" * 32, "what_happened": m["text"]},
    )
    for url in (
        "/",
        "/entries",
        f"/entries/{eid}",
        f"/entries/{eid}/edit",
        f"/processes/{proc_id}",
        "/processes/",
        "/trends",
        "/share/agenda",
    ):
        assert a.get(url).status_code == 200, url
    # Searches and filters (POST, then a sealed result URL), with words a user typed and chose.
    found = _found_count(app)
    for query in ("tag=second+tag", f"tag={m['tag']}&kind=hard_session", "q=mother", f"q={m['text']}",
                  f"q={m['title']}&theme=therapist_feelings&supervision=flagged", f"process={proc_id}"):
        r = search(a, query)
        assert r.status_code == 200, query
        assert found.search(r.get_data(as_text=True)), query
        page2 = search(a, query, page=2)
        assert page2.status_code == 200
    assert m["title"] in search(a, f"q={m['text']}").get_data(as_text=True)
    # Clicking a tag link (the href the page offers) must find the entry without the tag in the URL.
    view = a.get(f"/entries/{eid}").get_data(as_text=True)
    tag_link = next(h for h in URL_ATTR.findall(view) if h.startswith("/entries?f="))
    assert m["title"] in a.get(tag_link.replace("&amp;", "&")).get_data(as_text=True)

    # Sharing, reflection, replies.
    page = a.get(f"/entries/{eid}/share").get_data(as_text=True)
    reader_id = re.search(r'name="readers" type="checkbox" value="([0-9a-f]+)"', page).group(1)
    assert (
        a.post(
            f"/entries/{eid}/share",
            data={"csrf_token": csrf_from(page), "readers": reader_id, "question": m["question"]},
        ).status_code
        == 302
    )
    sid = re.search(r"/shares/([0-9a-f]{32})", b.get("/inbox").get_data(as_text=True)).group(1)
    t = b.get(f"/shares/{sid}").get_data(as_text=True)
    assert (
        b.post(
            f"/shares/{sid}/reflection",
            data={"csrf_token": csrf_from(t), "context": m["refl"], "action": "submit"},
        ).status_code
        == 302
    )
    t = a.get(f"/shares/{sid}").get_data(as_text=True)
    rid = re.search(r'name="reply_id" type="hidden" value="([0-9a-f]+)"', t).group(1)
    assert (
        a.post(
            f"/shares/{sid}/reply", data={"csrf_token": csrf_from(t), "reply_id": rid, "text": m["reply"]}
        ).status_code
        == 302
    )
    for url in (f"/shares/{sid}", "/inbox", "/outbox", f"/entries/{eid}/sharing"):
        a.get(url)
        b.get(url)

    # A seminar group with a marker name.
    r = ua.post("/groups/", {"name": m["group"], "k": "5"})
    gid = r.headers["Location"].rsplit("/", 1)[-1]
    for url in (
        f"/groups/{gid}",
        f"/groups/{gid}/trends",
        f"/groups/{gid}/handout.csv",
        f"/groups/{gid}/handout.pdf",
        "/groups/",
    ):
        assert a.get(url).status_code == 200, url

    # Validation errors echo input into the form (that is the user's own page), never into a URL.
    a.post(
        f"/entries/{eid}/edit",
        data={"csrf_token": token, "title": m["title"] * 20, "what_happened": m["text"]},
    )
    a.post("/processes/new", data={"csrf_token": token, "code": m["proc"] * 3})

    # Exports and an import: answered in memory, nothing written anywhere.
    dump = a.post("/settings/data/export.json", data={"csrf_token": token})
    assert m["text"] in dump.get_data(as_text=True)
    assert a.post("/settings/data/export.zip", data={"csrf_token": token}).data[:2] == b"PK"
    pdf = a.post("/settings/data/export.pdf", data={"csrf_token": token, "entries": list(entries.values())})
    assert pdf.data[:4] == b"%PDF"
    data = json.loads(dump.data)
    data["entries"][0]["data"]["title"] = m["import"]
    r = b.post(
        "/settings/data/import",
        data={"csrf_token": token_for(b), "file": (io.BytesIO(json.dumps(data).encode()), "x.json")},
    )
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', r.get_data(as_text=True)).group(1)
    assert (
        b.post(
            "/settings/data/import/confirm", data={"csrf_token": token_for(b), "payload": payload}
        ).status_code
        == 302
    )

    # A forced 500 whose exception message carries what was typed.
    def boom(*args, **kwargs):
        raise ValueError(f"could not store {m['boom']} / {args[-1] if args else ''}")

    real_update = journal.update
    monkeypatch.setattr(journal, "update", boom)
    r = a.post(
        f"/entries/{eid}/edit",
        data={
            "csrf_token": token,
            "what_happened": m["boom"],
            "pii_ack": "1",
            "action": "save",
            "title": m["edit"],
        },
    )
    assert r.status_code == 500
    monkeypatch.setattr(journal, "update", real_update)
    # A session that ends mid-form: the typed text travels sealed in the login form, not the URL.
    Auth(a).logout()
    r = a.post(f"/entries/{eid}/edit", data={"csrf_token": token, "what_happened": m["edit"]})
    assert r.status_code == 401
    assert ua.login("leak_owner", PASSWORD).status_code == 302

    # --- the checks ---
    markers = set(m.values())
    logged = caplog.text + "\n".join(str(rec.args) + str(rec.msg) for rec in caplog.records)
    assert any("unhandled ValueError" in rec.getMessage() for rec in caplog.records), "the 500 was not logged"
    leaks = sorted(k for k, v in m.items() if v in logged)
    assert not leaks, f"markers in the application log: {leaks}"

    problems = _access_log_problems(access_log, markers)
    error_eyebrow = re.compile(
        'class="eyebrow">' + re.escape(said(app, "Error %(code)s", code=999)).replace("999", r"\d{3}")
    )
    for r in seen:
        where = f"{r.request.method} {r.request.path}"
        if r.headers.get("Location") and any(v in r.headers["Location"] for v in markers):
            problems.append(f"{where}: marker in Location {r.headers['Location']}")
        if r.mimetype == "text/html":
            html = r.get_data(as_text=True)
            for url in URL_ATTR.findall(html):
                if any(v in url for v in markers):
                    problems.append(f"{where}: marker in a link: {url[:120]}")
            # A GET form puts its values into the URL when submitted.
            for block in GET_FORM.findall(html):
                for value in re.findall(r'\bvalue\s*=\s*"([^"]*)"', block):
                    if any(v in value for v in markers):
                        problems.append(f"{where}: marker in a GET form value: {value[:120]}")
            if error_eyebrow.search(html) and any(v in html for v in markers):
                problems.append(f"{where}: marker on an error page ({r.status_code})")
        if r.status_code >= 500 and any(v in r.get_data(as_text=True) for v in markers):
            problems.append(f"{where}: marker in a {r.status_code} page")
    assert not problems, "\n".join(problems)

    after = {**_files(instance), **_files(real_tmp, recursive=False)}
    new_or_changed = [p for p, st in after.items() if before.get(p) != st]
    # Only the database itself may change under instance/ (it holds ciphertext).
    db_files = {
        Path(str(app.config["SQLALCHEMY_DATABASE_URI"]).replace("sqlite:///", "") + s)
        for s in ("", "-wal", "-shm", "-journal")
    }
    written_here = [p for p in new_or_changed if p.is_relative_to(instance) and p not in db_files]
    assert not written_here, f"files written under instance/: {written_here}"
    for p in new_or_changed:
        if p in db_files or p.stat().st_size > 50_000_000:
            continue
        content = p.read_bytes()
        assert not any(v.encode() in content for v in markers), f"marker in a file on disk: {p}"
        assert (
            not content.startswith((b"%PDF", b"PK\x03\x04"))
            or not p.is_relative_to(real_tmp)
            or "pytest" in str(p)
        ), f"an export-like file was left in {p}"
    assert not any(private_tmp.iterdir()), f"temporary files left: {list(private_tmp.iterdir())}"

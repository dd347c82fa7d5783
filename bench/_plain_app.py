"""The baseline for the HTTP benchmarks: a plain Flask page rendering 20 rows from one SQLAlchemy
query on SQLite (no login, no encryption). Served by gunicorn: `gunicorn _plain_app:app`."""
from __future__ import annotations

import os

from flask import Flask, render_template_string
from sqlalchemy import create_engine, text

engine = create_engine(os.environ.get("PLAIN_DB", "sqlite:///plain.db"))
app = Flask("plain")
PAGE = """<!doctype html><title>Plain</title><ul>
{% for r in rows %}<li><time>{{ r.day }}</time> {{ r.title }}</li>{% endfor %}</ul>"""


def create(n: int) -> None:
    with engine.begin() as c:
        c.execute(text("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, day TEXT, title TEXT)"))
        c.execute(text("INSERT INTO rows (day, title) VALUES (:d, :t)"),
                  [{"d": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}", "t": f"row number {i}"} for i in range(n)])


@app.route("/")
def index():
    with engine.connect() as c:
        rows = c.execute(text("SELECT id, day, title FROM rows ORDER BY id DESC LIMIT 20")).all()
    return render_template_string(PAGE, rows=rows)

"""The shape of a Fokus export file, checked before anything else reads it.

An import is untrusted input: a file may nest arrays a hundred thousand deep (Python's json module
recurses and would blow the stack), carry a 5,000-digit number, or put a number where a date
belongs. So, in this order: the raw text is scanned for nesting depth without parsing, json.loads
runs with bounded numbers, and the result is checked against SCHEMA (types, lengths, counts). Each
failure is an ImportProblem whose message a person can act on (an N_ msgid; the place in the file
is a Message inside it, so both are said in the reader's language).
"""
from __future__ import annotations

import json
import re
from datetime import datetime

from domain.core.refusal import N_, Message, Refusal

MAX_DEPTH = 12
MAX_NUMBER_CHARS = 20
MAX_TEXT = 20000


class ImportProblem(Refusal, ValueError):
    """The file cannot be imported; the message says why in plain words."""


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
TOO_DEEP = N_("This file is nested too deeply to be a Fokus export.")


def check_depth(text: str, limit: int = MAX_DEPTH) -> None:
    """Refuse nesting deeper than `limit` without parsing (strings are skipped first)."""
    depth = 0
    for ch in _NOT_BRACKET.sub("", _STRING.sub("", text)):
        depth += 1 if ch in "[{" else -1
        if depth > limit:
            raise ImportProblem(TOO_DEEP)


def _number(text: str):
    if len(text) > MAX_NUMBER_CHARS:
        raise ImportProblem(N_("This file has a number that is far too long to be a Fokus export."))
    return float(text) if any(c in text for c in ".eE") else int(text)


def _constant(name: str):
    raise ImportProblem(N_("This file has a value (%(name)s) that a Fokus export never holds."), name=name)


def loads(text: str):
    check_depth(text)
    try:
        return json.loads(text, parse_int=_number, parse_float=_number, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise ImportProblem(N_("This file is not a Fokus export (it is not JSON).")) from exc
    except RecursionError as exc:  # belt and braces: check_depth should have caught it
        raise ImportProblem(TOO_DEEP) from exc


# --- the schema ----------------------------------------------------------------------------------
# A small subset of JSON Schema: type, properties, required, items, maxItems, maxLength, and
# "format": "datetime" for the timestamps the preview and the import read.

ANY = {"type": "any"}
TIMESTAMP = {"type": "string", "maxLength": 40, "format": "datetime"}
ID = {"type": "string", "maxLength": 64}
ENTRY = {"type": "object", "required": ["data"], "properties": {
    "id": ID, "created_at": TIMESTAMP, "updated_at": TIMESTAMP,
    "data": {"type": "object", "maxItems": 60, "required": ["kind"],
             "properties": {"kind": {"type": "string", "maxLength": 40}}},
    "reflections_received": {"type": "array", "maxItems": 50}}}
PROCESS = {"type": "object", "required": ["data"], "properties": {
    "id": ID, "created_at": TIMESTAMP,
    "data": {"type": "object", "maxItems": 40, "properties": {"code": {"type": "string", "maxLength": 40}}}}}
SCHEMA = {"type": "object", "required": ["format", "version", "entries"], "properties": {
    "format": {"type": "string", "maxLength": 40},
    "version": {"type": "integer"},
    "exported_at": TIMESTAMP,
    "profile": {"type": "object", "maxItems": 10},
    "entries": {"type": "array", "maxItems": 20000, "items": ENTRY},
    "processes": {"type": "array", "maxItems": 5000, "items": PROCESS},
    "reflections_given": {"type": "array", "maxItems": 5000, "items": {"type": "object"}}}}

_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool}
_NAMES = {"object": N_("a group of fields"), "array": N_("a list"), "string": N_("text"),
          "integer": N_("a whole number"), "boolean": N_("yes or no")}
THE_FILE = Message(N_("the file"))


def _type_ok(value, kind: str) -> bool:
    if kind == "any":
        return True
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, _TYPES[kind])


def validate(value, schema: dict = SCHEMA, where: str | Message = THE_FILE) -> None:
    """`where` names the place in the file: a field name from the file (not translated), or a
    Message ("item 2 of entries")."""
    kind = schema["type"]
    if not _type_ok(value, kind):
        raise ImportProblem(N_("In this file, %(where)s should be %(kind)s."), where=where, kind=Message(_NAMES[kind]))
    if isinstance(value, str):
        if len(value) > schema.get("maxLength", MAX_TEXT):
            raise ImportProblem(N_("In this file, %(where)s is too long."), where=where)
        if schema.get("format") == "datetime":
            try:
                datetime.fromisoformat(value)
            except ValueError:
                raise ImportProblem(N_("In this file, %(where)s is not a date and time."), where=where) from None
    if isinstance(value, dict | list) and len(value) > schema.get("maxItems", 10000):
        raise ImportProblem(N_("In this file, %(where)s has too many items."), where=where)
    if isinstance(value, dict):
        for name in schema.get("required", ()):
            if name not in value:
                raise ImportProblem(N_("In this file, %(where)s lacks its %(name)s."), where=where, name=name)
        for name, sub in schema.get("properties", {}).items():
            if name in value and value[name] is not None:
                inner = name if where is THE_FILE else Message(N_("%(name)s of %(where)s"), name=name, where=where)
                validate(value[name], sub, inner)
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            validate(item, schema["items"], Message(N_("item %(num)d of %(where)s"), num=i + 1, where=where))

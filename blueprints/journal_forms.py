"""Entry and process forms, built from the kind descriptions in domain/catalogue/entry_kinds.py."""
from __future__ import annotations

import re
from functools import cache

from flask import current_app, g
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms import Form as PlainForm
from wtforms.validators import Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from blueprints import quick_capture
from blueprints.forms import Form
from domain.catalogue import entry_kinds, texts, themes
from domain.catalogue.entry_kinds import FILM_REFS_MAX, KINDS, LINE_MAX, TAG_MAX, TAGS_MAX, TITLE_MAX
from domain.core.db import id_ok
from domain.journal import differences
from domain.journal.filters import BAD_DATE, parse_day

CHOOSE = _l("Please choose from the list.")
NUMBER = _l("A number from 0 to 999.")


def _allowed(field) -> set[str]:
    # Choices are {value: label} dicts: WTForms 3.3 deprecates tuples (warnings are errors here).
    return set(field.choices)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        if self.data and any(v not in _allowed(self) for v in self.data):
            raise ValidationError(CHOOSE)


class Radio(RadioField):
    def pre_validate(self, form):
        if self.data not in (None, "", "None") and self.data not in _allowed(self):
            raise ValidationError(CHOOSE)


class Select(SelectField):
    def pre_validate(self, form):
        if self.data and self.data not in _allowed(self):
            raise ValidationError(CHOOSE)


class ProcessSelect(Select):
    """The owner's guidance processes (`processes`, set by entry_form): their ids are read only
    when one was chosen, not to list them (the choices hold the codes only on a shown form)."""
    processes = None

    def pre_validate(self, form):
        if self.data and self.data not in (self.processes.ids if self.processes is not None else ()):
            raise ValidationError(CHOOSE)


class Date(DateField):
    """Takes what people type as well as what a date picker sends: 2026-11-30, 30.11.2026, 30.11.26."""

    def process_formdata(self, valuelist):
        raw = " ".join(valuelist or []).strip()
        try:
            self.data = parse_day(raw) if raw else None
        except ValueError as exc:
            self.data = None
            raise ValueError(gettext(BAD_DATE)) from exc


def _choices(vocab) -> dict[str, str]:
    return {c.id: c.label for c in vocab if not c.retired}


_length = quick_capture.length


class FilmRefForm(PlainForm):
    film = StringField(_l("Film"), validators=[Optional(), _length(12)])
    timestamp = StringField(_l("Time"), validators=[
        Optional(), Regexp(r"^\d{1,2}(:\d{2}){1,2}$", message=_l("Write the time as mm:ss, e.g. 04:12."))])
    shows = StringField(_l("What it shows"), validators=[Optional(), _length(LINE_MAX)])


def _tags(_form, field):
    tags = parse_tags(field.data or "")
    if len(tags) > TAGS_MAX:
        raise ValidationError(gettext("At most %(num)d tags.", num=TAGS_MAX))
    if any(len(t) > TAG_MAX for t in tags):
        raise ValidationError(gettext("Each tag at most %(num)d characters.", num=TAG_MAX))


def parse_tags(text: str) -> list[str]:
    seen: dict[str, str] = {}
    for raw in re.split(r"[,;\n]", text):
        tag = " ".join(raw.split()).lstrip("#")
        if tag and tag.casefold() not in seen:
            seen[tag.casefold()] = tag
    return list(seen.values())


def _kind_field(f: entry_kinds.Field):
    if f.type == "text":
        return TextAreaField(f.label, validators=[Optional(), _length(f.max_len)], description=f.hint)
    if f.type == "line":
        return StringField(f.label, validators=[Optional(), _length(f.max_len)], description=f.hint)
    if f.type == "choice":
        return Radio(f.label, choices=_choices(f.vocab), validators=[Optional()], description=f.hint)
    if f.type == "multi":
        return MultiCheckboxField(f.label, choices=_choices(f.vocab), description=f.hint)
    if f.type == "scale":
        return Radio(f.label, choices={str(i): str(i) for i in range(11)}, validators=[Optional()],
                     description=f.hint)
    if f.type == "date":
        return Date(f.label, validators=[Optional()], description=f.hint)
    raise ValueError(f.type)


def entry_form(kind_id: str, processes=None, formdata=None, data=None):
    """A form per kind: common fields first (few required), then the kind's own fields.
    `processes` (domain.journal.processes.Choices) are the owner's, so they are set on each form:
    a chosen one is checked against their ids, their codes are offered when the form is shown."""
    form_class = _entry_form_class(kind_id, texts.language())
    form = form_class(formdata=formdata, data=data) if formdata is not None else form_class(data=data)
    form.process_id.processes = processes
    offer_processes(form, [])
    form.kind = KINDS[kind_id]
    return form


def offer_processes(form, process_choices: list[tuple[str, str]]) -> None:
    form.process_id.choices = {"": gettext("None"), **dict(process_choices)}


@cache
def _entry_form_class(kind_id: str, lang: str):
    """Built once per kind and language (the choices are catalogue words in `lang`): making the
    class and its 19 fields cost more than the rest of reading a posted form."""
    kind = KINDS[kind_id]
    supervision_choices = {k: v for k, v in _choices(themes.SUPERVISION).items()
                           if k != "urgent" or kind_id == "ethical_dilemma"}

    class EntryForm(Form):
        title = StringField(_l("Short title (optional)"), validators=[Optional(), _length(TITLE_MAX)])
        visit_date = Date(_l("Date of the visit"), validators=[Optional()])
        process_id = ProcessSelect(_l("Guidance process"), choices={}, validators=[Optional()])
        themes_ = MultiCheckboxField(_l("Themes"), choices={t.id: t.name for t in themes.THEMES})
        subthemes = MultiCheckboxField(_l("Subthemes"), choices={s.id: s.name for t in themes.THEMES
                                                             for s in t.active_subthemes})
        tags = StringField(_l("My tags"), validators=[Optional(), _length(600), _tags],
                           description=_l("Separate with commas, e.g. first visit, night shift"))
        supervision = Radio(_l("Bring to supervision?"), choices=supervision_choices, default="no",
                                 validators=[Optional()])
        films = FieldList(FormField(FilmRefForm), min_entries=1, max_entries=FILM_REFS_MAX)
        draft_id = HiddenField()
        version = HiddenField()   # the entry version this form was opened with (compare-and-swap)
        pii_ack = HiddenField()

    for f in kind.fields:
        setattr(EntryForm, f.name, _kind_field(f))
    return EntryForm


def entry_data_from(form, kind_id: str) -> dict:
    """Form fields -> the dict that gets sealed. Empty film rows are dropped."""
    data = {"kind": kind_id, "title": (form.title.data or "").strip(),
            "visit_date": form.visit_date.data.isoformat() if form.visit_date.data else None,
            "process_id": form.process_id.data or None, "themes": list(form.themes_.data or []),
            "subthemes": list(form.subthemes.data or []), "tags": parse_tags(form.tags.data or ""),
            "supervision": form.supervision.data or "no",
            "film_refs": [r for r in ({k: (v or "").strip() for k, v in sub.data.items()}
                                      for sub in form.films) if any(r.values())]}
    for f in KINDS[kind_id].fields:
        value = getattr(form, f.name).data
        if f.type == "scale":
            value = int(value) if value not in (None, "", "None") else None
        elif f.type == "date":
            value = value.isoformat() if value else None
        elif f.type == "multi":
            value = list(value or [])
        elif isinstance(value, str):
            value = value.strip()
        data[f.name] = value
    return data


def form_data_from_entry(data: dict) -> dict:
    """Sealed dict -> form `data=` values (the reverse of entry_data_from)."""
    from datetime import date
    out = dict(data)
    out["themes_"] = data.get("themes", [])
    out["tags"] = ", ".join(data.get("tags", []))
    out["films"] = data.get("film_refs") or [{}]
    for name in ("visit_date", "follow_up"):
        if data.get(name):
            out[name] = date.fromisoformat(data[name])
    if data.get("intensity") is not None:
        out["intensity"] = str(data["intensity"])
    return out


def process_differences(form, mine: dict, theirs: dict) -> list[tuple[str, str, str]]:
    labels = {name: str(form[name].label.text) for name in differences.PROCESS_PARTS}
    return differences.process_differences(labels, mine, theirs, word=gettext)


# --- handling a posted entry form ---------------------------------------------------------------

def more_films(form, action: str | None) -> bool:
    """The no-JS "Add a film moment" button: one more empty row, nothing saved yet."""
    if action != "more-films":
        return False
    if len(form.films) < form.films.max_entries:
        form.films.append_entry()
    return True


def form_entry_id(form, entry) -> str | None:
    """The entry an edit form is about, or the id a new-entry form chose when it was opened
    (so a double submit, autosave or Back-then-Save all land on one entry)."""
    if entry is not None:
        return entry.id
    return form.draft_id.data if id_ok(form.draft_id.data) else None


def show_refusal(form, field: str, message: str) -> None:
    """A domain refusal under the form field it is about (the title when no field fits)."""
    target = getattr(form, field if field != "themes" else "themes_", None) or form.title
    target.errors = list(target.errors) + [message]


def fresh_csrf_after_login() -> None:
    """Login cleared the session (and with it the raw CSRF token), but Flask-WTF caches the signed
    token of the login form in `g` for the rest of the request: a form re-rendered in that same
    request would carry a token that no longer matches and fail on Save. Drop the cached one."""
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)

"""The process form (code, goal, mandate, dated intake screening, the two outcomes) and the review
form, with the conversions between form fields and the process's sealed data."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional

from blueprints.forms import Form
from blueprints.journal_forms import NUMBER, Date, MultiCheckboxField, Radio, _choices, _length
from domain.catalogue import outcomes, themes
from domain.catalogue.entry_kinds import LINE_MAX
from domain.journal import differences, process_fields, process_screening, processes

TEXT_MAX = 1000


def _flags(ids: tuple[str, ...]) -> dict[str, str]:
    return {k: v for k, v in _choices(themes.SCREENING_FLAGS).items() if k in ids}


class ProcessForm(Form):
    code = StringField(_l("Process code"), validators=[DataRequired(_l("Please give the process a code.")),
                                                       _length(processes.CODE_MAX)],
                       description=_l("A code, never a name or birth date, e.g. MM-25-03."))
    working_goal = TextAreaField(_l("Working goal"), validators=[Optional(), _length(TEXT_MAX)])
    dialogue_element = StringField(_l("Dialogue element in focus"), validators=[Optional(), _length(LINE_MAX)],
                                   description=_l("e.g. following the child's initiative, naming, turn-taking"))
    films = IntegerField(_l("Films so far"), default=0, validators=[Optional(), NumberRange(0, 999, NUMBER)])
    reviews = IntegerField(_l("Reviews so far"), default=0, validators=[Optional(), NumberRange(0, 999, NUMBER)])
    cps_commissioned = BooleanField(_l("Commissioned by child welfare services (barnevernet)"))
    m_commissioner = StringField(_l("Who commissioned it"), validators=[Optional(), _length(LINE_MAX)],
                                 description=_l("e.g. Barnevernstjenesten, no names"))
    m_goal = TextAreaField(_l("The commissioner's goal"), validators=[Optional(), _length(TEXT_MAX)])
    m_reports_what = TextAreaField(_l("What is reported back"), validators=[Optional(), _length(TEXT_MAX)])
    m_reports_to = StringField(_l("Reported to"), validators=[Optional(), _length(LINE_MAX)],
                               description=_l("a role or a service, not a name"))
    m_parents_know = Radio(_l("Do the parents know what is reported?"), validators=[Optional()], choices={})
    m_next_review = Date(_l("Next review of the mandate"), validators=[Optional()])
    screening_article = MultiCheckboxField(_l("The article's three criteria"), choices={})
    screening_own = MultiCheckboxField(_l("Extra flags (Fokus's own, not from the article)"), choices={})
    screening_on = Date(_l("Screened on"), validators=[Optional()])
    reported = BooleanField(_l("A concern was reported to barnevernet"))
    reported_on = Date(_l("Reported on"), validators=[Optional()])
    ended = Radio(_l("Guidance ended"), validators=[Optional()], default="", choices={})
    ended_on = Date(_l("Ended on"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), _length(2000)])
    # A form opened before the outcomes were split still posts these two: they are read, not lost.
    screening = MultiCheckboxField(_l("Screening"), choices={})
    status = Radio(_l("Status"), validators=[Optional()], choices={})
    code_ack = BooleanField(_l("This code is not a name or a birth date"))
    form_id = HiddenField()   # chosen when the form opens: a double submit makes one process
    version = HiddenField()

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.reported_on.data and not self.reported.data:
            self.reported_on.errors = [*self.reported_on.errors, gettext("Tick that a concern was reported, or clear the date.")]
            ok = False
        if self.ended_on.data and not self.ended.data:
            self.ended_on.errors = [*self.ended_on.errors, gettext("Choose how the guidance ended, or clear the date.")]
            ok = False
        return ok


def process_form(formdata=None, data=None) -> ProcessForm:
    form = ProcessForm(formdata=formdata, data=data) if formdata is not None else ProcessForm(data=data)
    # Catalogue labels follow the request's language, so the choices are made per form.
    form.screening_article.choices = _flags(process_screening.ARTICLE_CRITERIA)
    form.screening_own.choices = _flags(process_screening.OWN_FLAGS)
    form.screening.choices = _choices(themes.SCREENING_FLAGS)
    form.status.choices = {c.id: c.label for c in themes.PROCESS_STATUS}
    form.m_parents_know.choices = {"yes": gettext("Yes"), "partly": gettext("Partly"), "no": gettext("No")}
    form.ended.choices = {"": gettext("Not ended"), "as_planned": gettext("As planned"), "early": gettext("Early")}
    return form


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def data_from(form: ProcessForm, old: dict) -> dict:
    """Form fields -> the process's sealed data; the review log and unknown keys of `old` are kept."""
    mandate = {"commissioner": form.m_commissioner.data, "goal": form.m_goal.data,
               "reports_what": form.m_reports_what.data, "reports_to": form.m_reports_to.data,
               "parents_know": form.m_parents_know.data or "", "next_review": _day(form.m_next_review.data)}
    screening = list(form.screening_article.data or []) + list(form.screening_own.data or [])
    screening += [f for f in form.screening.data or [] if f not in screening]
    legacy = outcomes.upgraded({"status": form.status.data or ""})
    return {**{k: v for k, v in old.items() if k != "status"},
            "code": form.code.data.strip(), "working_goal": (form.working_goal.data or "").strip(),
            "dialogue_element": (form.dialogue_element.data or "").strip(),
            "films": form.films.data or 0, "reviews": form.reviews.data or 0,
            "cps_commissioned": bool(form.cps_commissioned.data), "mandate": mandate,
            "screening": screening, "screening_on": _day(form.screening_on.data),
            "reported": "yes" if form.reported.data else legacy.get("reported", ""),
            "reported_on": _day(form.reported_on.data), "ended": form.ended.data or legacy.get("ended", ""),
            "ended_on": _day(form.ended_on.data),
            "notes": (form.notes.data or "").strip()}


def _as_date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def form_data(data: dict) -> dict:
    """Sealed data (either shape) -> form `data=` values."""
    d = process_fields.cleaned(data)
    article, own = process_screening.split(d.get("screening") or [])
    out = {**d, "screening_article": article, "screening_own": own, "reported": d["reported"] == "yes",
           "reported_on": _as_date(d["reported_on"]), "ended_on": _as_date(d["ended_on"]),
           "screening_on": _as_date(d["screening_on"])}
    for key, value in (d.get("mandate") or {}).items():
        out[f"m_{key}"] = _as_date(value) if key == "next_review" else value
    return out


class ReviewForm(Form):
    day = Date(_l("Date of the review"), validators=[DataRequired(_l("Please give the date of the review."))])
    working_points = TextAreaField(_l("Working points"), validators=[Optional(), _length(TEXT_MAX)])
    dialogue_element = StringField(_l("Dialogue element"), validators=[Optional(), _length(LINE_MAX)])
    clips_shown = TextAreaField(_l("Clips shown"), validators=[Optional(), _length(TEXT_MAX)])
    clips_held_back = TextAreaField(_l("Clips held back"), validators=[Optional(), _length(TEXT_MAX)])
    held_back_why = TextAreaField(_l("Why they were held back"), validators=[Optional(), _length(TEXT_MAX)])
    responses = MultiCheckboxField(_l("How the parent responded"), choices={})
    response_note = TextAreaField(_l("About the response"), validators=[Optional(), _length(TEXT_MAX)])
    form_id = HiddenField()   # the review's id, chosen when the form opens: a double submit adds one
    rev = HiddenField()


def review_form(data=None) -> ReviewForm:
    form = ReviewForm(data=data)
    form.responses.choices = _choices(process_fields.responses())
    return form


def review_from(form: ReviewForm, review_id: str) -> dict:
    return {"id": review_id, "day": _day(form.day.data), "responses": list(form.responses.data or []),
            **{k: (getattr(form, k).data or "").strip() for k in process_fields.REVIEW_TEXT}}


def process_differences(form: ProcessForm, mine: dict, theirs: dict) -> list[tuple[str, str, str]]:
    """The conflict page's rows: the parts differences.py knows, then mandate, outcomes, screening date."""
    mine, theirs = processes.clean(mine), processes.clean(theirs)
    labels = {name: str(form[name].label.text) for name in differences.PROCESS_PARTS if name in form}
    labels |= {"status": gettext("Status"), "screening": gettext("Screening")}
    out = differences.process_differences(labels, mine, theirs, word=gettext)
    extra = [(form.reported.label.text, "reported"), (form.reported_on.label.text, "reported_on"),
             (form.ended.label.text, "ended"), (form.ended_on.label.text, "ended_on"),
             (form.screening_on.label.text, "screening_on")]
    out += [(str(label), mine.get(k) or "", theirs.get(k) or "") for label, k in extra
            if (mine.get(k) or "") != (theirs.get(k) or "")]
    a, b = mine.get("mandate") or {}, theirs.get("mandate") or {}
    out += [(f"{gettext('Mandate')}: {form['m_' + k].label.text}", a.get(k, ""), b.get(k, ""))
            for k in process_fields.MANDATE_KEYS if a.get(k, "") != b.get(k, "")]
    return out

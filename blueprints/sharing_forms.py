"""Forms for contacts, sharing, reflections and replies."""
from __future__ import annotations

from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from blueprints.forms import Form
from blueprints.journal_forms import Date, MultiCheckboxField, Radio
from domain.sharing import shares as sharing

ROLE_CHOICES = {"supervisor": _l("Supervisor (external supervision)"), "peer": _l("Peer (a colleague I trust)")}


def _role_choices() -> dict[str, str]:
    """Resolved when the form is built, in the reader's language (WTForms wants plain str labels)."""
    return {k: str(v) for k, v in ROLE_CHOICES.items()}


def _length(n: int):
    return Length(max=n, message=_l("At most %(max)d characters (you have more)."))


class InviteForm(Form):
    role = Radio(_l("Their role for you"), choices=_role_choices, default="supervisor",
                 validators=[DataRequired(_l("Choose a role."))])
    # Shown only when an SMTP server is configured; the address is used once and not stored.
    email = StringField(_l("Also send the link by e-mail (optional)"),
                        validators=[Optional(), _length(254),
                                    Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("That does not look like an e-mail address."))])
    # Chosen when the form is shown: the same form sent twice gives one invitation and one link.
    invite_id = HiddenField()


class UrgentMailForm(Form):
    # Sealed to each colleague who shares with you (domain/sharing/urgent_mail.py), never stored in clear.
    email = StringField(_l("E-mail me when something urgent is shared with me (optional)"),
                        validators=[Optional(), _length(254),
                                    Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("That does not look like an e-mail address."))])


class RoleForm(Form):
    role = Radio(_l("Role"), choices=_role_choices, validators=[DataRequired(_l("Choose a role."))])


def share_form(contact_choices: dict[str, str], entry_choices: dict[str, str] | None = None, **kw):
    class ShareForm(Form):
        readers = MultiCheckboxField(_l("Share with"), choices=contact_choices)
        question = TextAreaField(_l("What I want help with (optional)"),
                                 validators=[Optional(), _length(sharing.QUESTION_MAX)])
        expires = Date(_l("Readable until (optional)"), validators=[Optional()])
        # Shown only when the entry's process has a mandate; unticked, the reader gets none.
        include_mandate = BooleanField(_l("Include the mandate"))

        def expires_at(self) -> datetime | None:
            """The chosen day's end (readable through that whole day), or None for no end."""
            return datetime.combine(self.expires.data, time(23, 59)) if self.expires.data else None

    if entry_choices is not None:
        ShareForm.entries = MultiCheckboxField(_l("Entries"), choices=entry_choices)
    return ShareForm(**kw)


SECTION_LABELS = {
    "did_well": (_l("What you did well"), _l("Name something concrete that worked, however small.")),
    "context": (_l("Context and mandate"),
                _l("The frame around the work: child welfare services (barnevernet), the mandate, time.")),
    "alliance": (_l("Alliance and safety"), _l("How safe the work feels for the parents, and what could help.")),
    "positive": (_l("Positive moments and clip choice"), _l("Moments worth showing, and how to show them.")),
    "feelings": (_l("Your feelings: what is yours, what is theirs"),
                 _l("Sorting what belongs to you and what to them.")),
    "next_step": (_l("Agreed next step"), _l("One concrete thing to try or decide.")),
}


class ReflectionForm(Form):
    did_well = TextAreaField(SECTION_LABELS["did_well"][0], validators=[Optional(), _length(sharing.SECTION_MAX)])
    context = TextAreaField(SECTION_LABELS["context"][0], validators=[Optional(), _length(sharing.SECTION_MAX)])
    alliance = TextAreaField(SECTION_LABELS["alliance"][0], validators=[Optional(), _length(sharing.SECTION_MAX)])
    positive = TextAreaField(SECTION_LABELS["positive"][0], validators=[Optional(), _length(sharing.SECTION_MAX)])
    feelings = TextAreaField(SECTION_LABELS["feelings"][0], validators=[Optional(), _length(sharing.SECTION_MAX)])
    next_step = TextAreaField(SECTION_LABELS["next_step"][0], validators=[Optional(), _length(sharing.SECTION_MAX)])
    follow_up = Date(_l("Follow up on (optional)"), validators=[Optional()])

    @classmethod
    def from_draft(cls, draft: dict | None) -> ReflectionForm:
        """The form filled with the reader's saved draft (or empty)."""
        draft = dict(draft) if draft else None
        if draft and draft.get("follow_up"):
            # Stored as an ISO string; the date field needs a date (a string here was a 500).
            try:
                draft["follow_up"] = date.fromisoformat(draft["follow_up"])
            except (TypeError, ValueError):
                draft["follow_up"] = None
        return cls(data=draft)

    def sections(self) -> dict:
        """What the domain stores: each section's text and the follow-up day as an ISO string."""
        data = {name: getattr(self, name).data for name in sharing.REFLECTION_SECTIONS}
        data["follow_up"] = self.follow_up.data.isoformat() if self.follow_up.data else ""
        return data


class ReplyForm(Form):
    text = TextAreaField(_l("Your reply"), validators=[DataRequired(_l("Write something first.")),
                                                   _length(sharing.REPLY_MAX)])
    reply_id = HiddenField()

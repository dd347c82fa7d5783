"""Forms for contacts, sharing, reflections and replies."""
from __future__ import annotations

from datetime import date, datetime, time

from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from blueprints.forms import Form
from blueprints.journal_forms import Date, MultiCheckboxField, Radio
from domain.sharing import shares as sharing

ROLE_CHOICES = {"supervisor": "Supervisor (external supervision)", "peer": "Peer (a colleague I trust)"}


def _length(n: int):
    return Length(max=n, message=f"At most {n} characters (you have more).")


class InviteForm(Form):
    role = Radio("Their role for you", choices=ROLE_CHOICES, default="supervisor",
                 validators=[DataRequired("Choose a role.")])
    # Shown only when an SMTP server is configured; the address is used once and not stored.
    email = StringField("Also send the link by e-mail (optional)",
                        validators=[Optional(), _length(254),
                                    Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="That does not look like an e-mail address.")])
    # Chosen when the form is shown: the same form sent twice gives one invitation and one link.
    invite_id = HiddenField()


class RoleForm(Form):
    role = Radio("Role", choices=ROLE_CHOICES, validators=[DataRequired("Choose a role.")])


def share_form(contact_choices: dict[str, str], entry_choices: dict[str, str] | None = None, **kw):
    class ShareForm(Form):
        readers = MultiCheckboxField("Share with", choices=contact_choices)
        question = TextAreaField("What I want help with (optional)",
                                 validators=[Optional(), _length(sharing.QUESTION_MAX)])
        expires = Date("Readable until (optional)", validators=[Optional()])

        def expires_at(self) -> datetime | None:
            """The chosen day's end (readable through that whole day), or None for no end."""
            return datetime.combine(self.expires.data, time(23, 59)) if self.expires.data else None

    if entry_choices is not None:
        ShareForm.entries = MultiCheckboxField("Entries", choices=entry_choices)
    return ShareForm(**kw)


SECTION_LABELS = {
    "context": ("Context and mandate", "The frame around the work: child protection, the mandate, time."),
    "alliance": ("Alliance and safety", "How safe the work feels for the parents, and what could help."),
    "positive": ("Positive moments and clip choice", "Moments worth showing, and how to show them."),
    "feelings": ("Your feelings: what is yours, what is theirs", "Sorting what belongs to you and what to them."),
    "next_step": ("Agreed next step", "One concrete thing to try or decide."),
}


class ReflectionForm(Form):
    context = TextAreaField(SECTION_LABELS["context"][0], validators=[Optional(), _length(sharing.SECTION_MAX)])
    alliance = TextAreaField(SECTION_LABELS["alliance"][0], validators=[Optional(), _length(sharing.SECTION_MAX)])
    positive = TextAreaField(SECTION_LABELS["positive"][0], validators=[Optional(), _length(sharing.SECTION_MAX)])
    feelings = TextAreaField(SECTION_LABELS["feelings"][0], validators=[Optional(), _length(sharing.SECTION_MAX)])
    next_step = TextAreaField(SECTION_LABELS["next_step"][0], validators=[Optional(), _length(sharing.SECTION_MAX)])
    follow_up = Date("Follow up on (optional)", validators=[Optional()])

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
    text = TextAreaField("Your reply", validators=[DataRequired("Write something first."),
                                                   _length(sharing.REPLY_MAX)])
    reply_id = HiddenField()

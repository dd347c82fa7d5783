"""Reminders that reveal nothing: a private calendar feed and one-off .ics files whose events say
only "Fokus: follow-up" (or visit, supervision) and a date (docs/ARCHITECTURE.md, "Calendar
reminders")."""

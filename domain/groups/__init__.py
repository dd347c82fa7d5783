"""Seminar groups: members, consent, leads, and the handout."""

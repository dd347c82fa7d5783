"""Retention by default: every entry and process has an expiry date (issue 20.1)."""

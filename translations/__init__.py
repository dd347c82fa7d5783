"""Bokmål catalogues, one folder per area, and the check that every message is translated."""

"""Data ownership: export, import, backup, erasure."""

"""Counting, never reading: trend facts, personal and group summaries, suppression."""

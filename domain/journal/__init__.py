"""The therapist's own writing: entries, processes, the sealed index and its cache."""

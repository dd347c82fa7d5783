"""The fictional demo: its content and the command that seeds it."""

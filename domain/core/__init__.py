"""Foundations every feature stands on: database, tables, keys, sealed objects, settings."""

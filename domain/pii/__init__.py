"""Spotting identifying details in free text before it is saved or shared."""

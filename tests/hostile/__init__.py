"""Hostile and broken submissions of the "mini" assignment (issue 4)."""

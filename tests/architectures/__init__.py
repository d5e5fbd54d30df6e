"""Implementations that build only some networks, as real code does: each exposes `make` and says in its
docstring what it builds. They import nothing from the battery, so each runs as a user's script would."""

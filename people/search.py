"""Accent- and case-insensitive search keys.

SQLite's LOWER/LIKE fold ASCII only and PostgreSQL folds case but not
accents, so search runs against a column normalised in Python: the same
behaviour on both databases ("Perez" finds "Pérez").
"""

import unicodedata


def normalize_search_text(value):
    decomposed = unicodedata.normalize("NFKD", value or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())

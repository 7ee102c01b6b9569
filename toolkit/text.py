"""Text as people type it: how searches and spreadsheet headers compare words."""

import unicodedata


def normalize_text(value: str) -> str:
    """Lower-case, accents removed, spaces collapsed: how search compares names."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.lower().split())

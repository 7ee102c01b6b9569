"""Text as people type it: how searches and spreadsheet headers compare words, and the one check that
refuses characters nobody can see (NUL and other control characters, bidi overrides, zero-width marks)
in names and codes, whether typed in a form or read from a file."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Whitespace a cell or a form may hold: it is collapsed to single spaces, never refused.
_ALLOWED_WHITESPACE = {"\t", "\n", "\r"}
# Unicode categories nobody sees on the screen: control (Cc), format (Cf: zero-width, bidi overrides,
# soft hyphen, BOM), surrogates (Cs, which PostgreSQL cannot store), private use (Co) and unassigned (Cn).
_HIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}

HIDDEN_CHARACTER = _(
    "El texto lleva un carácter invisible o de control (%(character)s) en la posición %(position)s; "
    "bórrelo y escriba el texto de nuevo."
)


def normalize_text(value: str) -> str:
    """Lower-case, accents removed, spaces collapsed: how search compares names."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.lower().split())


def hidden_character(value: str) -> tuple[int, str] | None:
    """(position counted from 1, «U+200B ZERO WIDTH SPACE») of the first character nobody can see, or None."""
    for position, ch in enumerate(value, 1):
        if ch in _ALLOWED_WHITESPACE:
            continue
        if unicodedata.category(ch) in _HIDDEN_CATEGORIES:
            name = unicodedata.name(ch, "")
            return position, f"U+{ord(ch):04X}{' ' + name if name else ''}"
    return None


def check_visible_text(value) -> None:
    """Refuse (ValidationError, code «hidden_character») text holding a character nobody can see.

    The one check for names and codes: a model field validator (admin and forms), and every import
    calls it for each text cell it reads. Anything that is not text passes."""
    if not isinstance(value, str):
        return
    found = hidden_character(value)
    if found is not None:
        position, character = found
        raise ValidationError(
            HIDDEN_CHARACTER, code="hidden_character", params={"character": character, "position": position}
        )

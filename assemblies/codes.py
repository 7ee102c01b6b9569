"""Voting codes for members who take part from home: made at random, kept only as an HMAC.

A code is 8 characters of the alphabet of the short verification codes (toolkit.verification: no I,
L, O or U; a typed O reads as zero, I and L as one; case, spaces and dashes do not matter), printed
«7KQ2-M9XD»: 40 bits, drawn with ``secrets``. Minka keeps only an HMAC-SHA256 of the code bound to its
assembly and member (keyed with ``settings.SECRET_KEY``), so a copy of the database gives no code and a
code works only for the member and assembly it was made for.
"""

import hashlib
import hmac
import secrets

from django.conf import settings

from toolkit.verification import ALPHABET, LENGTH, printed, read_code, same_code

__all__ = ["digest", "new_code", "printed", "read_code", "same_code"]


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _n in range(LENGTH))


def digest(assembly_id: int, entry_id: int, code: str) -> str:
    message = f"minka:remote-vote:{assembly_id}:{entry_id}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()

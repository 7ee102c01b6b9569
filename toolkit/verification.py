"""Short codes printed beside a document's number, for whoever holds the paper but no QR reader.

Each verifiable document (a receipt, an issued document, an assembly's minutes) already has a random
verification key, printed only inside its QR code. Its short code is 8 characters of Crockford's base32
(digits and capitals without I, L, O and U) taken from an HMAC-SHA256 of what the document is and that key,
keyed with ``settings.MINKA_VERIFICATION_SECRET``. The number is printed in plain sight and follows a
sequence; the code cannot be worked out from it, and 40 bits leave a guesser about one chance in a
trillion per try, at the few tries an hour the rate limit of /verificar/ allows (toolkit.throttle).

Codes are computed, never stored: changing the secret changes every code already printed (the QR
links keep working).
"""

import hashlib
import hmac
import re

from django.conf import settings

# Where the number and the short code are typed (config/urls.py serves it). It is printed on paper, so
# it never changes, and every app prints it without naming the view of the app that answers it.
PAPER_VERIFY_PATH = "/verificar/"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8
# What a person may type by mistake for what is printed: O for zero, I or L for one.
_LOOKALIKES = str.maketrans("OIL", "011")
_SEPARATORS = re.compile(r"[\s\-‐‑–—._]+")


def short_code(purpose: str, key) -> str:
    """The code printed beside the document whose verification key is ``key`` («7KQ2M9XD»)."""
    message = f"minka:{purpose}:{key}".encode()
    digest = hmac.new(settings.MINKA_VERIFICATION_SECRET.encode(), message, hashlib.sha256).digest()
    value = int.from_bytes(digest[:5], "big")  # 40 bits, 5 per character
    return "".join(ALPHABET[(value >> shift) & 31] for shift in range(5 * (LENGTH - 1), -1, -5))


def paper_verify_url(request=None) -> str:
    """The address printed beside the short code: from the request, or MINKA_PUBLIC_URL in the background
    (as toolkit.pdf.absolute_url, which this module does not import: models use it, and PDFs are heavy)."""
    if request is not None:
        return request.build_absolute_uri(PAPER_VERIFY_PATH)
    return settings.MINKA_PUBLIC_URL.rstrip("/") + PAPER_VERIFY_PATH


def printed(code: str) -> str:
    """As it is printed, in two groups of four: «7KQ2-M9XD»."""
    return f"{code[:4]}-{code[4:]}"


def read_code(typed: str) -> str | None:
    """The code a person typed, or None if it cannot be one: case, spaces and dashes do not matter,
    and an O is read as a zero, an I or L as a one."""
    text = _SEPARATORS.sub("", typed or "").upper().translate(_LOOKALIKES)
    if len(text) != LENGTH or any(char not in ALPHABET for char in text):
        return None
    return text


def same_code(typed: str, expected: str) -> bool:
    """Compared in constant time, so the time an answer takes says nothing about the code."""
    return hmac.compare_digest(typed.encode(), expected.encode())

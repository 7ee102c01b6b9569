"""API keys as text: ``minka_<prefix>_<secret>``. The prefix finds the row; only a SHA-256 of the whole
key is stored, compared in constant time."""

import hashlib
import hmac
import re
import secrets

KEY_PATTERN = re.compile(r"^minka_([a-z0-9]{8})_([A-Za-z0-9_-]{43})$")


def new_key() -> tuple[str, str]:
    """A fresh (prefix, full key)."""
    prefix = secrets.token_hex(4)
    return prefix, f"minka_{prefix}_{secrets.token_urlsafe(32)}"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def prefix_of(key: str) -> str | None:
    match = KEY_PATTERN.match(key or "")
    return match.group(1) if match else None


def matches(key: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(key), stored_digest)

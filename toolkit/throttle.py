"""Failed attempts counted per client address, so a page that checks a secret cannot be searched by trial.

The count lives in Django's cache (memory of the process by default: with several worker processes each
keeps its own count, which multiplies the limit by their number and still leaves guessing hopeless). The
address is the one django-axes locks sign-ins by (toolkit.signin.client_address), so both follow the same
proxy settings (MINKA_TRUSTED_PROXIES).
"""

from axes.helpers import get_client_ip_address
from django.core.cache import cache


class Throttle:
    """At most ``limit`` failures from one address within ``window`` seconds of the first; or, given a
    ``subject`` (an assembly, say), from any address against that subject."""

    def __init__(self, name: str, *, limit: int, window: int):
        self.name, self.limit, self.window = name, limit, window

    def _key(self, request, subject=None) -> str:
        if subject is not None:
            return f"minka-throttle:{self.name}:subject:{subject}"
        return f"minka-throttle:{self.name}:{get_client_ip_address(request) or 'unknown'}"

    def blocked(self, request, subject=None) -> bool:
        return cache.get(self._key(request, subject), 0) >= self.limit

    def failed(self, request, subject=None) -> None:
        key = self._key(request, subject)
        cache.add(key, 0, timeout=self.window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr: this failure starts a new window
            cache.set(key, 1, timeout=self.window)

"""Headers and guards every response gets.

- ``ContentSecurityPolicyMiddleware``: the browser runs only Minka's own scripts and style sheets (files
  served from Minka itself), never one written into a page. The one inline ``<style>`` — the error pages,
  which must show with no static files — carries the request's nonce (``request.csp_nonce``). Inline
  ``style`` attributes stay allowed: they cannot run code, and the templates use them for layout.
- The public verification pages (``/verificar/…``) tell search engines not to index them and browsers
  and proxies not to keep them: what they show is reached only with a printed code.
- ``DebugOnlyLocalMiddleware``: with DEBUG on, a request that did not come from this machine gets the
  ordinary error pages, not Django's technical ones (settings, code, SQL), unless MINKA_DEBUG_REMOTE=1.
  "This machine" is a loopback address, the client's as ``toolkit.signin.client_address`` reads it.
"""

import ipaddress
import secrets

from django.conf import settings
from django.urls import get_resolver

from toolkit.signin import client_address
from toolkit.verification import PAPER_VERIFY_PATH

TECHNICAL_MARK = b'<meta name="robots" content="NONE,NOARCHIVE">'


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src 'self' 'nonce-{nonce}'",
            "style-src-attr 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        # Pages only (a PDF or a spreadsheet runs nothing); not Django's own DEBUG pages, inline styled.
        page = response.get("Content-Type", "").startswith("text/html")
        if page and not (settings.DEBUG and is_technical(response)):
            response.setdefault("Content-Security-Policy", content_security_policy(request.csp_nonce))
        if request.path.startswith(PAPER_VERIFY_PATH):
            response["X-Robots-Tag"] = "noindex, nofollow"
            response["Cache-Control"] = "no-store"
        return response


def is_technical(response) -> bool:
    """Django's own DEBUG page (traceback, settings, URL patterns): its HTML pages carry the robots tag, the
    plain text one (for a client that does not accept HTML) names Django's version."""
    if response.streaming:
        return False
    if TECHNICAL_MARK in response.content:
        return True
    plain = response.get("Content-Type", "").startswith("text/plain")
    return plain and b"Django Version:" in response.content


def _is_local(request) -> bool:
    address = client_address(request)
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


class DebugOnlyLocalMiddleware:
    """With DEBUG on, a technical page meant for a request from elsewhere is swapped for the page the same
    error gets with DEBUG off (the project's handler400/403/404/500). Django has already logged the error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code >= 400
            and not settings.MINKA_DEBUG_REMOTE
            and not _is_local(request)
            and is_technical(response)
        ):
            status = response.status_code if response.status_code in (400, 403, 404) else 500
            handler = get_resolver().resolve_error_handler(status)
            response = handler(request) if status == 500 else handler(request, exception=None)
        return response

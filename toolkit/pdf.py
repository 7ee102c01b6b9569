"""The one way Minka makes a PDF: a Django template rendered by WeasyPrint.

The URL fetcher serves inline ``data:`` URLs and the project's own static
files, and refuses everything else, so a document never reaches the network
(a name or address typed into the register cannot make a PDF call out).
"""

import mimetypes
import threading
from pathlib import Path

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from weasyprint import HTML, Attachment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_SCHEME = "minka-static:"


class LocalOnlyFetcher(URLFetcher):
    def __init__(self, **kwargs):
        super().__init__(allowed_protocols={"data"}, **kwargs)

    def fetch(self, url, headers=None):
        if url.startswith(STATIC_SCHEME):
            found = finders.find(url.removeprefix(STATIC_SCHEME).lstrip("/"))
            if not found:
                raise ValueError(f"Archivo estático inexistente: {url}")
            mime_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
            return URLFetcherResponse(url, Path(found).read_bytes(), {"Content-Type": mime_type})
        # data: only; any other scheme (http, https, file, ftp) is refused by allowed_protocols.
        return super().fetch(url, headers)


_per_thread = threading.local()


def _font_config() -> FontConfiguration:
    """One font configuration per thread, reused: building it anew costs ~20 ms a document."""
    if not hasattr(_per_thread, "fonts"):
        _per_thread.fonts = FontConfiguration()
    return _per_thread.fonts


def render_pdf(template_name: str, context: dict, *, attachments: dict[str, bytes] | None = None) -> bytes:
    """Render a document; with ``attachments`` (name → content) it is an archival PDF/A-3b carrying them."""
    context = {"coop_name": settings.MINKA_COOP_NAME, "minka_version": settings.MINKA_VERSION, **context}
    html = render_to_string(template_name, context)
    options = {}
    if attachments is not None:
        # PDF/A-3 is the archival variant that allows embedded files (the document's data as CSV).
        files = [
            Attachment(string=content, name=name, relationship="Data")
            for name, content in attachments.items()
        ]
        options = {"pdf_variant": "pdf/a-3b", "attachments": files}
    return HTML(string=html, base_url=STATIC_SCHEME, url_fetcher=LocalOnlyFetcher()).write_pdf(
        font_config=_font_config(), **options
    )


def absolute_url(path: str, request=None) -> str:
    """A link printed on a document: from the request, or MINKA_PUBLIC_URL when printed in the background."""
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.MINKA_PUBLIC_URL.rstrip("/") + path


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    """A PDF shown in the browser (inline), saved under ``filename`` if the user downloads it."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def qr_svg(data: str, *, scale: int = 3) -> str:
    """An inline SVG QR code (no file, no network), for pages and PDFs alike."""
    # Safe: segno writes the whole SVG itself from the data; no user HTML goes into it.
    return mark_safe(segno.make(data, error="m").svg_inline(scale=scale, border=2))  # noqa: S308

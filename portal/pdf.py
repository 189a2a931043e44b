"""Rendering PDFs with WeasyPrint from Django templates, fetching nothing but the portal's own files.

Every PDF (the consent, its confirmation addendum, the aftercare sheet) goes through render_pdf(), so
the one URL fetcher below decides what the renderer may read: the portal's static files and inline
PNG images (signatures, QR codes). Anything else, such as a URL a patient typed into a field that
somehow reached the HTML, is refused without a network or file-system access.

Every PDF is archival and tagged: PDF/A-3b (ISO 19005-3, level b: the pages look the same in decades;
sRGB output intent, every font embedded, no encryption or JavaScript) with a structure tree for screen
readers and the document language from <html lang>. Level "a" would also claim full accessibility
conformance, which WeasyPrint's automatic tags do not guarantee (decorative images, running headers),
so the portal claims "b" and ships the tags anyway. PDF/A-3 is the level that allows attachments (the
consent's JSON evidence).
"""

from __future__ import annotations

import mimetypes
import threading
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML, Attachment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative URLs in PDF templates ({% static %} gives /static/...) resolve against this base.
PDF_BASE_URL = "https://portal.pdf.invalid/"
PDF_VARIANT = "pdf/a-3b"
INLINE_PNG_PREFIX = "data:image/png;base64,"


class RefusedURL(ValueError):
    """The PDF template asked for something outside the portal's static files."""


class StaticOnlyURLFetcher(URLFetcher):
    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if url.startswith(INLINE_PNG_PREFIX):
            return super().fetch(url, headers)
        static_prefix = PDF_BASE_URL.rstrip("/") + settings.STATIC_URL
        if url.startswith(static_prefix):
            relative = unquote(urlsplit(url).path[len(settings.STATIC_URL) :])
            if relative and ".." not in PurePosixPath(relative).parts:
                path = finders.find(relative)
                if path:
                    with open(path, "rb") as static_file:
                        return URLFetcherResponse(url, static_file.read(), {"Content-Type": _guess_type(path)})
        raise RefusedURL(f"PDF renderer refused a URL outside the portal's static files ({urlsplit(url).scheme})")


def _guess_type(path: str) -> str:
    return mimetypes.guess_type(path)[0] or "application/octet-stream"


def json_attachment(name: str, data: bytes, description: str) -> Attachment:
    """A JSON file embedded in the PDF as data behind the document (PDF/A-3 AFRelationship /Data)."""
    return Attachment(string=data, name=name, description=description, relationship="Data")


_per_thread = threading.local()


def _font_config() -> FontConfiguration:
    """One font configuration per thread, kept between PDFs: Pango then loads and measures each font once,
    not once per document (about a tenth of a consent's render). The PDF templates declare no @font-face,
    so nothing from one document stays in it for the next. Per thread because Pango's font map is not
    meant to be shared between threads."""
    if not hasattr(_per_thread, "font_config"):
        _per_thread.font_config = FontConfiguration()
    return _per_thread.font_config


def render_html_to_pdf(html: str, *, attachments: list[Attachment] | None = None) -> bytes:
    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticOnlyURLFetcher()).write_pdf(
        pdf_variant=PDF_VARIANT, pdf_tags=True, attachments=attachments or None, font_config=_font_config()
    )


def render_pdf(template_name: str, context: dict, *, attachments: list[Attachment] | None = None) -> bytes:
    """Render a Django template to an archival, tagged PDF (the clinic's details are always in the context)."""
    clinic = {
        "name": settings.CLINIC_NAME,
        "address": settings.CLINIC_ADDRESS,
        "phone": settings.CLINIC_PHONE,
        "emergency_number": settings.CLINIC_EMERGENCY_NUMBER,
    }
    return render_html_to_pdf(render_to_string(template_name, {"clinic": clinic, **context}), attachments=attachments)


def download_name(kind: str, day) -> str:
    """A PDF's file name: clinic, document kind and date ("riverside-physiotherapy-consent-2026-12-07.pdf").

    No patient name or id: downloads folders and shared printers are not private."""
    from django.conf import settings
    from django.utils.text import slugify

    return f"{slugify(settings.CLINIC_NAME) or 'clinic'}-{slugify(kind)}-{day:%Y-%m-%d}.pdf"

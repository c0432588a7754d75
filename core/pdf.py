"""PDFs of the site's documents (the 通报, the published assessment): WeasyPrint with nothing fetched
from outside, and a clear "unavailable" when its libraries or a Chinese font are missing."""

import shutil
import subprocess

from django.contrib.staticfiles import finders


class PdfUnavailableError(Exception):
    """WeasyPrint, its system libraries (Pango, HarfBuzz, fontconfig) or a Chinese font is missing."""


_cjk_font_seen = False


def has_cjk_font() -> bool:
    """Does fontconfig know a Chinese font? Without one the PDF would print empty boxes. A found font
    is remembered; a missing one is looked for again next time (it may have been installed since).
    True when fc-list itself is missing: nothing to tell, WeasyPrint then fails on its own if it must."""
    global _cjk_font_seen
    if _cjk_font_seen:
        return True
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return True
    try:
        found = subprocess.run(  # noqa: S603 - fixed arguments, no user input
            [fc_list, ":lang=zh-cn", "family"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return True
    _cjk_font_seen = bool(found.stdout.strip())
    return _cjk_font_seen


def render_pdf(html: str) -> bytes:
    """The PDF of `html`, fetching nothing from outside (the stylesheet is inlined)."""
    try:
        from weasyprint import HTML  # optional: the page works without it
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as exc:  # OSError: Pango & co. cannot be loaded
        raise PdfUnavailableError from exc
    if not has_cjk_font():
        raise PdfUnavailableError
    no_fetching = URLFetcher(allowed_protocols=())
    return HTML(string=html, url_fetcher=no_fetching).write_pdf()


def stylesheet(name: str) -> str:
    """A static stylesheet's text, to inline in a PDF's HTML (WeasyPrint fetches nothing)."""
    path = finders.find(name)
    if not path:
        return ""
    with open(path, encoding="utf-8") as css:
        return css.read()

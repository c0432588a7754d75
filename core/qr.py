"""QR codes (一店一码): the opaque tokens they carry, the address a token opens and the code itself as
SVG, drawn on the server (segno, pure Python) so that a label sheet prints with no script."""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import segno
from django.urls import reverse

# 128 random bits: not guessable, not a database id, short enough for a small QR code.
TOKEN_BYTES = 16


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def scan_path(token: str) -> str:
    """The path a code opens: /q/<token> (homes.views.scan)."""
    return reverse("scan", args=[token])


def scan_url(request, token: str) -> str:
    """The full address printed into the code: this site's, as the request reached it."""
    return request.build_absolute_uri(scan_path(token))


def qr_svg(text: str, *, scale: int = 3) -> str:
    """`text` as a QR code, an inline <svg> (error correction M: a label may get scuffed)."""
    return segno.make(text, error="m", micro=False).svg_inline(scale=scale, omitsize=False)


@dataclass(frozen=True)
class Label:
    """One label of a printed sheet (templates/scan/labels.html): the code and what is written
    beside it."""

    token: str
    svg: str
    title: str
    lines: Sequence[str]


def label(request, *, token: str, title: str, lines: Sequence[str]) -> Label:
    return Label(
        token=token, svg=qr_svg(scan_url(request, token)), title=title, lines=[x for x in lines if x]
    )

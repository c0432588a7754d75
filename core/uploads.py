"""Uploads (hazard photos, rectification evidence, documents): checked by content, size-limited,
stored under a random name. Files are served only through `core.views.protected_media`."""

import os
import uuid

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_DOCUMENT_BYTES = 15 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}


def _check_size(file, limit: int) -> None:
    if file.size is not None and file.size > limit:
        raise ValidationError(
            _("文件过大（%(size).1f MB），不能超过 %(limit)d MB。"),
            code="file_too_large",
            params={"size": file.size / 1024 / 1024, "limit": limit // 1024 // 1024},
        )


def _image_format(file) -> str | None:
    """The image format read from the bytes themselves (the name and the browser's type can lie)."""
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with Image.open(file) as image:
            image.verify()
            return image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    finally:
        file.seek(position)


def validate_photo(file) -> None:
    _check_size(file, MAX_PHOTO_BYTES)
    if _image_format(file) not in PHOTO_FORMATS:
        raise ValidationError(
            _("只能上传 JPG、PNG 或 WEBP 格式的照片；该文件不是有效的图片。"), code="not_an_image"
        )


def validate_document(file) -> None:
    """Evidence and scanned documents: a photo or a PDF."""
    _check_size(file, MAX_DOCUMENT_BYTES)
    if _image_format(file) in PHOTO_FORMATS:
        return
    position = file.tell()
    file.seek(0)
    head = file.read(5)
    file.seek(position)
    if head != b"%PDF-":
        raise ValidationError(_("只能上传照片（JPG、PNG、WEBP）或 PDF 文件。"), code="bad_document")


@deconstructible
class RandomName:
    """upload_to: `<prefix>/<yyyy>/<mm>/<random>.<ext>` — nothing guessable, nothing from the user."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __call__(self, instance, filename: str) -> str:
        ext = os.path.splitext(filename)[1].lower()
        if ext not in {".jpg", ".jpeg", ".png", ".webp", ".pdf"}:
            ext = ""
        now = timezone.localtime()
        return f"{self.prefix}/{now:%Y/%m}/{uuid.uuid4().hex}{ext}"

    def __eq__(self, other):
        return isinstance(other, RandomName) and other.prefix == self.prefix

    def __hash__(self):
        return hash(self.prefix)


# Readers of files outside the township scope: model -> `may_read(user, pk) -> bool`, registered by
# the app that grants a role records by some other rule (the fire rescue authority reads the hazards
# handed over to it: inspections.apps). Asked only when the township scope says no.
MEDIA_READERS: dict[type, "object"] = {}


def media_reader_register(model: type, may_read) -> None:
    MEDIA_READERS[model] = may_read


def media_reader_allows(user, model: type, pk: int) -> bool:
    may_read = MEDIA_READERS.get(model)
    return may_read is not None and may_read(user, pk)

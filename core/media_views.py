"""Uploaded files are served only to users who may see the record they belong to."""

import mimetypes
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.http import FileResponse, Http404
from django.views.decorators.cache import cache_control

from core.scoping import can_see_record
from inspections.models import Hazard, Rectification
from meetings.models import ProgressReport
from townships.models import ResponsibilityAgreement


def _owner(name: str) -> tuple[int, int | None]:
    """(township id, premises id) of the record that holds the file `name`; Http404 if none."""
    prefix = name.split("/", 1)[0]
    if prefix == "hazards":
        row = Hazard.objects.filter(Q(photo_before=name) | Q(photo_after=name)).values_list(
            "township_id", "premises_id"
        )
    elif prefix == "rectifications":
        row = Rectification.objects.filter(evidence=name).values_list(
            "hazard__township_id", "hazard__premises_id"
        )
    elif prefix == "progress":
        row = ProgressReport.objects.filter(evidence=name).values_list(
            "assignment__township_id", "assignment__pk"
        )
        row = [(t, None) for t, _ in row]
    elif prefix == "agreements":
        row = ResponsibilityAgreement.objects.filter(document=name).values_list("township_id", "premises_id")
    else:
        raise Http404
    found = list(row[:1])
    if not found:
        raise Http404
    return found[0]


@cache_control(private=True, max_age=3600)
def protected_media(request, path: str):
    root = Path(settings.MEDIA_ROOT).resolve()
    full = (root / path).resolve()
    if root not in full.parents or not full.is_file():
        raise Http404
    township_id, premises_id = _owner(path)
    # Progress evidence belongs to a township's assignment, not to a premises.
    premises_ids = {"premises_id": premises_id} if not path.startswith("progress/") else {}
    if not can_see_record(request.user, township_id=township_id, **premises_ids):
        raise Http404
    content_type = mimetypes.guess_type(full.name)[0] or "application/octet-stream"
    response = FileResponse(full.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline" if content_type.startswith("image/") else "attachment"
    return response

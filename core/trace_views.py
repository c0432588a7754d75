"""责任倒查 pages: for a premises, a fire incident or an assignment, the whole chain of who did
what when, and what was late. Out-of-scope records answer 404, as if they did not exist."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from core.scoping import can_see_record
from firebrigade.models import FireIncident
from inspections import selectors as inspection_selectors
from meetings import selectors as meeting_selectors
from meetings.models import Assignment
from townships.models import Premises


def _ensure_visible(user, *, township_id: int, premises_id: int | None = None) -> None:
    if not can_see_record(user, township_id=township_id, premises_id=premises_id):
        raise Http404


def premises_trace(request, pk: int):
    premises = get_object_or_404(Premises.objects.select_related("township", "grid", "police_station"), pk=pk)
    _ensure_visible(request.user, township_id=premises.township_id, premises_id=premises.pk)
    trace = inspection_selectors.premises_trace(premises=premises)
    return render(request, "trace/premises.html", {"trace": trace, "premises": premises, "incident": None})


def incident_trace(request, pk: int):
    incident = get_object_or_404(
        FireIncident.objects.select_related("township", "premises", "responding_brigade"), pk=pk
    )
    _ensure_visible(request.user, township_id=incident.township_id, premises_id=incident.premises_id)
    trace = inspection_selectors.incident_trace(incident=incident)
    accountabilities = list(incident.accountabilities.order_by("decided_on", "id"))
    return render(
        request,
        "trace/premises.html",
        {
            "trace": trace,
            "premises": incident.premises,
            "incident": incident,
            "incident_accountabilities": accountabilities,
        },
    )


def assignment_trace(request, pk: int):
    assignment = get_object_or_404(Assignment.objects.only("id", "township_id"), pk=pk)
    _ensure_visible(request.user, township_id=assignment.township_id)
    trace = meeting_selectors.assignment_trace(assignment=assignment)
    accountabilities = list(assignment.accountabilities.order_by("decided_on", "id"))
    return render(request, "trace/assignment.html", {"trace": trace, "accountabilities": accountabilities})

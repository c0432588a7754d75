"""责任倒查 pages: for a premises, a fire incident or an assignment, the whole chain of who did
what when, and what was late. Out-of-scope records answer 404, as if they did not exist."""

import html

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from core.scoping import can_see_record
from core.templatetags.display import day
from core.text import person_name
from firebrigade import selectors as brigade_selectors
from firebrigade.models import FireIncident
from inspections import selectors as inspection_selectors
from meetings import access as meeting_access
from meetings import selectors as meeting_selectors
from townships.models import Premises


def _ensure_visible(user, *, township_id: int, premises_id: int | None = None) -> None:
    if not can_see_record(user, township_id=township_id, premises_id=premises_id):
        raise Http404


# One timeline row, as the template wrote it. A long history has thousands of rows (2,919 in the
# benchmark county): as template tags and filters they took ~60 ms of the page, filled here ~15 ms.
_ROW = (
    '\n      <tr class="{css}">\n        <td>{day}</td>\n        <td>{title}{badges}</td>\n'
    "        <td>{people}</td>\n        <td>{user}</td>\n      </tr>\n    "
)


def _timeline(trace, *, incident=None) -> str:
    """The rows of the timeline table: date, what (with 逾期 / 超期销号 marks on hazards), who and
    which account; rows after the fire marked on an incident's page. Every value is escaped here
    with html.escape, as django.utils.html.escape does, but to plain str: str.format is several
    times slower with SafeString arguments. Names and titles repeat, so each is escaped once."""
    if trace is None or not trace.events:
        return ""
    # Outside the f-strings, where makemessages finds them.
    overdue, late = gettext("（逾期）"), gettext("（超期销号）")
    overdue_badge = f' <strong class="bad">{html.escape(overdue)}</strong>'
    late_badge = f' <strong class="bad">{html.escape(late)}</strong>'
    escaped: dict[str, str] = {}

    def once(value: str) -> str:
        if value not in escaped:
            escaped[value] = html.escape(value)
        return escaped[value]

    rows = []
    for e in trace.events:
        is_hazard = e.kind == "hazard"
        overdue = is_hazard and e.hazard.is_overdue
        css = f"kind-{e.kind}"
        if incident and e.date > trace.on:
            css += " after-fire"
        if overdue:
            css += " bad"
        rows.append(
            _ROW.format(
                css=once(css),
                day=day(e.date),  # as every page writes a date
                title=once(e.title),
                badges=(overdue_badge if overdue else "")
                + (late_badge if is_hazard and e.hazard.verified_late else ""),
                people=once(e.people or "—"),
                user=once(person_name(e.user) or "—"),
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 -- every value in the rows is escaped above


def premises_trace(request, pk: int):
    premises = get_object_or_404(Premises.objects.select_related("township", "grid", "police_station"), pk=pk)
    _ensure_visible(request.user, township_id=premises.township_id, premises_id=premises.pk)
    trace = inspection_selectors.premises_trace(premises=premises)
    return render(
        request,
        "trace/premises.html",
        {"trace": trace, "timeline": _timeline(trace), "premises": premises, "incident": None},
    )


def incident_trace(request, pk: int):
    incident = get_object_or_404(
        brigade_selectors.with_report_deadline(
            FireIncident.objects.select_related("township", "premises", "responding_brigade")
        ),
        pk=pk,
    )
    _ensure_visible(request.user, township_id=incident.township_id, premises_id=incident.premises_id)
    trace = inspection_selectors.incident_trace(incident=incident)
    accountabilities = list(incident.accountabilities.order_by("decided_on", "id"))
    return render(
        request,
        "trace/premises.html",
        {
            "trace": trace,
            "timeline": _timeline(trace, incident=incident),
            "premises": incident.premises,
            "incident": incident,
            "incident_accountabilities": accountabilities,
        },
    )


def assignment_trace(request, pk: int):
    meeting_access.check_assignments_read(by=request.user)
    # A township's or a county department's: seen as the assignment list shows it.
    assignment = get_object_or_404(meeting_selectors.assignment_list(user=request.user), pk=pk)
    trace = meeting_selectors.assignment_trace(assignment=assignment)
    accountabilities = list(assignment.accountabilities.order_by("decided_on", "id"))
    return render(request, "trace/assignment.html", {"trace": trace, "accountabilities": accountabilities})

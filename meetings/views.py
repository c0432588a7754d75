"""Pages of the meetings app: 推进会 (list, detail with the directive × township progress matrix),
任务分解 (list, detail with the progress reports) and the forms to report progress and to close.

Scope: what the user may not see answers 404 (scoped selectors). Who may write is meetings.access:
the page offers a form only to whom the policy allows, and a POST the policy refuses answers 403 with
its reason. A refused rule shows the form again (400) with what was typed and the reason, and nothing
is written.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.access import allowed
from core.exceptions import ApplicationError
from core.forms import add_service_error
from core.pages import list_page
from meetings import access, selectors, services
from meetings.forms import AssignmentCloseForm, ProgressReportForm
from meetings.models import Assignment, Meeting
from meetings.page_filters import AssignmentPageFilter, MeetingPageFilter


def _sub_venues(meeting) -> str:
    return "、".join(line.strip() for line in meeting.sub_venues.splitlines() if line.strip())


def _late(assignment) -> str:
    if assignment.is_overdue:
        return _("逾期")
    return _("超期办结") if assignment.is_closed_late else ""


MEETING_COLUMNS = [
    (gettext_lazy("召开时间"), lambda m: m.held_at),
    (gettext_lazy("会议名称"), lambda m: m.title),
    (gettext_lazy("主持/讲话领导"), lambda m: m.chair),
    (gettext_lazy("职务"), lambda m: m.chair_title),
    (gettext_lazy("主会场"), lambda m: m.main_venue),
    (gettext_lazy("分会场"), _sub_venues),
    (gettext_lazy("部署数"), lambda m: m.directive_count),
]

ASSIGNMENT_COLUMNS = [
    (gettext_lazy("会议"), lambda a: str(a.directive.meeting)),
    (gettext_lazy("部署序号"), lambda a: a.directive.number),
    (gettext_lazy("类别"), lambda a: a.directive.get_category_display()),
    (gettext_lazy("工作要求"), lambda a: a.directive.text),
    (gettext_lazy("责任单位"), lambda a: a.holder.name),
    (gettext_lazy("责任人"), lambda a: a.responsible_person),
    (gettext_lazy("完成时限"), lambda a: a.deadline),
    (gettext_lazy("状态"), lambda a: a.get_status_display()),
    (gettext_lazy("进度（%）"), lambda a: a.progress_percent),
    (gettext_lazy("完成日期"), lambda a: a.closed_on),
    (gettext_lazy("逾期"), _late),
]


# --- meetings -------------------------------------------------------------------------------


@require_GET
def meeting_list(request):
    """推进会 of the user's county, newest first."""
    rows = selectors.meeting_list(user=request.user)
    return list_page(
        request, rows, MeetingPageFilter, "meetings/meeting_list.html", _("推进会"), MEETING_COLUMNS
    )


@require_GET
def meeting_detail(request, pk: int):
    """One meeting: chair, venues, statements, directives and the per-township progress matrix."""
    try:
        page = selectors.meeting_page(user=request.user, meeting_id=pk)
    except Meeting.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "meetings/meeting_detail.html", {"page": page, "meeting": page.meeting})


# --- assignments ----------------------------------------------------------------------------


@require_GET
def assignment_list(request):
    """任务分解 the user may see: by township, meeting, status, overdue and deadline."""
    access.check_assignments_read(by=request.user)
    rows = selectors.assignment_list(user=request.user)
    return list_page(
        request,
        rows,
        AssignmentPageFilter,
        "meetings/assignment_list.html",
        _("任务分解"),
        ASSIGNMENT_COLUMNS,
    )


def _assignment_page_or_404(request, pk: int):
    access.check_assignments_read(by=request.user)
    try:
        return selectors.assignment_page(user=request.user, assignment_id=pk)
    except Assignment.DoesNotExist as exc:
        raise Http404 from exc


def _render_assignment(request, page, *, report_form=None, close_form=None, status: int = 200):
    assignment = page.assignment
    user = request.user
    can_report = allowed(access.check_assignment_report_progress, by=user, assignment=assignment)
    can_close = allowed(access.check_assignment_close, by=user, assignment=assignment)
    is_open = assignment.status != Assignment.Status.CLOSED
    context = {
        "page": page,
        "assignment": assignment,
        "can_report": can_report,
        "can_close": can_close,
        "is_closed": not is_open,
        # An open assignment offers the forms the user may use; a refused one is always shown again.
        "report_form": report_form or (ProgressReportForm() if can_report and is_open else None),
        "close_form": close_form or (AssignmentCloseForm() if can_close and is_open else None),
    }
    return render(request, "meetings/assignment_detail.html", context, status=status)


@require_GET
def assignment_detail(request, pk: int):
    """One assignment: its directive and meeting, the progress reports, and the forms to report
    progress (the township, or the guidance center) and to close it."""
    return _render_assignment(request, _assignment_page_or_404(request, pk))


def _post(request, pk: int, check, form_class, write, form_name: str, done: str):
    """A POST of the assignment page: the policy refuses (403, with its reason) before the form is
    read; `write(assignment=, **cleaned_data, by=)` is the one service call, whose refused rules show
    on the form (400). The role is asked first (the API's route gate does too), so that a role that
    may never do it hears that reason, not that it may not read the page."""
    check(by=request.user)
    page = _assignment_page_or_404(request, pk)
    check(by=request.user, assignment=page.assignment)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            write(assignment=page.assignment, **form.cleaned_data, by=request.user)
        except (ApplicationError, ValidationError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, done)
            return redirect(reverse("meetings:assignment-detail", args=[pk]))
    return _render_assignment(request, page, status=400, **{form_name: form})


@require_POST
def assignment_report_progress(request, pk: int):
    write = services.assignment_report_progress
    check = access.check_assignment_report_progress
    return _post(request, pk, check, ProgressReportForm, write, "report_form", _("已报告进展。"))


@require_POST
def assignment_close(request, pk: int):
    write = services.assignment_close
    return _post(
        request,
        pk,
        access.check_assignment_close,
        AssignmentCloseForm,
        write,
        "close_form",
        _("任务已办结。"),
    )

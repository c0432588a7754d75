"""Pages of the meetings app: 推进会 (list, detail with the directive × township progress matrix),
任务分解 (list, detail with the progress reports) and the forms to report progress and to close.

Scope: what the user may not see answers 404 (scoped selectors); a write the role may not do
answers 403 (services.assignment_check_may_*). A refused form is shown again (400) with what was
typed and the reason, and nothing is written.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import ApplicationError
from core.exports import xlsx_response
from core.forms import add_service_error
from meetings import selectors, services
from meetings.forms import AssignmentCloseForm, ProgressReportForm
from meetings.models import Assignment, Meeting
from meetings.page_filters import AssignmentPageFilter, MeetingPageFilter

PAGE_SIZE = 50


def _page(request, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _wants_xlsx(request) -> bool:
    return request.GET.get("format") == "xlsx"


def _may(check, **kwargs) -> bool:
    """Whether a permission check passes (to show or hide a form)."""
    try:
        check(**kwargs)
    except PermissionDenied:
        return False
    return True


# --- meetings -------------------------------------------------------------------------------


@require_GET
def meeting_list(request):
    """推进会 of the user's county, newest first."""
    filterset = MeetingPageFilter(
        request.GET or None, queryset=selectors.meeting_list(user=request.user), request=request
    )
    meetings = filterset.qs
    if _wants_xlsx(request):
        return xlsx_response(
            filename=_("推进会"),
            title=_("推进会"),
            headers=[
                _("召开时间"),
                _("会议名称"),
                _("主持/讲话领导"),
                _("职务"),
                _("主会场"),
                _("分会场"),
                _("部署数"),
            ],
            rows=[
                [
                    m.held_at,
                    m.title,
                    m.chair,
                    m.chair_title,
                    m.main_venue,
                    "、".join(line.strip() for line in m.sub_venues.splitlines() if line.strip()),
                    m.directive_count,
                ]
                for m in meetings
            ],
        )
    return render(
        request, "meetings/meeting_list.html", {"filter": filterset, "page": _page(request, meetings)}
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
    """任务分解 the user may see: by township, meeting, status and overdue."""
    filterset = AssignmentPageFilter(
        request.GET or None, queryset=selectors.assignment_list(user=request.user), request=request
    )
    assignments = filterset.qs
    if _wants_xlsx(request):
        return xlsx_response(
            filename=_("任务分解"),
            title=_("任务分解"),
            headers=[
                _("会议"),
                _("部署序号"),
                _("类别"),
                _("工作要求"),
                _("乡镇"),
                _("责任人"),
                _("完成时限"),
                _("状态"),
                _("进度（%）"),
                _("完成日期"),
                _("逾期"),
            ],
            rows=[
                [
                    str(a.directive.meeting),
                    a.directive.number,
                    a.directive.get_category_display(),
                    a.directive.text,
                    a.township.name,
                    a.responsible_person,
                    a.deadline,
                    a.get_status_display(),
                    a.progress_percent,
                    a.closed_on,
                    _("逾期") if a.is_overdue else (_("超期办结") if a.is_closed_late else ""),
                ]
                for a in assignments
            ],
        )
    return render(
        request, "meetings/assignment_list.html", {"filter": filterset, "page": _page(request, assignments)}
    )


def _assignment_page_or_404(request, pk: int):
    try:
        return selectors.assignment_page(user=request.user, assignment_id=pk)
    except Assignment.DoesNotExist as exc:
        raise Http404 from exc


def _render_assignment(request, page, *, report_form=None, close_form=None, status: int = 200):
    assignment = page.assignment
    can_report = _may(services.assignment_check_may_report, by=request.user, assignment=assignment)
    can_close = _may(services.assignment_check_may_close, by=request.user, assignment=assignment)
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


@require_POST
def assignment_report_progress(request, pk: int):
    page = _assignment_page_or_404(request, pk)
    services.assignment_check_may_report(by=request.user, assignment=page.assignment)
    form = ProgressReportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.assignment_report_progress(
                assignment=page.assignment,
                reported_on=form.cleaned_data["reported_on"],
                text=form.cleaned_data["text"],
                percent=form.cleaned_data["percent"],
                evidence=form.cleaned_data.get("evidence") or None,
                by=request.user,
            )
        except (ApplicationError, ValidationError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已报告进展。"))
            return redirect(reverse("meetings:assignment-detail", args=[pk]))
    return _render_assignment(request, page, report_form=form, status=400)


@require_POST
def assignment_close(request, pk: int):
    page = _assignment_page_or_404(request, pk)
    services.assignment_check_may_close(by=request.user, assignment=page.assignment)
    form = AssignmentCloseForm(request.POST)
    if form.is_valid():
        try:
            services.assignment_close(
                assignment=page.assignment, closed_on=form.cleaned_data["closed_on"], by=request.user
            )
        except (ApplicationError, ValidationError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("任务已办结。"))
            return redirect(reverse("meetings:assignment-detail", args=[pk]))
    return _render_assignment(request, page, close_form=form, status=400)

"""The county 通报 for a period: a printable page, and the same HTML as a PDF (WeasyPrint).

County officials and the guidance center only. ?start=YYYY-MM-DD&end=YYYY-MM-DD (default: the
current campaign, up to today; ?campaign=<id>: that campaign, up to today); &county=<id> for users
who see more than one county. In the reader's language; ?lang=zh-hans (or en) asks for the document
in that language whatever the reader's, so an official reading English prints the Chinese 通报 the
county sends out.
"""

import datetime as dt
from contextlib import nullcontext
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.clock import local_today
from core.models import Role
from core.pdf import PdfUnavailableError, render_pdf, stylesheet
from core.scoping import user_role
from core.templatetags.display import day
from leaders import bulletin, charts

BULLETIN_ROLES = {Role.COUNTY_OFFICIAL, Role.GUIDANCE_CENTER}
DATE_FORMAT = "%Y-%m-%d"
FOUND, RECTIFIED, OVERDUE = "#1f5fa8", "#2e7d32", "#b71c1c"
THIS_PERIOD, LAST_PERIOD = "#b71c1c", "#9e9e9e"


def _date_field(label, invalid) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=[DATE_FORMAT],
        error_messages={"invalid": invalid},
        widget=forms.DateInput(attrs={"type": "date"}, format=DATE_FORMAT),
    )


class PeriodForm(forms.Form):
    """The period of the bulletin: a blank date takes its default; both lie between 2000-01-01 and
    today, and the end is not before the start."""

    start = _date_field(_("起始日期"), _("起始日期格式不对，应为 年-月-日，例如 2021-11-01。"))
    end = _date_field(_("截止日期"), _("截止日期格式不对，应为 年-月-日，例如 2022-04-30。"))

    def __init__(self, data, *, default_start: dt.date, default_end: dt.date, today: dt.date):
        super().__init__(data)
        self.default_start, self.default_end, self.today = default_start, default_end, today

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        start = cleaned.get("start") or self.default_start
        end = cleaned.get("end") or self.default_end
        for name, value, label in (("start", start, _("起始日期")), ("end", end, _("截止日期"))):
            if value > self.today:
                self.add_error(
                    name, _("%(label)s不能晚于今天（%(today)s）。") % {"label": label, "today": self.today}
                )
            elif value < bulletin.EARLIEST:
                self.add_error(
                    name,
                    _("%(label)s不能早于 %(earliest)s。") % {"label": label, "earliest": bulletin.EARLIEST},
                )
        if not self.errors and end < start:
            self.add_error(
                "end", _("截止日期（%(end)s）不能早于起始日期（%(start)s）。") % {"end": end, "start": start}
            )
        cleaned["start"], cleaned["end"] = start, end
        return cleaned


def _id_param(request, name: str) -> int | None:
    raw = request.GET.get(name)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise Http404 from exc


def _prepare(request):
    """(form, scope, bulletin or None): the bulletin when the period is valid, else the form's errors."""
    if user_role(request.user) not in BULLETIN_ROLES:
        raise PermissionDenied
    today = local_today()
    county_id, campaign_id = _id_param(request, "county"), _id_param(request, "campaign")
    scope = bulletin.bulletin_scope(user=request.user, on=today, county_id=county_id, campaign_id=campaign_id)
    if (county_id is not None and scope.county is None) or (
        campaign_id is not None and scope.campaign is None
    ):
        raise Http404
    form = PeriodForm(
        request.GET, default_start=scope.default_start, default_end=scope.default_end, today=today
    )
    if not form.is_valid() or scope.county is None:
        return form, scope, None
    data = bulletin.county_bulletin(
        user=request.user,
        county=scope.county,
        start=form.cleaned_data["start"],
        end=form.cleaned_data["end"],
        on=today,
        campaign=scope.campaign,
    )
    return form, scope, data


def _charts(data: bulletin.Bulletin) -> dict:
    names = [r.name for r in data.rows]
    hazards = charts.horizontal_bar_chart(
        title=gettext("各乡镇（街道办）火灾隐患排查整改情况（%(start)s—%(end)s）")
        % {"start": day(data.start), "end": day(data.end)},
        categories=names,
        series=[
            charts.Series(gettext("发现隐患"), [r.hazards_found for r in data.rows], FOUND),
            charts.Series(gettext("已整改销号"), [r.hazards_rectified for r in data.rows], RECTIFIED),
            charts.Series(gettext("逾期未整改"), [r.hazards_overdue for r in data.rows], OVERDUE),
        ],
        bar=7,
    )
    causes = charts.horizontal_bar_chart(
        title=gettext("火灾起数（按起火原因）"),
        categories=[c.label for c in data.fires_by_cause],
        series=[
            charts.Series(gettext("本期"), [c.this.count for c in data.fires_by_cause], THIS_PERIOD),
            charts.Series(gettext("上年同期"), [c.last.count for c in data.fires_by_cause], LAST_PERIOD),
        ],
        empty_text=gettext("本期及上年同期均无火灾"),
    )
    return {"hazards": hazards, "causes": causes}


def _context(request, form, scope, data) -> dict:
    context = {
        "form": form,
        "scope": scope,
        "data": data,
        "today": local_today(),
        "asked_language": _asked_language(request),
    }
    if data is not None:
        query = {"start": data.start.strftime(DATE_FORMAT), "end": data.end.strftime(DATE_FORMAT)}
        if request.GET.get("county"):
            query["county"] = data.county.pk
        # The same document in Chinese, for the county, when the reader reads another language.
        context["chinese_query"] = urlencode({**query, "lang": CHINESE})
        asked = _asked_language(request)
        if asked:
            query["lang"] = asked
        context["query"] = urlencode(query)
        context["charts"] = _charts(data)
    return context


CHINESE = "zh-hans"


def _asked_language(request) -> str | None:
    """The language ?lang= asks for, when it is one of the site's; else None (the reader's)."""
    asked = request.GET.get("lang")
    return asked if asked in dict(settings.LANGUAGES) else None


def _in_asked_language(request):
    """Build and render the document in the ?lang= language (a context manager)."""
    asked = _asked_language(request)
    return translation.override(asked) if asked else nullcontext()


def _said_in(response, request):
    if _asked_language(request):
        response["Content-Language"] = _asked_language(request)
    return response


def bulletin_page(request):
    """The printable 通报; bad dates → 400 with the form and its messages."""
    with _in_asked_language(request):
        form, scope, data = _prepare(request)
        status = 400 if form.errors else 200
        response = render(request, "bulletin/page.html", _context(request, form, scope, data), status=status)
        return _said_in(response, request)


def _stylesheet() -> str:
    return stylesheet("css/bulletin.css")


def bulletin_pdf(request):
    """The same document as a PDF; 400 for bad dates, 503 when the PDF libraries are missing."""
    with _in_asked_language(request):
        return _said_in(_bulletin_pdf(request), request)


def _bulletin_pdf(request):
    form, scope, data = _prepare(request)
    if data is None:
        status = 400 if form.errors else 200
        return render(request, "bulletin/page.html", _context(request, form, scope, data), status=status)
    context = {**_context(request, form, scope, data), "stylesheet": _stylesheet()}
    html = render_to_string("bulletin/pdf.html", context, request=request)
    try:
        pdf = render_pdf(html)
    except PdfUnavailableError:
        return render(request, "bulletin/pdf_unavailable.html", context, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = gettext("%(title)s（%(start)s-%(end)s）.pdf") % {
        "title": data.title,
        "start": f"{data.start:%Y%m%d}",
        "end": f"{data.end:%Y%m%d}",
    }
    response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=filename)
    return response

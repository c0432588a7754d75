"""The assessment pages: the schemes, a scheme's ranking, and one township's items with the
self-assessment and the center's scores side by side (the forms to score are on that page)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import access, selectors, services
from assessments.forms import ScoreForm
from assessments.models import AssessmentItem, AssessmentScheme
from core.access import allowed
from core.exceptions import AccessDenied, ApplicationError
from core.forms import add_service_error
from core.models import Role
from core.pdf import PdfUnavailableError, render_pdf, stylesheet
from core.scoping import user_role
from townships.models import Township

REFUSED = (ApplicationError, AccessDenied, ValidationError)


def _scheme(request, pk) -> AssessmentScheme:
    try:
        schemes = selectors.scheme_list(user=request.user)
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from exc
    return get_object_or_404(schemes, pk=pk)


def scheme_list(request):
    try:
        schemes = list(selectors.scheme_list(user=request.user))
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from exc
    return render(request, "assessments/list.html", {"schemes": schemes})


def scheme_detail(request, pk):
    scheme = _scheme(request, pk)
    results = selectors.scheme_results(scheme=scheme, user=request.user)
    county_reader = user_role(request.user) in (Role.COUNTY_OFFICIAL, Role.GUIDANCE_CENTER)
    return render(
        request,
        "assessments/detail.html",
        {
            "scheme": scheme,
            "results": results,
            "items": list(scheme.items.all()),
            # A township sees its rank once the ranking is published (before, it sees itself only).
            "show_rank": scheme.is_published or county_reader,
            "can_publish": not scheme.is_published and allowed(access.check_scheme_write, by=request.user),
        },
    )


def township_detail(request, pk, township_pk):
    scheme = _scheme(request, pk)
    township = get_object_or_404(Township, pk=township_pk, county_id=scheme.county_id)
    try:
        (result,) = selectors.scheme_results(scheme=scheme, user=request.user, township_id=township.pk)
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from exc
    except ValueError as exc:  # not a township the reader may see
        raise PermissionDenied from exc
    as_center = allowed(access.check_scheme_write, by=request.user)
    as_township = not as_center and allowed(access.check_self_score, by=request.user, township=township)
    form = None
    if request.method == "POST" and not scheme.is_published and (as_center or as_township):
        form = ScoreForm(request.POST, request.FILES)
        if form.is_valid():
            item = get_object_or_404(AssessmentItem, pk=form.cleaned_data["item"], scheme=scheme)
            data = form.cleaned_data
            try:
                if as_center:
                    services.center_score(
                        item=item,
                        township=township,
                        points=data["points"],
                        note=data["note"],
                        by=request.user,
                    )
                else:
                    services.self_score(
                        item=item,
                        township=township,
                        points=data["points"],
                        note=data["note"],
                        evidence=data["evidence"],
                        by=request.user,
                    )
            except REFUSED as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("已保存“%(item)s”的得分。") % {"item": item.title})
                return redirect(request.path)
    return render(
        request,
        "assessments/township.html",
        {
            "scheme": scheme,
            "township": township,
            "result": result,
            "as_center": as_center,
            "as_township": as_township,
            "form": form,
            "failed_item": form.data.get("item") if form is not None else None,
        },
    )


@require_POST
def scheme_publish(request, pk):
    scheme = _scheme(request, pk)
    try:
        services.scheme_publish(scheme=scheme, by=request.user)
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("考核结果已发布。"))
    return redirect("assessments:scheme", pk=scheme.pk)


def scheme_pdf(request, pk):
    """The published result as a PDF (A4 landscape): the ranking with every item, ties 并列."""
    scheme = _scheme(request, pk)
    if not scheme.is_published:
        messages.error(request, _("考核结果发布后才能导出 PDF。"))
        return redirect("assessments:scheme", pk=scheme.pk)
    context = {
        "scheme": scheme,
        "results": selectors.scheme_results(scheme=scheme, user=request.user),
        "items": list(scheme.items.all()),
        "stylesheet": stylesheet("css/assessment-pdf.css"),
    }
    html = render_to_string("assessments/pdf.html", context, request=request)
    try:
        document = render_pdf(html)
    except PdfUnavailableError:
        return render(request, "assessments/pdf_unavailable.html", context, status=503)
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=f"{scheme.title}.pdf"
    )
    return response

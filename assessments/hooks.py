"""The assessment plugs into the dashboard (leaders.dashboard cannot import it): a campaign that a
scheme assesses is ranked, on the dashboard and in the API, by that scheme's totals — the published
result, or its live preview while being scored — and the page says which."""

from django.urls import reverse
from django.utils.translation import gettext as _

from assessments import selectors
from assessments.models import AssessmentScheme
from core.exceptions import AccessDenied
from leaders.dashboard import Scoring, register_scorer


def score_by_scheme(*, user, period, rows) -> Scoring | None:
    if period.campaign is None:
        return None
    scheme = AssessmentScheme.objects.filter(campaign=period.campaign).first()
    if scheme is None:
        return None
    try:
        results = selectors.scheme_results(scheme=scheme, user=user, figures=rows)
    except AccessDenied:
        return None  # a reader of the figures who may not read the assessment: the default formula
    totals = {r.township_id: r.total for r in results}
    for row in rows:
        row.score = float(totals.get(row.township_id, 0))
    if scheme.is_published:
        label = _("综合得分为《%(title)s》的考评总分（已发布）。") % {"title": scheme.title}
    else:
        label = _("综合得分为《%(title)s》的试算总分（评分中，尚未发布）。") % {"title": scheme.title}
    return Scoring(label, reverse("assessments:scheme", args=[scheme.pk]))


register_scorer(score_by_scheme)

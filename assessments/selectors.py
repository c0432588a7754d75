"""Reads of the assessment: a scheme's results per township and item, ranked with ties (并列).

Before publication the automatic items are computed from the live figures (leaders.figures, what the
dashboard shows) for whatever the reader may see — a live preview; once published they are the
points frozen at publication, and every township of the county is shown."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter

from django.db.models import QuerySet
from django.urls import reverse

from assessments import access
from assessments.metrics import AutoScore, auto_score
from assessments.models import AssessmentItem, AssessmentScheme, ItemScore, Metric
from core.clock import local_today
from core.scoping import visible_county_id
from leaders.dashboard import rank_by
from leaders.figures import Period, campaign_period, township_figures
from townships.models import Township


def scheme_list(*, user) -> QuerySet[AssessmentScheme]:
    access.check_read(by=user)
    county_id = visible_county_id(user)
    if county_id is None and getattr(user, "profile", None) is not None and user.profile.township_id:
        county_id = user.profile.township.county_id
    schemes = AssessmentScheme.objects.select_related("county")
    return schemes.filter(county_id=county_id) if county_id else schemes


def scheme_period(scheme: AssessmentScheme, *, today: dt.date | None = None) -> Period:
    """What a scheme assesses: the campaign it names (the dashboard ranks that campaign by it, with
    the very same figures), else its year; as of today while it runs."""
    today = today or local_today()
    if scheme.campaign is not None:
        return campaign_period(scheme.campaign, today=today)
    start, end = dt.date(scheme.year, 1, 1), dt.date(scheme.year, 12, 31)
    return Period(
        county_id=scheme.county_id,
        start=start,
        end=end,
        as_of=max(start, min(end, today)),
        campaign=scheme.campaign,
    )


@dataclass
class ItemResult:
    item: AssessmentItem
    auto: AutoScore | None = None
    score: ItemScore | None = None
    records: str = ""  # where the records behind an automatic item's points are listed

    @property
    def self_points(self) -> Decimal | None:
        return self.auto.points if self.auto else (self.score.self_points if self.score else None)

    @property
    def center_points(self) -> Decimal | None:
        return self.auto.points if self.auto else (self.score.center_points if self.score else None)

    @property
    def differs(self) -> bool:
        """The township's and the center's scores of a manual item disagree."""
        return None not in (self.self_points, self.center_points) and self.self_points != self.center_points


@dataclass
class TownshipResult:
    township_id: int
    name: str
    items: list[ItemResult] = field(default_factory=list)
    rank: int = 0
    tied: bool = False

    @property
    def self_total(self) -> Decimal:
        return sum((r.self_points or Decimal(0) for r in self.items), Decimal(0))

    @property
    def total(self) -> Decimal:
        """What the ranking counts: the center's score (automatic items as computed)."""
        return sum((r.center_points or Decimal(0) for r in self.items), Decimal(0))

    @property
    def differences(self) -> int:
        return sum(1 for r in self.items if r.differs)

    @property
    def unscored(self) -> int:
        return sum(1 for r in self.items if r.center_points is None)


def rank(results: list[TownshipResult]) -> list[TownshipResult]:
    """By total, with the dashboard's ranking rule (ties 并列)."""
    return rank_by(results, attrgetter("total"))


def scheme_results(
    *, scheme: AssessmentScheme, user, township_id: int | None = None, figures: list | None = None
) -> list[TownshipResult]:
    """Every township the reader may see (one township with `township_id`), ranked. `figures`: the
    scheme period's township figures when the caller has them already (the dashboard)."""
    access.check_read(by=user, scheme=scheme, township_id=township_id)
    items = list(scheme.items.all())
    scores = {
        (s.item_id, s.township_id): s
        for s in ItemScore.objects.filter(item__scheme=scheme).select_related("self_by", "center_by")
    }
    if scheme.is_published:
        townships = Township.objects.filter(county_id=scheme.county_id).order_by("name")
        if township_id is not None:
            townships = townships.filter(pk=township_id)
        figures = {}
        named = [(t.pk, t.name) for t in townships]
    else:
        rows = figures
        if rows is None:
            rows = township_figures(
                user=user,
                period=scheme_period(scheme),
                township_ids=[township_id] if township_id is not None else None,
            )
        figures = {row.township_id: row for row in rows}
        named = [(row.township_id, row.name) for row in rows]
    results = []
    for tid, name in named:
        result = TownshipResult(township_id=tid, name=name)
        for item in items:
            score = scores.get((item.pk, tid))
            auto = None
            if item.kind == AssessmentItem.Kind.AUTO:
                if tid in figures:
                    auto = auto_score(item, figures[tid])
                elif score is not None and score.auto_points is not None:
                    auto = AutoScore(score.auto_points, score.auto_basis)
            records = records_url(item, township_id=tid, scheme=scheme) if auto is not None else ""
            result.items.append(ItemResult(item=item, auto=auto, score=score, records=records))
        results.append(result)
    return rank(results)


def records_url(item: AssessmentItem, *, township_id: int, scheme: AssessmentScheme) -> str:
    """The list of the records an automatic item's points rest on, for this township: where a
    reader checks the figure (the hazards overdue, the brigade, the funding, the meeting tasks)."""
    campaign = f"&campaign={scheme.campaign_id}" if scheme.campaign_id else ""
    t = f"?township={township_id}"
    hazards = reverse("inspections:hazard-list")
    return {
        Metric.BRIGADE_BUILT: f"{reverse('firebrigade:brigade-list')}{t}",
        Metric.BRIGADE_STAFFED: f"{reverse('firebrigade:brigade-list')}{t}",
        Metric.EQUIPMENT_GAP: f"{reverse('firebrigade:brigade-list')}{t}",
        Metric.FUNDING_RATIO: f"{reverse('firebrigade:funding')}?year={scheme_period(scheme).funding_year}",
        Metric.PLAN_PROGRESS: reverse("homes:township", args=[township_id]),
        Metric.RECTIFICATION_RATE: f"{hazards}{t}{campaign}",
        Metric.HAZARDS_OVERDUE: f"{hazards}{t}&overdue=true",
        Metric.MAJOR_OPEN: f"{hazards}{t}&severity=major&open=true",
        Metric.FIRES_UP: f"{reverse('firebrigade:incident-list')}{t}",
        Metric.CASUALTIES: f"{reverse('firebrigade:incident-list')}{t}",
        Metric.ASSIGNMENT_RATE: f"{reverse('meetings:assignment-list')}{t}",
    }.get(item.metric, "")

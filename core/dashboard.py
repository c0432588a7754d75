"""The county dashboard (县级总览): every township side by side for one campaign, ranked.

One selector gathers each figure from the selector that owns it (one place each) and lines them
up per township; it runs a fixed number of queries whatever the size of the county.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.scoping import scope_queryset
from firebrigade import selectors as brigade_selectors
from firebrigade.models import Brigade, FireIncident
from inspections import selectors as inspection_selectors
from inspections.models import Campaign
from meetings import selectors as meeting_selectors

STATUS_ORDER = [s.value for s in Brigade.Status]


@dataclass
class TownshipRow:
    township_id: int
    name: str
    kind: str
    brigade_status: str = ""  # the most advanced of its own brigades; "" when it has none
    brigade_status_label: str = ""
    shared_brigade: str = ""
    active_staff: int = 0
    min_staff: int = 0
    staff_gap: int = 0
    equipment_gap: int = 0
    vehicles: int = 0
    allocated: Decimal = Decimal(0)
    disbursed: Decimal = Decimal(0)
    funding_ratio: float | None = None
    planned: int = 0
    inspected: int = 0
    plan_percent: float | None = None
    hazards_found: int = 0
    hazards_rectified: int = 0
    hazards_overdue: int = 0
    hazards_major: int = 0
    rectification_rate: float | None = None
    incidents: int = 0
    incidents_last_season: int = 0
    assignments: int = 0
    assignments_closed: int = 0
    assignments_overdue: int = 0
    assignment_rate: float | None = None
    score: float = 0.0
    rank: int = 0


@dataclass
class Dashboard:
    campaign: Campaign | None
    on: dt.date
    rows: list[TownshipRow] = field(default_factory=list)
    totals: TownshipRow | None = None


def campaign_choices(*, user):
    """The campaigns of the counties the user works in, newest first."""
    return inspection_selectors.campaign_list(user=user).order_by("-starts_on")


def current_campaign(*, on: dt.date, user=None) -> Campaign | None:
    """The campaign running on `on` (winter-spring first), else the most recent one; among the
    user's counties' campaigns when a user is given."""
    campaigns = campaign_choices(user=user) if user is not None else Campaign.objects.all()
    running = campaigns.filter(starts_on__lte=on, ends_on__gte=on).order_by("kind", "-starts_on").first()
    return running or campaigns.filter(starts_on__lte=on).order_by("-starts_on").first()


def _ratio(part, whole) -> float | None:
    return round(float(part) * 100 / float(whole), 1) if whole else None


def _shift_year(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def county_dashboard(*, user, campaign: Campaign | None, on: dt.date) -> Dashboard:
    """Per township the user may see: brigade status, staffing and equipment against the standard,
    funding disbursed vs allocated (the campaign's starting year), inspection-plan progress,
    hazards found / rectified / overdue / major, fires this season vs the same dates a year
    before, and assignment completion — ranked by a score that averages those of plan progress,
    rectification rate, assignment completion and funding ratio (each 0–100) that apply."""
    dashboard = Dashboard(campaign=campaign, on=on)
    if campaign is None:
        return dashboard
    gaps = brigade_selectors.township_brigade_gaps(user=user)
    rows: dict[int, TownshipRow] = {}
    for gap in gaps:
        if gap.township.county_id != campaign.county_id:
            continue
        row = TownshipRow(gap.township.pk, gap.township.name, str(gap.township.get_kind_display()))
        own = sorted(gap.brigades, key=lambda b: STATUS_ORDER.index(b.status), reverse=True)
        if own:
            best = own[0]
            row.brigade_status, row.brigade_status_label = best.status, best.status_label
        row.shared_brigade = "、".join(b.name for b in gap.shared_brigades)
        for b in gap.brigades:
            row.active_staff += b.active_staff
            row.min_staff += b.min_staff or 0
            row.staff_gap += b.staff_gap or 0
            row.vehicles += b.vehicles
            row.equipment_gap += sum(e.gap for e in b.equipment)
        rows[row.township_id] = row

    for t in brigade_selectors.funding_summary(user=user, year=campaign.starts_on.year):
        if t.pk in rows:
            r = rows[t.pk]
            r.allocated, r.disbursed = t.allocated, t.disbursed
            r.funding_ratio = _ratio(t.disbursed, t.allocated)
    for plan in inspection_selectors.plan_progress(user=user, campaign=campaign):
        if plan.township_id in rows:
            r = rows[plan.township_id]
            r.planned += plan.planned_count
            r.inspected += plan.inspected_count
    for t in inspection_selectors.hazard_stats(user=user, campaign=campaign, on=on):
        if t.pk in rows:
            r = rows[t.pk]
            r.hazards_found, r.hazards_rectified = t.found, t.rectified
            r.hazards_overdue, r.hazards_major = t.overdue, t.major
            r.rectification_rate = _ratio(t.rectified, t.found)
    last_start, last_end = _shift_year(campaign.starts_on, -1), _shift_year(min(campaign.ends_on, on), -1)
    this_end = min(campaign.ends_on, on)
    incidents = (
        scope_queryset(FireIncident.objects.all(), user=user)
        .filter(township__county_id=campaign.county_id)
        .filter(Q(occurred_at__date__gte=last_start), Q(occurred_at__date__lte=this_end))
        .values("township_id")
        .annotate(
            this=Count(
                "id", filter=Q(occurred_at__date__gte=campaign.starts_on, occurred_at__date__lte=this_end)
            ),
            last=Count("id", filter=Q(occurred_at__date__gte=last_start, occurred_at__date__lte=last_end)),
        )
        .order_by()
    )
    for item in incidents:
        if item["township_id"] in rows:
            rows[item["township_id"]].incidents = item["this"]
            rows[item["township_id"]].incidents_last_season = item["last"]
    for item in meeting_selectors.assignment_completion(user=user, on=on):
        if item["township_id"] in rows:
            r = rows[item["township_id"]]
            r.assignments, r.assignments_closed = item["total"], item["closed"]
            r.assignments_overdue = item["overdue"]
            r.assignment_rate = _ratio(item["closed"], item["total"])

    for r in rows.values():
        r.plan_percent = _ratio(r.inspected, r.planned)
        # Figures that do not apply (nothing planned, found, assigned or budgeted) are left out.
        parts = [
            p
            for p in (r.plan_percent, r.rectification_rate, r.assignment_rate, r.funding_ratio)
            if p is not None
        ]
        r.score = round(sum(parts) / len(parts), 1) if parts else 0.0
    ranked = sorted(rows.values(), key=lambda r: (-r.score, r.name))
    for position, r in enumerate(ranked, start=1):
        r.rank = position
    dashboard.rows = ranked
    dashboard.totals = _totals(ranked)
    return dashboard


def _totals(rows: list[TownshipRow]) -> TownshipRow:
    total = TownshipRow(0, str(_("全县")), "")
    summed = [
        "active_staff", "min_staff", "staff_gap", "equipment_gap", "vehicles", "allocated", "disbursed",
        "planned", "inspected", "hazards_found", "hazards_rectified", "hazards_overdue", "hazards_major",
        "incidents", "incidents_last_season", "assignments", "assignments_closed", "assignments_overdue",
    ]  # fmt: skip
    for name in summed:
        setattr(total, name, sum((getattr(r, name) for r in rows), type(getattr(total, name))()))
    total.funding_ratio = _ratio(total.disbursed, total.allocated)
    total.plan_percent = _ratio(total.inspected, total.planned)
    total.rectification_rate = _ratio(total.hazards_rectified, total.hazards_found)
    total.assignment_rate = _ratio(total.assignments_closed, total.assignments)
    total.brigade_status_label = _("%(accepted)s/%(total)s 已验收") % {
        "accepted": sum(1 for r in rows if r.brigade_status == "accepted"),
        "total": len(rows),
    }
    return total


# Columns of the table and of its xlsx export: (attribute, Chinese header).
COLUMNS = [
    ("rank", gettext_lazy("排名")),
    ("name", gettext_lazy("乡镇（街道办）")),
    ("brigade_status_label", gettext_lazy("专职队状态")),
    ("active_staff", gettext_lazy("在岗队员")),
    ("staff_gap", gettext_lazy("人员缺口")),
    ("equipment_gap", gettext_lazy("装备缺口（件）")),
    ("allocated", gettext_lazy("经费预算（元）")),
    ("disbursed", gettext_lazy("已到位（元）")),
    ("funding_ratio", gettext_lazy("到位率（%）")),
    ("planned", gettext_lazy("计划检查（家）")),
    ("inspected", gettext_lazy("已检查（家）")),
    ("plan_percent", gettext_lazy("检查进度（%）")),
    ("hazards_found", gettext_lazy("发现隐患")),
    ("hazards_rectified", gettext_lazy("已整改销号")),
    ("hazards_overdue", gettext_lazy("逾期未改")),
    ("hazards_major", gettext_lazy("重大隐患")),
    ("rectification_rate", gettext_lazy("整改率（%）")),
    ("incidents", gettext_lazy("本季火灾")),
    ("incidents_last_season", gettext_lazy("上季同期火灾")),
    ("assignments", gettext_lazy("会议任务")),
    ("assignments_closed", gettext_lazy("已办结")),
    ("assignments_overdue", gettext_lazy("逾期任务")),
    ("assignment_rate", gettext_lazy("办结率（%）")),
    ("score", gettext_lazy("综合得分")),
]

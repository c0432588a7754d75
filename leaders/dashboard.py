"""The county dashboard (县级总览): every township side by side for one campaign, ranked.

The figures are leaders.figures' (the same function as the township page, the 通报 and the API);
this module only ranks them. A fixed number of queries whatever the size of the county.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.money import to_wan
from inspections import selectors as inspection_selectors
from inspections.models import Campaign
from leaders.figures import Period, TownshipFigures, campaign_period, county_total, township_figures


@dataclass
class Dashboard:
    campaign: Campaign | None
    on: dt.date
    rows: list[TownshipFigures] = field(default_factory=list)
    totals: TownshipFigures | None = None
    scoring: "Scoring | None" = None
    # This month's grid patrols per township, in the ranking's order: (row, PatrolTally).
    patrols: list = field(default_factory=list)
    patrol_month: dt.date | None = None

    @property
    def as_of(self) -> dt.date | None:
        """The day the figures are as of: today while the campaign runs, else its last day."""
        return campaign_period(self.campaign, today=self.on).as_of if self.campaign else None


def campaign_choices(*, user):
    """The campaigns of the counties the user works in, newest first."""
    return inspection_selectors.campaign_list(user=user).order_by("-starts_on")


def score(row: TownshipFigures) -> float:
    """The mean of plan progress, rectification rate, assignment completion and funding ratio (each
    0–100), of those that apply (nothing planned, found, assigned or budgeted: left out)."""
    parts = [
        p
        for p in (row.plan_percent, row.rectification_rate, row.assignment_rate, row.funding_ratio)
        if p is not None
    ]
    return round(sum(parts) / len(parts), 1) if parts else 0.0


@dataclass(frozen=True)
class Scoring:
    """What the scores of a period rest on, said on the page: the default formula, or a scheme."""

    label: str
    url: str = ""


DEFAULT_SCORING = Scoring(
    gettext_lazy(
        "综合得分 = 检查进度、整改率、任务办结率、经费到位率的平均值（各 0–100；不适用的项目不计入）。"
    )
)

# Apps above leaders plug their scoring in here (leaders cannot import them): the assessment ranks a
# campaign it assesses by its scheme. Each scorer gets the period's rows; the first that scores them
# (sets `score` and returns its Scoring) wins; none: the default formula.
_scorers: list[Callable[..., Scoring | None]] = []


def register_scorer(scorer: Callable[..., Scoring | None]) -> None:
    if scorer not in _scorers:
        _scorers.append(scorer)


def scored_figures(*, user, period: Period) -> tuple[list[TownshipFigures], Scoring]:
    """township_figures with each row's `score` set, and what the scores rest on: what the dashboard
    ranks and the API answers."""
    rows = township_figures(user=user, period=period)
    for scorer in _scorers:
        scoring = scorer(user=user, period=period, rows=rows)
        if scoring is not None:
            return rows, scoring
    for row in rows:
        row.score = score(row)
    return rows, DEFAULT_SCORING


def rank_by(rows: list, value: Callable) -> list:
    """`rows` (each with a `name`) by `value(row)`, highest first, each given its `rank` and `tied`:
    equal values share a rank (并列) and the next rank skips (1, 1, 3). The one ranking rule of the
    dashboard, the API and the assessment."""
    ranked = sorted(rows, key=lambda r: (-value(r), r.name))
    for row in ranked:
        row.rank = 1 + sum(1 for other in ranked if value(other) > value(row))
        row.tied = sum(1 for other in ranked if value(other) == value(row)) > 1
    return ranked


def rank(rows: list[TownshipFigures]) -> list[TownshipFigures]:
    """By score (rank_by)."""
    return rank_by(rows, attrgetter("score"))


def county_dashboard(*, user, campaign: Campaign | None, on: dt.date) -> Dashboard:
    """Per township the user may see, the campaign's figures (leaders.figures.township_figures, as
    of `on` or the campaign's last day if earlier), ranked by `score`, and the county's totals."""
    dashboard = Dashboard(campaign=campaign, on=on)
    if campaign is None:
        return dashboard
    rows, dashboard.scoring = scored_figures(user=user, period=campaign_period(campaign, today=on))
    ranked = rank(rows)
    dashboard.rows = ranked
    dashboard.totals = county_total(ranked)
    # Patrols are a month's work, whatever the campaign: the month of `on` (patrol_figures, as the
    # township page and the ranking show them).
    patrols = inspection_selectors.patrol_figures(user=user, on=on)
    dashboard.patrol_month = patrols.start
    dashboard.patrols = [(row, patrols.township(row.township_id)) for row in ranked]
    dashboard.totals.brigade_status_label = _("%(accepted)s/%(total)s 已验收") % {
        "accepted": sum(1 for r in ranked if r.brigade_status == "accepted"),
        "total": len(ranked),
    }
    return dashboard


# The table's columns in groups (group header or None, [(attribute, column header)]): the page heads
# each group over its columns, so that 25 columns read (and print) as seven blocks.
COLUMN_GROUPS = [
    (None, [("rank", gettext_lazy("排名")), ("name", gettext_lazy("乡镇（街道办）"))]),
    (
        gettext_lazy("专职消防队"),
        [
            ("brigade_status_label", gettext_lazy("专职队状态")),
            ("active_staff", gettext_lazy("在岗队员")),
            ("staff_gap", gettext_lazy("人员缺口")),
            ("equipment_gap", gettext_lazy("装备缺口（件）")),
        ],
    ),
    (
        gettext_lazy("人员和办公经费"),
        [
            ("allocated", gettext_lazy("经费预算（万元）")),
            ("disbursed", gettext_lazy("已到位（万元）")),
            ("funding_ratio", gettext_lazy("到位率（%）")),
        ],
    ),
    (
        gettext_lazy("检查计划"),
        [
            ("planned", gettext_lazy("计划检查（家）")),
            ("inspected", gettext_lazy("已检查（家）")),
            ("plan_percent", gettext_lazy("检查进度（%）")),
        ],
    ),
    (
        gettext_lazy("火灾隐患"),
        [
            ("hazards_found", gettext_lazy("发现隐患")),
            ("hazards_rectified", gettext_lazy("已整改销号")),
            ("hazards_overdue", gettext_lazy("逾期未改")),
            ("hazards_major", gettext_lazy("重大隐患")),
            ("hazards_carried_open", gettext_lazy("往期未销号")),
            ("rectification_rate", gettext_lazy("整改率（%）")),
        ],
    ),
    (
        gettext_lazy("火灾"),
        [("incidents", gettext_lazy("本期火灾")), ("incidents_last_season", gettext_lazy("上年同期火灾"))],
    ),
    (
        gettext_lazy("会议任务"),
        [
            ("assignments", gettext_lazy("会议任务")),
            ("assignments_closed", gettext_lazy("已办结")),
            ("assignments_overdue", gettext_lazy("逾期任务")),
            ("assignment_rate", gettext_lazy("办结率（%）")),
        ],
    ),
    (
        gettext_lazy("专职队当月活动"),
        [
            ("drills", gettext_lazy("演练")),
            ("trainings", gettext_lazy("训练")),
            ("call_outs", gettext_lazy("出警")),
            ("publicity", gettext_lazy("宣传")),
        ],
    ),
    (None, [("score", gettext_lazy("综合得分"))]),
]

# Columns of the table and of its xlsx export: (attribute, Chinese header).
COLUMNS = [column for _group, columns in COLUMN_GROUPS for column in columns]

# Money is written in 万元, on the page and in the export alike (the API keeps yuan).
MONEY_COLUMNS = {"allocated", "disbursed"}


def _cell(row: TownshipFigures, attr: str):
    value = getattr(row, attr)
    return to_wan(value) if attr in MONEY_COLUMNS else value


def export_rows(data: Dashboard) -> list[list]:
    """The table as the xlsx export writes it: a row per township in rank order, then the county."""
    rows = [[_cell(r, attr) for attr, _header in COLUMNS] for r in data.rows]
    if data.totals:
        rows.append([_cell(data.totals, attr) if attr != "rank" else "" for attr, _header in COLUMNS])
    return rows

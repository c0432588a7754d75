"""How an automatic item is scored from a township's figures (leaders.figures.TownshipFigures, the
figures every page shows): the points and, in words, what they rest on.

Rates give their share of the item's points; counts deduct `deduct_per_unit` each, down to 0. A rate
that does not apply is scored as the county would judge it: no budget, no brigade or no inspection
plan earns nothing (the work is missing); no hazard found or no task given loses nothing — and
inspecting fewer premises does not pay, because the inspection plan has its own item.

The basis is written in the active language (the reader's); a published scheme keeps the basis of its
points as written when it was published, in Chinese (assessments.services.scheme_publish).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments.models import AssessmentItem, Metric

ONE_PLACE = Decimal("0.1")
# 规划中 → 建设中 → 已建成 → 已验收: the share of the item each stage earns.
BRIGADE_STAGES = {"planned": Decimal("0.25"), "under_construction": Decimal("0.5"), "established": Decimal("0.75"), "accepted": Decimal(1)}  # fmt: skip
SHARED_BRIGADE_SHARE = Decimal("0.75")  # served by another township's brigade (联建共用)


@dataclass(frozen=True)
class AutoScore:
    points: Decimal
    basis: str


def _share(points: Decimal, share: Decimal) -> Decimal:
    return (points * max(Decimal(0), min(Decimal(1), share))).quantize(ONE_PLACE, ROUND_HALF_UP)


def _rate(
    item: AssessmentItem, rate: float | None, label: str, *, missing: str, missing_share: int
) -> AutoScore:
    if rate is None:
        return AutoScore(_share(item.points, Decimal(missing_share)), missing)
    return AutoScore(
        _share(item.points, Decimal(str(rate)) / 100),
        _("%(label)s %(rate)s%%") % {"label": label, "rate": rate},
    )


def _deduct(item: AssessmentItem, count: int, basis: str) -> AutoScore:
    """`basis`: the count and what is deducted for each, in words (`count` and `points` to fill)."""
    lost = item.deduct_per_unit * count
    points = max(Decimal(0), item.points - lost).quantize(ONE_PLACE, ROUND_HALF_UP)
    return AutoScore(points, basis % {"count": count, "points": item.deduct_per_unit})


def auto_score(item: AssessmentItem, f) -> AutoScore:
    """The points of automatic `item` for the township whose figures are `f`."""
    metric = item.metric
    if metric == Metric.BRIGADE_BUILT:
        if f.brigade_status:
            return AutoScore(
                _share(item.points, BRIGADE_STAGES.get(f.brigade_status, Decimal(0))),
                _("专职消防队%(status)s") % {"status": f.brigade_status_label},
            )
        if f.shared_brigade:
            return AutoScore(
                _share(item.points, SHARED_BRIGADE_SHARE),
                _("与%(brigade)s联建共用") % {"brigade": f.shared_brigade},
            )
        return AutoScore(Decimal(0), _("尚未组建专职消防队"))
    if metric == Metric.BRIGADE_STAFFED:
        if not f.min_staff:
            return AutoScore(Decimal(0), _("无专职消防队或未定建设标准"))
        share = Decimal(f.active_staff) / Decimal(f.min_staff)
        return AutoScore(
            _share(item.points, share),
            _("在岗 %(active)s 人，应配 %(required)s 人")
            % {"active": f.active_staff, "required": f.min_staff},
        )
    if metric == Metric.EQUIPMENT_GAP:
        gap = f.equipment_gap or 0
        return _deduct(item, gap, ngettext("装备缺口 %(count)s 件，每件扣 %(points)s 分", "装备缺口 %(count)s 件，每件扣 %(points)s 分", gap))  # fmt: skip
    if metric == Metric.FUNDING_RATIO:
        return _rate(item, f.funding_ratio, _("经费到位率"), missing=_("本年度未安排经费"), missing_share=0)
    if metric == Metric.PLAN_PROGRESS:
        return _rate(item, f.plan_percent, _("检查计划完成率"), missing=_("无检查计划"), missing_share=0)
    if metric == Metric.RECTIFICATION_RATE:
        return _rate(
            item, f.rectification_rate, _("隐患整改率"), missing=_("未发现隐患，不扣分"), missing_share=1
        )
    if metric == Metric.HAZARDS_OVERDUE:
        overdue = f.hazards_overdue or 0
        return _deduct(item, overdue, ngettext("逾期未整改隐患 %(count)s 处，每处扣 %(points)s 分", "逾期未整改隐患 %(count)s 处，每处扣 %(points)s 分", overdue))  # fmt: skip
    if metric == Metric.MAJOR_OPEN:
        major = f.hazards_major_open or 0
        return _deduct(item, major, ngettext("未整改重大火灾隐患 %(count)s 处，每处扣 %(points)s 分", "未整改重大火灾隐患 %(count)s 处，每处扣 %(points)s 分", major))  # fmt: skip
    if metric == Metric.FIRES_UP:
        this, last = f.fires.count, f.fires_last_year.count
        more = max(0, this - last)
        score = _deduct(item, more, ngettext("火灾较上年同期增加 %(count)s 起，每起扣 %(points)s 分", "火灾较上年同期增加 %(count)s 起，每起扣 %(points)s 分", more))  # fmt: skip
        return AutoScore(
            score.points,
            _("火灾 %(this)s 起，上年同期 %(last)s 起；%(basis)s")
            % {"this": this, "last": last, "basis": score.basis},
        )
    if metric == Metric.CASUALTIES:
        hurt = f.fires.deaths + f.fires.injuries
        return _deduct(item, hurt, ngettext("火灾伤亡 %(count)s 人，每人扣 %(points)s 分", "火灾伤亡 %(count)s 人，每人扣 %(points)s 分", hurt))  # fmt: skip
    if metric == Metric.ASSIGNMENT_RATE:
        return _rate(
            item, f.assignment_rate, _("会议任务办结率"), missing=_("无会议任务，不扣分"), missing_share=1
        )
    raise ValueError(f"unknown metric {metric!r}")

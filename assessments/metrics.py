"""How an automatic item is scored from a township's figures (leaders.figures.TownshipFigures, the
figures every page shows): the points and, in words, what they rest on.

Rates give their share of the item's points; counts deduct `deduct_per_unit` each, down to 0. A rate
that does not apply is scored as the county would judge it: no budget, no brigade or no inspection
plan earns nothing (the work is missing); no hazard found or no task given loses nothing — and
inspecting fewer premises does not pay, because the inspection plan has its own item.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

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
    return AutoScore(_share(item.points, Decimal(str(rate)) / 100), f"{label} {rate}%")


def _deduct(item: AssessmentItem, count: int, label: str, unit: str) -> AutoScore:
    lost = item.deduct_per_unit * count
    points = max(Decimal(0), item.points - lost).quantize(ONE_PLACE, ROUND_HALF_UP)
    return AutoScore(points, f"{label} {count} {unit}，每{unit}扣 {item.deduct_per_unit} 分")


def auto_score(item: AssessmentItem, f) -> AutoScore:
    """The points of automatic `item` for the township whose figures are `f`."""
    metric = item.metric
    if metric == Metric.BRIGADE_BUILT:
        if f.brigade_status:
            return AutoScore(
                _share(item.points, BRIGADE_STAGES.get(f.brigade_status, Decimal(0))),
                f"专职消防队{f.brigade_status_label}",
            )
        if f.shared_brigade:
            return AutoScore(_share(item.points, SHARED_BRIGADE_SHARE), f"与{f.shared_brigade}联建共用")
        return AutoScore(Decimal(0), "尚未组建专职消防队")
    if metric == Metric.BRIGADE_STAFFED:
        if not f.min_staff:
            return AutoScore(Decimal(0), "无专职消防队或未定建设标准")
        share = Decimal(f.active_staff) / Decimal(f.min_staff)
        return AutoScore(_share(item.points, share), f"在岗 {f.active_staff} 人，应配 {f.min_staff} 人")
    if metric == Metric.EQUIPMENT_GAP:
        return _deduct(item, f.equipment_gap or 0, "装备缺口", "件")
    if metric == Metric.FUNDING_RATIO:
        return _rate(item, f.funding_ratio, "经费到位率", missing="本年度未安排经费", missing_share=0)
    if metric == Metric.PLAN_PROGRESS:
        return _rate(item, f.plan_percent, "检查计划完成率", missing="无检查计划", missing_share=0)
    if metric == Metric.RECTIFICATION_RATE:
        return _rate(item, f.rectification_rate, "隐患整改率", missing="未发现隐患，不扣分", missing_share=1)
    if metric == Metric.HAZARDS_OVERDUE:
        return _deduct(item, f.hazards_overdue or 0, "逾期未整改隐患", "处")
    if metric == Metric.MAJOR_OPEN:
        return _deduct(item, f.hazards_major_open or 0, "未整改重大火灾隐患", "处")
    if metric == Metric.FIRES_UP:
        this, last = f.fires.count, f.fires_last_year.count
        score = _deduct(item, max(0, this - last), "火灾较上年同期增加", "起")
        return AutoScore(score.points, f"火灾 {this} 起，上年同期 {last} 起；{score.basis}")
    if metric == Metric.CASUALTIES:
        return _deduct(item, f.fires.deaths + f.fires.injuries, "火灾伤亡", "人")
    if metric == Metric.ASSIGNMENT_RATE:
        return _rate(item, f.assignment_rate, "会议任务办结率", missing="无会议任务，不扣分", missing_share=1)
    raise ValueError(f"unknown metric {metric!r}")

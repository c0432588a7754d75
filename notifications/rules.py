"""Seasonal reminders (冬春火灾防控): which rule reminds whom of what, once per period.

A rule has two halves:
- `candidates(on)`: the ids of the objects it concerns on local date `on` (one indexed query);
- `build(ids, on)`: for a batch of those ids, the notifications as (recipient, object, period, text).

`reminders_create(rule=..., object_ids=..., on=...)` writes a batch with the database's unique
constraint as the idempotency key, so beat firing twice, a redelivered batch or a manual
`run_reminders` never makes a second copy. Rules catch up: a campaign whose kickoff day was missed
(broker down, beat stopped) is announced on the next run within the campaign.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from operator import attrgetter

from django.conf import settings
from django.db.models import Count, F
from django.urls import reverse

from core.models import Role, UserProfile
from firebrigade.models import EquipmentItem, FundingAllocation
from inspections.models import Hazard, InspectionPlan
from inspections.selectors import hazard_open_q, hazard_overdue_q
from meetings.models import Assignment
from meetings.selectors import assignment_closed_q, assignment_overdue_q
from townships.models import Premises, Township


def setting(name: str, default):
    return getattr(settings, name, default)


@dataclass(frozen=True)
class Draft:
    recipient_id: int
    object_id: int
    period: str
    title: str
    text: str
    url: str = ""
    township_id: int | None = None  # what the digest groups by


@dataclass(frozen=True)
class Rule:
    name: str
    label: str
    model: type
    candidates: Callable[[dt.date], Iterable[int]]
    build: Callable[[list[int], dt.date], Iterator[Draft]]


# -- recipients ---------------------------------------------------------------------------------


def _township_user_ids(township_ids: Iterable[int], **profile) -> dict[int, list[int]]:
    """Township id -> ids of the active users of that township whose profile matches `profile`."""
    result: dict[int, list[int]] = defaultdict(list)
    rows = UserProfile.objects.filter(
        township_id__in=set(township_ids), user__is_active=True, **profile
    ).values_list("township_id", "user_id")
    for township_id, user_id in rows:
        result[township_id].append(user_id)
    return result


def township_lead_ids(township_ids: Iterable[int]) -> dict[int, list[int]]:
    """Township id -> user ids of its fire leads (active users only). A principal leader's account
    may carry the lead's role to see the township's pages; they are reached by the escalations and
    the urgent events, not by every everyday reminder."""
    return _township_user_ids(township_ids, role=Role.TOWNSHIP_LEAD, is_principal_leader=False)


def principal_leader_ids(township_ids: Iterable[int]) -> dict[int, list[int]]:
    """Township id -> user ids of its principal leaders (active users only)."""
    return _township_user_ids(township_ids, is_principal_leader=True)


def county_official_ids(
    township_ids: Iterable[int], roles: Iterable[str] = (Role.COUNTY_OFFICIAL,)
) -> dict[int, list[int]]:
    """Township id -> county officials of its county (those without a county see every county)."""
    county_of = dict(Township.objects.filter(id__in=set(township_ids)).values_list("id", "county_id"))
    officials = list(
        UserProfile.objects.filter(role__in=list(roles), user__is_active=True).values_list(
            "county_id", "user_id"
        )
    )
    result: dict[int, list[int]] = defaultdict(list)
    for township_id, county_id in county_of.items():
        result[township_id] = [u for c, u in officials if c is None or c == county_id]
    return result


def premises_user_ids(premises_ids: Iterable[int]) -> dict[int, list[int]]:
    """Premises id -> its responsible persons' accounts: the profiles scoped to it and the account the
    premises names as responsible (active users only)."""
    premises_ids = set(premises_ids)
    result: dict[int, set[int]] = defaultdict(set)
    for premises_id, user_id in UserProfile.objects.filter(
        role=Role.PREMISES_RESPONSIBLE, premises_id__in=premises_ids, user__is_active=True
    ).values_list("premises_id", "user_id"):
        result[premises_id].add(user_id)
    for premises_id, user_id in Premises.objects.filter(
        id__in=premises_ids, responsible_user__isnull=False, responsible_user__is_active=True
    ).values_list("id", "responsible_user_id"):
        result[premises_id].add(user_id)
    return defaultdict(list, {k: sorted(v) for k, v in result.items()})


def police_user_ids(station_ids: Iterable[int | None]) -> dict[int | None, list[int]]:
    """Police station id -> its accounts (active users only); None -> nobody."""
    result: dict[int | None, list[int]] = defaultdict(list)
    for station_id, user_id in UserProfile.objects.filter(
        role=Role.POLICE_STATION, police_station_id__in={s for s in station_ids if s}, user__is_active=True
    ).values_list("police_station_id", "user_id"):
        result[station_id].append(user_id)
    return result


def hazard_people(hazards: list) -> Iterator[tuple[object, int]]:
    """(hazard, user id) for everyone who acts on a hazard before its deadline: the township's fire
    leads, the unit's responsible persons (自查隐患、自除隐患、自负责任) and the police station whose
    inspection found it (it re-inspects). Needs the hazards' `inspection` loaded."""
    leads = township_lead_ids(h.township_id for h in hazards)
    units = premises_user_ids(h.premises_id for h in hazards)
    police = police_user_ids(h.inspection.police_station_id for h in hazards)
    for h in hazards:
        people = {*leads[h.township_id], *units[h.premises_id], *police[h.inspection.police_station_id]}
        for user_id in sorted(people):
            yield h, user_id


def county_supervisor_ids(township_ids: Iterable[int]) -> dict[int, list[int]]:
    """Township id -> who supervises it for the county: its officials and the guidance center, which
    guides the rectification of what is escalated or major."""
    return county_official_ids(township_ids, roles=(Role.COUNTY_OFFICIAL, Role.GUIDANCE_CENTER))


def leads_and_officials(township_ids: Iterable[int]) -> dict[int, list[int]]:
    """Township id -> its fire leads and its county's officials, each once."""
    township_ids = set(township_ids)
    leads, officials = township_lead_ids(township_ids), county_official_ids(township_ids)
    return {t: list({*leads[t], *officials[t]}) for t in township_ids}


def _to_each(
    rows: list,
    *,
    recipients: Callable[[Iterable[int]], dict[int, list[int]]] = township_lead_ids,
    township_of: Callable[[object], int] = attrgetter("township_id"),
) -> Iterator[tuple[object, int]]:
    """(row, user id) for every one of the `recipients` (by default the fire leads) of each row's
    township: whom a batch reminds, looked up once for the batch."""
    people = recipients(township_of(row) for row in rows)
    for row in rows:
        for user_id in people[township_of(row)]:
            yield row, user_id


def week_period(on: dt.date) -> str:
    year, week, _ = on.isocalendar()
    return f"{year}-W{week:02d}"


# -- where a reminder leads: the page of what it is about -----------------------------------------


def hazard_url(hazard_id: int) -> str:
    return reverse("inspections:hazard-detail", args=[hazard_id])


def assignment_url(assignment_id: int) -> str:
    return reverse("meetings:assignment-detail", args=[assignment_id])


def plan_url(plan) -> str:
    """A plan has no page of its own: its township's page lists the premises it still has to inspect."""
    return reverse("homes:township", args=[plan.township_id])


def brigade_url(brigade_id: int) -> str:
    return reverse("firebrigade:brigade-detail", args=[brigade_id])


def funding_url(year: int) -> str:
    return f"{reverse('firebrigade:funding')}?year={year}"


# -- rules ----------------------------------------------------------------------------------------


def _kickoff_candidates(on):
    return InspectionPlan.objects.filter(campaign__starts_on__lte=on, campaign__ends_on__gte=on).values_list(
        "id", flat=True
    )


def _kickoff_build(ids, on):
    plans = list(
        InspectionPlan.objects.filter(id__in=ids)
        .select_related("campaign")
        .annotate(n_premises=Count("premises"))
    )
    for plan, user_id in _to_each(plans):
        yield Draft(
            user_id,
            plan.id,
            "kickoff",
            f"{plan.campaign.name}启动：请按计划开展检查",
            f"检查计划《{plan.title}》共 {plan.n_premises} 家单位，须于 {plan.due_on:%Y-%m-%d} 前完成检查。",
            plan_url(plan),
            plan.township_id,
        )


def _plan_incomplete(qs):
    """Plans with premises not yet inspected under the plan."""
    return qs.annotate(
        n_planned=Count("premises", distinct=True),
        n_done=Count("inspections__premises", distinct=True),
    ).filter(n_done__lt=F("n_planned"))


def _falling_due(queryset, on: dt.date, days: int, field: str = "deadline"):
    """The ids of `queryset` whose `field` falls within `days` days from `on`, both ends included:
    what every "即将到期" reminder announces."""
    window = {f"{field}__gte": on, f"{field}__lte": on + dt.timedelta(days=days)}
    return queryset.filter(**window).values_list("id", flat=True)


def _plan_due_candidates(on):
    plans = _plan_incomplete(InspectionPlan.objects.all())
    return _falling_due(plans, on, setting("REMINDER_PLAN_DUE_DAYS", 7), field="due_on")


def _plan_overdue_candidates(on):
    return _plan_incomplete(
        InspectionPlan.objects.filter(due_on__lt=on, campaign__ends_on__gte=on)
    ).values_list("id", flat=True)


def _plan_build(overdue: bool):
    def build(ids, on):
        plans = list(_plan_incomplete(InspectionPlan.objects.filter(id__in=ids)).select_related("campaign"))
        for plan, user_id in _to_each(plans):
            left = plan.n_planned - plan.n_done
            if overdue:
                period = week_period(on)
                title = f"检查计划逾期：{plan.title}"
                text = f"已超过完成期限 {plan.due_on:%Y-%m-%d}，尚有 {left} 家单位未检查。"
            else:
                period = "due"
                title = f"检查计划即将到期：{plan.title}"
                text = f"完成期限 {plan.due_on:%Y-%m-%d}，尚有 {left} 家单位未检查。"
            yield Draft(user_id, plan.id, period, title, text, plan_url(plan), plan.township_id)

    return build


# Open and overdue are the inspections app's one definition (the dashboard and the 通报 count the same).


def _hazard_near_candidates(on):
    return _falling_due(Hazard.objects.filter(hazard_open_q(on)), on, setting("REMINDER_HAZARD_NEAR_DAYS", 3))


def _hazard_overdue_candidates(on):
    return Hazard.objects.filter(hazard_overdue_q(on)).values_list("id", flat=True)


def _hazard_escalate_candidates(on):
    days = setting("REMINDER_HAZARD_ESCALATE_DAYS", 7)
    return (
        Hazard.objects.filter(hazard_overdue_q(on))
        .filter(deadline__lte=on - dt.timedelta(days=days))
        .values_list("id", flat=True)
    )


def _hazards(ids):
    return list(Hazard.objects.filter(id__in=ids).select_related("premises", "township", "inspection"))


def _hazard_near_build(ids, on):
    for h, user_id in hazard_people(_hazards(ids)):
        yield Draft(
            user_id,
            h.id,
            "near",
            f"隐患整改即将到期：{h.premises.name}",
            f"{h.get_severity_display()}“{h.description[:40]}”须于 {h.deadline:%Y-%m-%d} 前整改完毕。",
            hazard_url(h.id),
            h.township_id,
        )


def _hazard_overdue_build(ids, on):
    for h, user_id in hazard_people(_hazards(ids)):
        yield Draft(
            user_id,
            h.id,
            week_period(on),
            f"隐患整改逾期 {(on - h.deadline).days} 天：{h.premises.name}",
            f"{h.get_severity_display()}“{h.description[:40]}”整改期限 {h.deadline:%Y-%m-%d} 已过，"
            f"当前状态：{h.get_status_display()}。",
            hazard_url(h.id),
            h.township_id,
        )


def _hazard_escalate_build(recipients: Callable[[Iterable[int]], dict[int, list[int]]], level: str):
    def build(ids, on):
        for h, user_id in _to_each(_hazards(ids), recipients=recipients):
            late = (on - h.deadline).days
            yield Draft(
                user_id,
                h.id,
                "escalated",
                f"【升级督办·{level}】隐患逾期 {late} 天未整改：{h.premises.name}",
                f"{h.township.name}{h.premises.name}的{h.get_severity_display()}“{h.description[:40]}”"
                f"整改期限 {h.deadline:%Y-%m-%d}，已逾期 {late} 天，请督促整改并落实责任。",
                hazard_url(h.id),
                h.township_id,
            )

    return build


# Closed and overdue are the meetings app's one definition (the pages and the 通报 count the same).


def _assignment_near_candidates(on):
    assignments = Assignment.objects.exclude(assignment_closed_q(on))
    return _falling_due(assignments, on, setting("REMINDER_ASSIGNMENT_NEAR_DAYS", 3))


def _assignment_overdue_candidates(on):
    return Assignment.objects.filter(assignment_overdue_q(on)).values_list("id", flat=True)


def _assignment_build(overdue: bool):
    def build(ids, on):
        assignments = list(Assignment.objects.filter(id__in=ids).select_related("directive__meeting"))
        for a, user_id in _to_each(assignments):
            what = f"{a.directive.get_category_display()}（{a.directive.meeting.title}）"
            if overdue:
                period, title = week_period(on), f"会议任务逾期：{what}"
                text = f"完成时限 {a.deadline:%Y-%m-%d} 已过，当前进度 {a.progress_percent}%。"
            else:
                period, title = "near", f"会议任务即将到期：{what}"
                text = f"完成时限 {a.deadline:%Y-%m-%d}，当前进度 {a.progress_percent}%，请及时报告进展。"
            yield Draft(user_id, a.id, period, title, text, assignment_url(a.id), a.township_id)

    return build


def _maintenance_candidates(on):
    days = setting("REMINDER_MAINTENANCE_DAYS", 7)
    return (
        EquipmentItem.objects.exclude(condition=EquipmentItem.Condition.SCRAPPED)
        .filter(next_maintenance_on__lte=on + dt.timedelta(days=days))
        .values_list("id", flat=True)
    )


def _maintenance_build(ids, on):
    items = list(EquipmentItem.objects.filter(id__in=ids).select_related("brigade", "equipment_type"))
    for item, user_id in _to_each(items, township_of=attrgetter("brigade.township_id")):
        yield Draft(
            user_id,
            item.id,
            # A new maintenance cycle is a new period.
            item.next_maintenance_on.isoformat(),
            f"装备保养到期：{item.brigade.name}",
            f"{item.equipment_type.name}×{item.quantity} 应于 {item.next_maintenance_on:%Y-%m-%d} 前保养。",
            brigade_url(item.brigade_id),
            item.brigade.township_id,
        )


def last_quarter_end(on: dt.date) -> tuple[int, int]:
    """The (year, quarter) of the last quarter that ended before `on`."""
    quarter = (on.month - 1) // 3  # quarters fully ended this year
    if quarter == 0:
        return on.year - 1, 4
    return on.year, quarter


def _funding_candidates(on):
    year, _quarter = last_quarter_end(on)
    return FundingAllocation.objects.filter(year=year, disbursed_amount__lt=F("amount")).values_list(
        "id", flat=True
    )


def _funding_build(ids, on):
    year, quarter = last_quarter_end(on)
    allocations = list(FundingAllocation.objects.filter(id__in=ids).select_related("township"))
    for a, user_id in _to_each(allocations, recipients=leads_and_officials):
        yield Draft(
            user_id,
            a.id,
            f"{year}-Q{quarter}",
            f"经费未到位：{a.township.name}{a.year}年{a.get_category_display()}",
            f"截至{year}年第{quarter}季度末，预算 {a.amount} 元，已到位 {a.disbursed_amount} 元，"
            f"尚有 {a.amount - a.disbursed_amount} 元未到位。",
            funding_url(a.year),
            a.township_id,
        )


RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in [
        Rule("campaign_kickoff", "防控行动启动", InspectionPlan, _kickoff_candidates, _kickoff_build),
        Rule("plan_due", "检查计划即将到期", InspectionPlan, _plan_due_candidates, _plan_build(False)),
        Rule("plan_overdue", "检查计划逾期", InspectionPlan, _plan_overdue_candidates, _plan_build(True)),
        Rule("hazard_near", "隐患整改即将到期", Hazard, _hazard_near_candidates, _hazard_near_build),
        Rule("hazard_overdue", "隐患整改逾期", Hazard, _hazard_overdue_candidates, _hazard_overdue_build),
        Rule(
            "hazard_escalate_township",
            "隐患逾期升级至乡镇主要领导",
            Hazard,
            _hazard_escalate_candidates,
            _hazard_escalate_build(principal_leader_ids, "乡镇主要领导"),
        ),
        Rule(
            "hazard_escalate_county",
            "隐患逾期升级至县",
            Hazard,
            _hazard_escalate_candidates,
            _hazard_escalate_build(county_supervisor_ids, "县"),
        ),
        Rule(
            "assignment_near",
            "会议任务即将到期",
            Assignment,
            _assignment_near_candidates,
            _assignment_build(False),
        ),
        Rule(
            "assignment_overdue",
            "会议任务逾期",
            Assignment,
            _assignment_overdue_candidates,
            _assignment_build(True),
        ),
        Rule("maintenance_due", "装备保养到期", EquipmentItem, _maintenance_candidates, _maintenance_build),
        Rule(
            "funding_not_disbursed",
            "季度末经费未到位",
            FundingAllocation,
            _funding_candidates,
            _funding_build,
        ),
    ]
}


# Reminders written when something happens (notifications.events), not by the daily run.
EVENT_LABELS = {
    "hazard_reported": "新发现隐患",
    "hazard_major": "发现重大火灾隐患",
    "rectification_submitted": "整改完成待复查",
    "reinspection_failed": "复查不合格",
    "assignment_issued": "新的会议任务",
    "assignment_deadline_changed": "会议任务时限调整",
}
RULE_LABELS = {**{name: rule.label for name, rule in RULES.items()}, **EVENT_LABELS}


def reminder_candidates(*, rule: str, on: dt.date) -> list[int]:
    return sorted(RULES[rule].candidates(on))

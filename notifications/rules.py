"""Seasonal reminders (冬春火灾防控): which rule reminds whom of what, once per period.

A rule has two halves:
- `candidates(on)`: the ids of the objects it concerns on local date `on` (one indexed query);
- `build(ids, on)`: for a batch of those ids, the notifications as `Draft`s (recipient, object,
  period, title and text, link).

A reminder's title and text are written in both languages at once (`in_both`): the Chinese in
`title`/`text`, the English in `title_en`/`text_en`, each rendered from the same translatable
message with named parameters; the data in them (township, premises, plan names) stays as entered.

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
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.models import Role, UserProfile
from firebrigade import selectors as brigade_selectors
from firebrigade.models import Brigade, BrigadeMember, EquipmentItem, FundingAllocation
from inspections.definitions import VERIFIED as VERIFIED_STATUS
from inspections.models import Hazard, HazardSupervision, InspectionPlan
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
    title: str  # Chinese
    text: str
    url: str = ""
    township_id: int | None = None  # what the digest groups by
    title_en: str = ""  # blank: the reader of English sees the Chinese
    text_en: str = ""


# The languages a reminder is written in: the field suffix and the language code.
WRITTEN_IN = {"": "zh-hans", "_en": "en"}


def in_both(words: Callable[..., tuple[str, str]], *args) -> dict[str, str]:
    """`words(*args)` -> (title, text), rendered once in each language: a Draft's title, text,
    title_en and text_en (as keyword arguments)."""
    result = {}
    for suffix, language in WRITTEN_IN.items():
        with translation.override(language):
            title, text = words(*args)
        result[f"title{suffix}"], result[f"text{suffix}"] = str(title), str(text)
    return result


def drafts_of(
    pairs: Iterable[tuple[object, int]],
    words: Callable[..., tuple[str, str]],
    *args,
    period: str | Callable[[object], str],
    url: Callable[[object], str],
    township_of: Callable[[object], int | None] = attrgetter("township_id"),
) -> Iterator[Draft]:
    """A Draft for each (row, user id) pair: about the row, to the user. The row's title and text,
    `words(row, *args)`, are written once in both languages however many people it reminds."""
    written: dict[int, dict[str, str]] = {}
    for row, user_id in pairs:
        if row.pk not in written:
            written[row.pk] = in_both(words, row, *args)
        yield Draft(
            user_id,
            row.pk,
            period(row) if callable(period) else period,
            url=url(row),
            township_id=township_of(row),
            **written[row.pk],
        )


@dataclass(frozen=True)
class Rule:
    name: str
    label: str  # lazy: read in the reader's language
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


def department_user_ids(department_ids: Iterable[int]) -> dict[int, list[int]]:
    """County department id -> user ids of its active department users (县直部门)."""
    result: dict[int, list[int]] = defaultdict(list)
    rows = UserProfile.objects.filter(
        department_id__in=set(department_ids), role=Role.COUNTY_DEPARTMENT, user__is_active=True
    ).values_list("department_id", "user_id")
    for department_id, user_id in rows.order_by("user_id"):
        result[department_id].append(user_id)
    return result


def assignment_holders(
    assignments: list, *, township_people: Callable[[Iterable[int]], dict[int, list[int]]] = township_lead_ids
) -> Iterator[tuple[object, int]]:
    """(assignment, user id) for whoever answers for each assignment: `township_people` of its
    township (by default the fire leads), or the users of its county department. One look-up each
    for the batch."""
    townships = township_people({a.township_id for a in assignments if a.township_id is not None})
    departments = department_user_ids({a.department_id for a in assignments if a.department_id is not None})
    for a in assignments:
        people = townships[a.township_id] if a.township_id is not None else departments[a.department_id]
        for user_id in people:
            yield a, user_id


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
    return drafts_of(_to_each(plans), _kickoff_words, period="kickoff", url=plan_url)


def _kickoff_words(plan) -> tuple[str, str]:
    return (
        _("%(campaign)s启动：请按计划开展检查") % {"campaign": plan.campaign.name},
        _("检查计划《%(plan)s》共 %(n)s 家单位，须于 %(due)s 前完成检查。")
        % {"plan": plan.title, "n": plan.n_premises, "due": f"{plan.due_on:%Y-%m-%d}"},
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
        period = week_period(on) if overdue else "due"
        return drafts_of(_to_each(plans), _plan_words, overdue, period=period, url=plan_url)

    return build


def _plan_words(plan, overdue: bool) -> tuple[str, str]:
    values = {"plan": plan.title, "due": f"{plan.due_on:%Y-%m-%d}", "n": plan.n_planned - plan.n_done}
    if overdue:
        return (
            _("检查计划逾期：%(plan)s") % values,
            _("已超过完成期限 %(due)s，尚有 %(n)s 家单位未检查。") % values,
        )
    return (
        _("检查计划即将到期：%(plan)s") % values,
        _("完成期限 %(due)s，尚有 %(n)s 家单位未检查。") % values,
    )


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


def _hazard_values(h, on: dt.date) -> dict:
    """What the hazard reminders say about a hazard (the choice labels in the active language)."""
    return {
        "township": h.township.name,
        "premises": h.premises.name,
        "severity": h.get_severity_display(),
        "status": h.get_status_display(),
        "description": h.description[:40],
        "deadline": f"{h.deadline:%Y-%m-%d}",
        "days": (on - h.deadline).days,
    }


def hazard_page(h) -> str:
    return hazard_url(h.id)


def _hazard_near_words(h, on) -> tuple[str, str]:
    values = _hazard_values(h, on)
    return (
        _("隐患整改即将到期：%(premises)s") % values,
        _("%(severity)s“%(description)s”须于 %(deadline)s 前整改完毕。") % values,
    )


def _hazard_near_build(ids, on):
    return drafts_of(hazard_people(_hazards(ids)), _hazard_near_words, on, period="near", url=hazard_page)


def _hazard_overdue_words(h, on) -> tuple[str, str]:
    values = _hazard_values(h, on)
    return (
        ngettext(
            "隐患整改逾期 %(days)s 天：%(premises)s", "隐患整改逾期 %(days)s 天：%(premises)s", values["days"]
        )
        % values,
        _("%(severity)s“%(description)s”整改期限 %(deadline)s 已过，当前状态：%(status)s。") % values,
    )


def _hazard_overdue_build(ids, on):
    people = hazard_people(_hazards(ids))
    return drafts_of(people, _hazard_overdue_words, on, period=week_period(on), url=hazard_page)


def _escalated_to_township(days: int) -> str:
    return ngettext(
        "【升级督办·乡镇主要领导】隐患逾期 %(days)s 天未整改：%(premises)s",
        "【升级督办·乡镇主要领导】隐患逾期 %(days)s 天未整改：%(premises)s",
        days,
    )


def _escalated_to_county(days: int) -> str:
    return ngettext(
        "【升级督办·县】隐患逾期 %(days)s 天未整改：%(premises)s",
        "【升级督办·县】隐患逾期 %(days)s 天未整改：%(premises)s",
        days,
    )


def _hazard_escalate_build(
    recipients: Callable[[Iterable[int]], dict[int, list[int]]], title: Callable[[int], str]
):
    """`title(days)`: the title's message, which says to whom the overdue hazard is escalated."""

    def words(h, on) -> tuple[str, str]:
        values = _hazard_values(h, on)
        days = values["days"]
        return (
            title(days) % values,
            ngettext(
                "%(township)s%(premises)s的%(severity)s“%(description)s”整改期限 %(deadline)s，"
                "已逾期 %(days)s 天，请督促整改并落实责任。",
                "%(township)s%(premises)s的%(severity)s“%(description)s”整改期限 %(deadline)s，"
                "已逾期 %(days)s 天，请督促整改并落实责任。",
                days,
            )
            % values,
        )

    def build(ids, on):
        people = _to_each(_hazards(ids), recipients=recipients)
        return drafts_of(people, words, on, period="escalated", url=hazard_page)

    return build


# 挂牌督办: a listed major hazard's supervision deadline near or passed, while it is still listed and
# not verified. It reaches the township (its leads and principal leaders) and the county that listed
# it (officials and the guidance center): a listing is the county's own escalation.


def _supervision_open(on):
    return HazardSupervision.objects.filter(lifted_on__isnull=True).exclude(hazard__status=VERIFIED_STATUS)


def _supervision_candidates(on):
    days = setting("REMINDER_SUPERVISION_NEAR_DAYS", 3)
    return (
        _supervision_open(on).filter(deadline__lte=on + dt.timedelta(days=days)).values_list("id", flat=True)
    )


def _supervision_people(township_ids: Iterable[int]) -> dict[int, list[int]]:
    township_ids = set(township_ids)
    leads, principals = township_lead_ids(township_ids), principal_leader_ids(township_ids)
    county = county_supervisor_ids(township_ids)
    return {t: sorted({*leads[t], *principals[t], *county[t]}) for t in township_ids}


def _supervision_words(s, on) -> tuple[str, str]:
    values = {
        "township": s.hazard.township.name,
        "premises": s.hazard.premises.name,
        "description": s.hazard.description[:40],
        "leader": s.leader,
        "deadline": f"{s.deadline:%Y-%m-%d}",
        "days": (on - s.deadline).days,
    }
    if s.deadline < on:
        return (
            ngettext(
                "【挂牌督办】逾期 %(days)s 天：%(premises)s",
                "【挂牌督办】逾期 %(days)s 天：%(premises)s",
                values["days"],
            )
            % values,
            _(
                "%(township)s%(premises)s的重大火灾隐患“%(description)s”督办期限 %(deadline)s 已过，责任领导 %(leader)s，请立即督促整改。"
            )
            % values,
        )
    return (
        _("【挂牌督办】即将到期：%(premises)s") % values,
        _(
            "%(township)s%(premises)s的重大火灾隐患“%(description)s”督办期限 %(deadline)s，责任领导 %(leader)s，请按期整改销号。"
        )
        % values,
    )


def _supervision_build(ids, on):
    rows = list(
        HazardSupervision.objects.filter(id__in=ids).select_related("hazard__premises", "hazard__township")
    )
    township_of = attrgetter("hazard.township_id")
    return drafts_of(
        _to_each(rows, recipients=_supervision_people, township_of=township_of),
        _supervision_words,
        on,
        # Once before the deadline, then weekly while it is overdue.
        period=lambda s: "near" if s.deadline >= on else week_period(on),
        url=lambda s: hazard_url(s.hazard_id),
        township_of=township_of,
    )


# Closed and overdue are the meetings app's one definition (the pages and the 通报 count the same).


def _assignment_near_candidates(on):
    assignments = Assignment.objects.exclude(assignment_closed_q(on))
    return _falling_due(assignments, on, setting("REMINDER_ASSIGNMENT_NEAR_DAYS", 3))


def _assignment_overdue_candidates(on):
    return Assignment.objects.filter(assignment_overdue_q(on)).values_list("id", flat=True)


def assignment_page(a) -> str:
    return assignment_url(a.id)


def assignment_what(a: Assignment) -> str:
    """Which meeting task, in the active language: its category and its meeting."""
    return _("%(category)s（%(meeting)s）") % {
        "category": a.directive.get_category_display(),
        "meeting": a.directive.meeting.title,
    }


def _assignment_words(a: Assignment, overdue: bool) -> tuple[str, str]:
    values = {"what": assignment_what(a), "deadline": f"{a.deadline:%Y-%m-%d}", "percent": a.progress_percent}
    if overdue:
        return (
            _("会议任务逾期：%(what)s") % values,
            _("完成时限 %(deadline)s 已过，当前进度 %(percent)s%%。") % values,
        )
    return (
        _("会议任务即将到期：%(what)s") % values,
        _("完成时限 %(deadline)s，当前进度 %(percent)s%%，请及时报告进展。") % values,
    )


def _assignment_build(overdue: bool):
    def build(ids, on):
        assignments = list(Assignment.objects.filter(id__in=ids).select_related("directive__meeting"))
        period = week_period(on) if overdue else "near"
        return drafts_of(
            assignment_holders(assignments), _assignment_words, overdue, period=period, url=assignment_page
        )

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
    township_of = attrgetter("brigade.township_id")
    return drafts_of(
        _to_each(items, township_of=township_of),
        _maintenance_words,
        period=lambda item: item.next_maintenance_on.isoformat(),  # a new maintenance cycle: a new period
        url=lambda item: brigade_url(item.brigade_id),
        township_of=township_of,
    )


def _maintenance_words(item) -> tuple[str, str]:
    return (
        _("装备保养到期：%(brigade)s") % {"brigade": item.brigade.name},
        _("%(equipment)s×%(quantity)s 应于 %(due)s 前保养。")
        % {
            "equipment": item.equipment_type.name,
            "quantity": item.quantity,
            "due": f"{item.next_maintenance_on:%Y-%m-%d}",
        },
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
    return drafts_of(
        _to_each(allocations, recipients=leads_and_officials),
        _funding_words,
        year,
        quarter,
        period=f"{year}-Q{quarter}",
        url=lambda a: funding_url(a.year),
    )


def _funding_words(a, year: int, quarter: int) -> tuple[str, str]:
    return (
        _("经费未到位：%(township)s%(year)s年%(category)s")
        % {"township": a.township.name, "year": a.year, "category": a.get_category_display()},
        _(
            "截至%(year)s年第%(quarter)s季度末，预算 %(amount)s 元，已到位 %(disbursed)s 元，"
            "尚有 %(left)s 元未到位。"
        )
        % {
            "year": year,
            "quarter": quarter,
            "amount": a.amount,
            "disbursed": a.disbursed_amount,
            "left": a.amount - a.disbursed_amount,
        },
    )


def _member_expiring(field_name: str):
    """A rule's halves for serving members whose contract or certificate (`field_name`) ends within
    REMINDER_MEMBER_EXPIRY_DAYS (default 30): once per member and end date, to the brigade's
    township lead."""

    def candidates(on):
        days = setting("REMINDER_MEMBER_EXPIRY_DAYS", 30)
        return brigade_selectors.members_expiring(on=on, days=days, field_name=field_name).values_list(
            "id", flat=True
        )

    def build(ids, on):
        members = list(BrigadeMember.objects.filter(id__in=ids).select_related("brigade"))
        township_of = attrgetter("brigade.township_id")
        return drafts_of(
            _to_each(members, township_of=township_of),
            _member_expiring_words,
            field_name,
            period=lambda m: getattr(m, field_name).isoformat(),  # renewed: a new end date, a new period
            url=lambda m: brigade_url(m.brigade_id),
            township_of=township_of,
        )

    return candidates, build


def _member_expiring_words(member, field_name: str) -> tuple[str, str]:
    values = {
        "brigade": member.brigade.name,
        "name": member.name,
        "certification": member.certification or _("资格证书"),
        "until": f"{getattr(member, field_name):%Y-%m-%d}",
    }
    if field_name == "contract_until":
        return (
            _("队员合同即将到期：%(brigade)s") % values,
            _("%(name)s的劳动合同于 %(until)s 到期，请及时续签或安排补员。") % values,
        )
    return (
        _("队员证书即将到期：%(brigade)s") % values,
        _("%(name)s的%(certification)s于 %(until)s 到期，请及时安排复审或续证。") % values,
    )


def _no_drill_candidates(on):
    return brigade_selectors.brigades_without_drill(on=on).values_list("id", flat=True)


def _no_drill_build(ids, on):
    start, _end = brigade_selectors.last_month(on)
    brigades = list(Brigade.objects.filter(id__in=ids))
    return drafts_of(
        _to_each(brigades),
        _no_drill_words,
        start,
        period=f"{start:%Y-%m}",
        url=lambda b: brigade_url(b.pk),
    )


def _no_drill_words(brigade, month: dt.date) -> tuple[str, str]:
    values = {"brigade": brigade.name, "year": month.year, "month": month.month}
    return (
        _("上月未组织演练：%(brigade)s") % values,
        _("%(brigade)s%(year)s年%(month)s月没有演练记录，请按要求每月组织演练并登记。") % values,
    )


_CONTRACT_RULE = _member_expiring("contract_until")
_CERTIFICATE_RULE = _member_expiring("certificate_until")


RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in [
        Rule(
            "campaign_kickoff",
            gettext_lazy("防控行动启动"),
            InspectionPlan,
            _kickoff_candidates,
            _kickoff_build,
        ),
        Rule(
            "plan_due",
            gettext_lazy("检查计划即将到期"),
            InspectionPlan,
            _plan_due_candidates,
            _plan_build(False),
        ),
        Rule(
            "plan_overdue",
            gettext_lazy("检查计划逾期"),
            InspectionPlan,
            _plan_overdue_candidates,
            _plan_build(True),
        ),
        Rule(
            "hazard_near",
            gettext_lazy("隐患整改即将到期"),
            Hazard,
            _hazard_near_candidates,
            _hazard_near_build,
        ),
        Rule(
            "hazard_overdue",
            gettext_lazy("隐患整改逾期"),
            Hazard,
            _hazard_overdue_candidates,
            _hazard_overdue_build,
        ),
        Rule(
            "hazard_escalate_township",
            gettext_lazy("隐患逾期升级至乡镇主要领导"),
            Hazard,
            _hazard_escalate_candidates,
            _hazard_escalate_build(principal_leader_ids, _escalated_to_township),
        ),
        Rule(
            "hazard_escalate_county",
            gettext_lazy("隐患逾期升级至县"),
            Hazard,
            _hazard_escalate_candidates,
            _hazard_escalate_build(county_supervisor_ids, _escalated_to_county),
        ),
        Rule(
            "supervision_due",
            gettext_lazy("挂牌督办期限临近或逾期"),
            HazardSupervision,
            _supervision_candidates,
            _supervision_build,
        ),
        Rule(
            "assignment_near",
            gettext_lazy("会议任务即将到期"),
            Assignment,
            _assignment_near_candidates,
            _assignment_build(False),
        ),
        Rule(
            "assignment_overdue",
            gettext_lazy("会议任务逾期"),
            Assignment,
            _assignment_overdue_candidates,
            _assignment_build(True),
        ),
        Rule(
            "maintenance_due",
            gettext_lazy("装备保养到期"),
            EquipmentItem,
            _maintenance_candidates,
            _maintenance_build,
        ),
        Rule(
            "funding_not_disbursed",
            gettext_lazy("季度末经费未到位"),
            FundingAllocation,
            _funding_candidates,
            _funding_build,
        ),
        Rule(
            "member_contract_expiring",
            gettext_lazy("队员合同即将到期"),
            BrigadeMember,
            *_CONTRACT_RULE,
        ),
        Rule(
            "member_certificate_expiring",
            gettext_lazy("队员证书即将到期"),
            BrigadeMember,
            *_CERTIFICATE_RULE,
        ),
        Rule(
            "brigade_no_drill",
            gettext_lazy("上月未组织演练"),
            Brigade,
            _no_drill_candidates,
            _no_drill_build,
        ),
    ]
}


# Reminders written when something happens (notifications.events), not by the daily run.
EVENT_LABELS = {
    "hazard_reported": gettext_lazy("新发现隐患"),
    "hazard_major": gettext_lazy("发现重大火灾隐患"),
    "rectification_submitted": gettext_lazy("整改完成待复查"),
    "reinspection_failed": gettext_lazy("复查不合格"),
    "assignment_issued": gettext_lazy("新的会议任务"),
    "assignment_deadline_changed": gettext_lazy("会议任务时限调整"),
}
# Lazy: each reads in the language active where it is shown.
RULE_LABELS = {**{name: rule.label for name, rule in RULES.items()}, **EVENT_LABELS}


def reminder_candidates(*, rule: str, on: dt.date) -> list[int]:
    return sorted(RULES[rule].candidates(on))

"""Reminders written when something happens, not by the daily run (core.events announces them):

- hazards found → the township's fire leads (urgent when the unit reported it itself, by a
  self-inspection; otherwise in their digest);
- a major hazard found → the county officials, the guidance center and the township's principal
  leaders (urgent);
- a rectification submitted → whoever must re-inspect: the township's fire leads, and the police
  station whose inspection found it (urgent);
- a re-inspection failed → the premises' responsible persons (urgent);
- an assignment issued, or its deadline changed → the township's fire leads and principal leaders,
  or the users of the county department that holds it (urgent).

They are written in the transaction of the write that caused them (a refused or rolled-back write
leaves none) and sent after it commits. The person who did it is not told about it. Records entered
late (a hazard found more than EVENT_RECENT_DAYS ago, an assignment already past its deadline) are
history being typed in: they remind nobody.

Each reminder's title and text are written in Chinese and in English at once (rules.in_both).
"""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from core import events
from core.clock import local_today
from inspections.models import Hazard, Inspection
from meetings.models import Assignment
from notifications import services, tasks
from notifications.rules import (
    Draft,
    assignment_holders,
    assignment_page,
    assignment_what,
    county_supervisor_ids,
    drafts_of,
    hazard_page,
    police_user_ids,
    premises_user_ids,
    principal_leader_ids,
    setting,
    township_lead_ids,
)


def _recent(day: dt.date) -> bool:
    return day >= local_today() - dt.timedelta(days=setting("EVENT_RECENT_DAYS", 7))


def _write(rule: str, model: type, drafts: list[Draft], *, urgent: bool) -> None:
    if drafts and services.notifications_write(rule=rule, model=model, drafts=drafts, urgent=urgent):
        transaction.on_commit(tasks.queue_deliveries)


def _people(by, *groups: Iterable[int]) -> list[int]:
    """The user ids of every group, each once, without the person who did it."""
    skip = getattr(by, "pk", None)
    return sorted({u for group in groups for u in group if u != skip})


def _hazard_line(h: Hazard) -> str:
    """Where the hazard is and what it is, in the active language."""
    return _("%(township)s%(premises)s：%(severity)s“%(description)s”") % {
        "township": h.township.name,
        "premises": h.premises.name,
        "severity": h.get_severity_display(),
        "description": h.description[:60],
    }


def _found_words(h: Hazard) -> tuple[str, str]:
    if h.inspection.kind == Inspection.Kind.SELF:
        title = _("单位自查上报隐患：%(premises)s")
    else:
        title = _("新发现隐患：%(premises)s")
    return (
        title % {"premises": h.premises.name},
        _("%(hazard)s，整改期限 %(deadline)s，责任人 %(person)s。")
        % {"hazard": _hazard_line(h), "deadline": f"{h.deadline:%Y-%m-%d}", "person": h.responsible_person},
    )


def _major_words(h: Hazard) -> tuple[str, str]:
    return (
        _("【重大火灾隐患】%(township)s%(premises)s")
        % {"township": h.township.name, "premises": h.premises.name},
        _("%(hazard)s，%(found)s 发现，整改期限 %(deadline)s。请督促落实整改和防范措施。")
        % {
            "hazard": _hazard_line(h),
            "found": f"{h.discovered_on:%Y-%m-%d}",
            "deadline": f"{h.deadline:%Y-%m-%d}",
        },
    )


def on_hazards_found(*, hazards: list[Hazard], by=None) -> None:
    hazards = [h for h in hazards if _recent(h.discovered_on)]
    if not hazards:
        return
    townships = {h.township_id for h in hazards}
    leads = township_lead_ids(townships)
    for self_reported in (True, False):
        found = [h for h in hazards if (h.inspection.kind == Inspection.Kind.SELF) == self_reported]
        pairs = [(h, user_id) for h in found for user_id in _people(by, leads[h.township_id])]
        drafts = list(drafts_of(pairs, _found_words, period="event", url=hazard_page))
        _write("hazard_reported", Hazard, drafts, urgent=self_reported)
    major = [h for h in hazards if h.severity == Hazard.Severity.MAJOR]
    if major:
        officials, principals = county_supervisor_ids(townships), principal_leader_ids(townships)
        pairs = [
            (h, user_id)
            for h in major
            for user_id in _people(by, officials[h.township_id], principals[h.township_id])
        ]
        drafts = list(drafts_of(pairs, _major_words, period="event", url=hazard_page))
        _write("hazard_major", Hazard, drafts, urgent=True)


def on_rectification_submitted(*, rectification, by=None) -> None:
    if not _recent(rectification.rectified_on):
        return
    h = rectification.hazard
    station = h.inspection.police_station_id
    people = _people(
        by, township_lead_ids([h.township_id])[h.township_id], police_user_ids([station])[station]
    )

    def words(h: Hazard) -> tuple[str, str]:
        return (
            _("整改完成待复查：%(premises)s") % {"premises": h.premises.name},
            _("%(hazard)s已于 %(day)s 整改完成（%(by)s），请组织复查。")
            % {
                "hazard": _hazard_line(h),
                "day": f"{rectification.rectified_on:%Y-%m-%d}",
                "by": rectification.rectified_by,
            },
        )

    drafts = list(drafts_of([(h, u) for u in people], words, period=f"r{rectification.id}", url=hazard_page))
    _write("rectification_submitted", Hazard, drafts, urgent=True)


def on_reinspection_failed(*, reinspection, by=None) -> None:
    if not _recent(reinspection.inspected_on):
        return
    h = reinspection.hazard

    def words(h: Hazard) -> tuple[str, str]:
        return (
            _("复查不合格：%(premises)s") % {"premises": h.premises.name},
            _("%(hazard)s %(day)s 复查不合格：%(note)s。请继续整改，整改期限 %(deadline)s。")
            % {
                "hazard": _hazard_line(h),
                "day": f"{reinspection.inspected_on:%Y-%m-%d}",
                "note": reinspection.note[:80],
                "deadline": f"{h.deadline:%Y-%m-%d}",
            },
        )

    people = _people(by, premises_user_ids([h.premises_id])[h.premises_id])
    drafts = list(drafts_of([(h, u) for u in people], words, period=f"f{reinspection.id}", url=hazard_page))
    _write("reinspection_failed", Hazard, drafts, urgent=True)


def _township_people(township_ids: set[int]) -> dict[int, list[int]]:
    leads, principals = township_lead_ids(township_ids), principal_leader_ids(township_ids)
    return {t: [*leads[t], *principals[t]] for t in township_ids}


def _issued_words(a: Assignment) -> tuple[str, str]:
    return (
        _("新的会议任务：%(what)s") % {"what": assignment_what(a)},
        _("%(directive)s　完成时限 %(deadline)s，请按时报告进展。")
        % {"directive": a.directive.text[:80], "deadline": f"{a.deadline:%Y-%m-%d}"},
    )


def _deadline_changed_words(a: Assignment) -> tuple[str, str]:
    return (
        _("会议任务时限调整：%(what)s") % {"what": assignment_what(a)},
        _("完成时限调整为 %(deadline)s，当前进度 %(percent)s%%。")
        % {"deadline": f"{a.deadline:%Y-%m-%d}", "percent": a.progress_percent},
    )


def on_assignments_issued(*, assignments: list[Assignment], by=None) -> None:
    today = local_today()
    assignments = [a for a in assignments if a.deadline >= today]
    holders = assignment_holders(assignments, township_people=_township_people)
    pairs = [(a, user_id) for a, user_id in holders if user_id != getattr(by, "pk", None)]
    drafts = list(drafts_of(pairs, _issued_words, period="event", url=assignment_page))
    _write("assignment_issued", Assignment, drafts, urgent=True)


def on_assignment_deadline_changed(*, assignment: Assignment, by=None) -> None:
    a = assignment
    if a.deadline < local_today():
        return
    holders = assignment_holders([a], township_people=_township_people)
    pairs = [(a, user_id) for a, user_id in holders if user_id != getattr(by, "pk", None)]
    drafts = list(
        drafts_of(pairs, _deadline_changed_words, period=f"d{a.deadline:%Y%m%d}", url=assignment_page)
    )
    _write("assignment_deadline_changed", Assignment, drafts, urgent=True)


# Imported once the models are loaded (core.apps autodiscovers each app's `events`).
events.subscribe(events.HAZARDS_FOUND, on_hazards_found)
events.subscribe(events.RECTIFICATION_SUBMITTED, on_rectification_submitted)
events.subscribe(events.REINSPECTION_FAILED, on_reinspection_failed)
events.subscribe(events.ASSIGNMENTS_ISSUED, on_assignments_issued)
events.subscribe(events.ASSIGNMENT_DEADLINE_CHANGED, on_assignment_deadline_changed)
